// The project timeline: per project, its milestones with status, the originally planned, the
// current and the completed date, every slip, the blocker's reason while blocked, the open
// document requests, the files attached (latest version, version count) and the comment count.
// The client timeline (Curation::kClient) holds what the client may see; the internal one
// adds internal threads, files and requests, each marked with its audience.
//
// One row per project: every change to a milestone rewrites that row, whose size grows with
// milestones, requests and files, never with comments.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "curation.h"
#include "doc_cache.h"

namespace tandem {

struct TimelineSlip {
  std::string old_date, new_date, reason;
  int64_t at_us = 0;
};

struct TimelineRequest {
  std::string milestone_id, title, requested_from, due_date;
  bool client = false;
  bool open = true;
};

struct TimelineFile {
  std::string milestone_id, name;
  uint32_t latest_version = 0;
  uint32_t versions = 0;
  bool client = false;
};

struct TimelineMilestone {
  uint64_t seq = 0;  // order of planning, to break ties between equal dates
  std::string title, original_date, current_date, completed_date, blocked_reason;
  std::string status = "planned";  // planned, in_progress, completed
  bool blocked = false;
  bool client = false;
  int64_t blocked_since_us = 0;
  std::vector<TimelineSlip> slips;
  uint64_t client_comments = 0;
  uint64_t internal_comments = 0;
};

struct TimelineDoc {
  std::string name, client_id;
  uint64_t next_seq = 0;
  std::map<std::string, TimelineMilestone> milestones;
  std::map<std::string, TimelineRequest> requests;
  std::map<std::string, TimelineFile> files;

  void ToJson(boost::json::object* out) const;
  void FromJson(const boost::json::object& in);
};

class TimelineProjection : public Projection {
 public:
  explicit TimelineProjection(Curation curation)
      : curation_(curation), name_(CuratedName(curation, "timeline")) {}
  std::string_view name() const override { return name_; }
  uint32_t version() const override { return 1; }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override {
    docs_.Flush(rows);
    return Status::OK();
  }
  void Forget() override { docs_.Forget(); }

 private:
  Curation curation_;
  std::string name_;
  DocCache<TimelineDoc> docs_;
};

std::string TimelineKey(const std::string& tenant, const std::string& project);

// The JSON a reader gets: milestones in planned order (current date, then planning order).
// `client` leaves out audiences and internal comment counts.
boost::json::object RenderTimeline(const TimelineDoc& doc, bool client);

}  // namespace tandem
