// The state of one project that commands are checked against, folded from the project stream.
// Every entity keeps its own version (how many events changed it) for expected-version checks.
//
// The fold trusts no event's shape (`tandem append` writes past every rule), and fails closed:
//  - a thing is shared with the client only if every audience its creation names says Client
//    (the event's, and the payload's own where it has one); anything else is Internal;
//  - a thing exists only once its creating event was folded: events about unknown things, and
//    second creations of an existing id, change nothing;
//  - nothing that is not on the stream is assumed (a board may have no columns).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

enum class MilestoneStatus : uint8_t { kPlanned, kInProgress, kCompleted };
enum class ApprovalStatus : uint8_t { kPending, kGranted, kRejected };

struct MilestoneState {
  MilestoneStatus status = MilestoneStatus::kPlanned;
  bool blocked = false;
  std::string planned_date;
  schema::Audience audience = schema::Audience::Internal;
  uint64_t version = 0;
};

struct DocumentRequestState {
  std::string milestone_id;
  std::string requested_from;  // empty: anyone of the client's side who may answer
  schema::Audience audience = schema::Audience::Internal;
};

struct FileState {
  std::string file_id;
  uint32_t version = 0;  // the latest upload's version; also the file's entity version
  schema::Audience audience = schema::Audience::Internal;
  std::string request_id;  // the document request its first version answered, if any
};

// Client and internal files live side by side: the same name in each is two files, so a client
// upload can never collide with (and so reveal) an internal file.
std::string FileKey(schema::Audience audience, const std::string& name);

struct ThreadState {
  schema::AnchorKind anchor_kind = schema::AnchorKind::None;
  std::string anchor_id;
  schema::Audience audience = schema::Audience::Internal;
};

struct BoardState {
  schema::Audience audience = schema::Audience::Internal;
  std::vector<std::string> columns;
  uint64_t version = 0;
};

struct CardState {
  std::string board_id;
  std::string column;
  std::set<std::string> links;
  uint64_t version = 0;
};

struct ApprovalState {
  std::string requested_from;
  ApprovalStatus status = ApprovalStatus::kPending;
  schema::Audience audience = schema::Audience::Internal;
  uint64_t version = 0;
};

struct ReportLinkState {
  schema::Audience audience = schema::Audience::Internal;
  bool revoked = false;
  uint64_t version = 0;
};

struct ProjectState {
  bool exists = false;
  std::string client_id;
  uint64_t stream_version = 0;
  std::map<std::string, MilestoneState> milestones;
  std::map<std::string, DocumentRequestState> requests;
  std::map<std::string, FileState> files;  // by FileKey
  std::map<std::string, std::string> file_keys_by_id;
  std::map<std::string, ThreadState> threads;
  std::map<std::string, std::string> comment_threads;  // comment id -> thread id
  std::map<std::string, BoardState> boards;
  std::map<std::string, CardState> cards;
  std::map<std::string, ApprovalState> approvals;
  std::map<std::string, ReportLinkState> report_links;

  void Apply(const schema::Event& event);
  const FileState* FindFileById(const std::string& file_id) const;
  // The project's client-shared board, or "" if it has none yet.
  std::string ClientBoardId() const;
};

}  // namespace tandem
