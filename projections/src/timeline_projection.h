// The project timeline: per project, its milestones with status, the originally planned, the
// current and the completed date, every slip, the blocker's reason while blocked, the open
// document requests, the files attached (latest version, version count) and the comment count.
// The client timeline (Curation::kClient) holds what the client may see; the internal one
// adds internal threads, files and requests, each marked with its audience.
//
// Rows, under (tenant, project): a header (name, client, planning counter), one row per
// milestone (its own state and how many slips it had), one with each milestone's comment counts,
// one per slip, one per document request and one per file (each naming its milestone). An
// event writes the rows of the things it names: no row grows with a milestone's slips, requests
// or files, nor with comments or the project (a milestone collecting a thousand files rewrote
// them all on every upload when they were its row's).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "curation.h"
#include "doc_cache.h"
#include "project_run.h"
#include "row_fields.h"

namespace tandem {

struct TimelineHeader {
  std::string name, client_id;
  uint64_t next_seq = 0;
  static constexpr std::tuple kFields{Field("name", &TimelineHeader::name),
                                      Field("client", &TimelineHeader::client_id),
                                      Field("next_seq", &TimelineHeader::next_seq)};
};

struct TimelineSlip {
  std::string old_date, new_date, reason;
  int64_t at_us = 0;
};

// A document request, stored in a row of its own; its milestone is where a reader lists it.
struct TimelineRequest {
  std::string milestone;
  std::string title, requested_from, due_date;
  bool client = false;
  bool open = true;
  static constexpr std::tuple kFields{Field("milestone", &TimelineRequest::milestone),
                                      Field("title", &TimelineRequest::title),
                                      Field("requested_from", &TimelineRequest::requested_from),
                                      Field("due_date", &TimelineRequest::due_date),
                                      Field("client", &TimelineRequest::client),
                                      Field("open", &TimelineRequest::open)};
};

// A file, stored in a row of its own from its first upload: the milestone it landed on ("" for
// none), and its versions counted while that milestone exists in the view (none before).
struct TimelineFile {
  std::string milestone;
  std::string name;
  uint32_t latest_version = 0;
  uint32_t versions = 0;
  bool client = false;
  static constexpr std::tuple kFields{
      Field("milestone", &TimelineFile::milestone), Field("name", &TimelineFile::name),
      Field("latest_version", &TimelineFile::latest_version),
      Field("versions", &TimelineFile::versions), Field("client", &TimelineFile::client)};
};

struct TimelineMilestone {
  uint64_t seq = 0;  // order of planning, to break ties between equal dates
  std::string title, original_date, current_date, completed_date, blocked_reason;
  std::string status = "planned";  // planned, in_progress, completed
  bool blocked = false;
  bool client = false;
  int64_t blocked_since_us = 0;
  uint64_t slip_count = 0;  // the next slip's number
  // Stored apart (rows of their own, TimelineComments), merged in by LoadTimeline.
  std::vector<TimelineSlip> slips;
  std::map<std::string, TimelineRequest> requests;
  std::map<std::string, TimelineFile> files;
  uint64_t client_comments = 0;
  uint64_t internal_comments = 0;

  static constexpr std::tuple kFields{
      Field("seq", &TimelineMilestone::seq),
      Field("title", &TimelineMilestone::title),
      Field("original_date", &TimelineMilestone::original_date),
      Field("current_date", &TimelineMilestone::current_date),
      Field("completed_date", &TimelineMilestone::completed_date),
      Field("status", &TimelineMilestone::status),
      Field("blocked", &TimelineMilestone::blocked),
      Field("blocked_reason", &TimelineMilestone::blocked_reason),
      Field("blocked_since_us", &TimelineMilestone::blocked_since_us),
      Field("client", &TimelineMilestone::client),
      Field("slip_count", &TimelineMilestone::slip_count)};
};

// A milestone's comment counts: a row of their own, since every comment changes them and the
// milestone's own row grows with its slips, requests and files.
struct TimelineComments {
  uint64_t client = 0, internal = 0;
  static constexpr std::tuple kFields{Field("client", &TimelineComments::client),
                                      Field("internal", &TimelineComments::internal)};
};

// A timeline's header row: the project's name, client and the order of its milestones.
std::string TimelineHeaderKey(const std::string& tenant, const std::string& project);

class TimelineProjection : public Projection {
 public:
  TimelineProjection(Curation curation, std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)), curation_(curation), name_(CuratedName(curation, "timeline")) {}
  std::string_view name() const override { return name_; }
  uint32_t version() const override { return 5; }
  bool projects_fold_apart() const override { return true; }
  EventFilter filter() const override { return Curated(curation_, EventFilter::All()); }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  Status ApplyToMilestones(const schema::Event& event, const std::string& tenant,
                           const std::string& project, ViewRows* rows);
  Status ApplyUpload(const schema::FileUploaded& e, bool shared, const std::string& tenant,
                     const std::string& project, const RowReader& rows);

  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  Curation curation_;
  std::string name_;
  DocCache<TimelineHeader> headers_{budget_.get()};
  DocCache<TimelineMilestone> milestones_{budget_.get()};
  DocCache<TimelineRequest> requests_{budget_.get()};
  DocCache<TimelineFile> files_{budget_.get()};
  DocCache<TimelineComments> comments_{budget_.get()};
  ProjectRun<TimelineHeader> run_{&headers_, TimelineHeaderKey};
};

// Reads a project's timeline rows; NotFound when the view has no such project.
Status LoadTimeline(const RowReader& rows, const std::string& tenant, const std::string& project,
                    TimelineHeader* header,
                    std::vector<std::pair<std::string, TimelineMilestone>>* milestones);

// The JSON a reader gets: milestones in planned order (current date, then planning order).
// `client` leaves out audiences, internal comment counts and anything not shared.
boost::json::object RenderTimeline(const TimelineHeader& header,
                                   const std::vector<std::pair<std::string, TimelineMilestone>>& ms,
                                   bool client);

}  // namespace tandem
