// A small story for report tests, told on acme's project of the standard world, and the
// instants the log recorded for its events (the log's clock is real time, so durations are
// checked against what it recorded).
#pragma once

#include <cmath>
#include <map>
#include <string>

#include "tandem/projections/reports.h"
#include "view_world.h"

namespace tandem::test {

using boost::json::object;

// The day reports are read at: after every date of the story, so open ones are overdue.
constexpr const char* kReportDay = "2027-02-01";

inline ReportRequest AskReport(const std::string& member, std::vector<std::string> by = {}) {
  ReportRequest r;
  r.workspace = "northwind";
  r.as_member = member;
  r.by = std::move(by);
  r.now_date = kReportDay;
  return r;
}

class ReportStory {
 public:
  explicit ReportStory(ViewWorld* world) : w_(*world) {}

  void Tell() {
    const object kProjectAnchor{{"kind", "project"}, {"id", "p-acme"}};
    // Milestones: design slips +7 then -3 days and completes late; kickoff completes early;
    // an internal milestone slips 10 days (never in a client's report).
    Run("pm", "milestone.plan",
        {{"milestone_id", "design"}, {"title", "Design"}, {"planned_date", "2026-12-01"}});
    Run("pm", "milestone.reschedule",
        {{"milestone_id", "design"},
         {"expected_version", 1},
         {"new_date", "2026-12-08"},
         {"reason", "brand guide late"}});
    Run("pm", "milestone.reschedule",
        {{"milestone_id", "design"},
         {"expected_version", 2},
         {"new_date", "2026-12-05"},
         {"reason", "faster"}});
    Run("pm", "milestone.start", {{"milestone_id", "design"}, {"expected_version", 3}});
    Run("pm", "milestone.complete",
        {{"milestone_id", "design"}, {"expected_version", 4}, {"completed_date", "2026-12-06"}});
    Run("pm", "milestone.plan",
        {{"milestone_id", "kickoff"}, {"title", "Kickoff"}, {"planned_date", "2026-11-20"}});
    Run("pm", "milestone.start", {{"milestone_id", "kickoff"}, {"expected_version", 1}});
    Run("pm", "milestone.complete",
        {{"milestone_id", "kickoff"}, {"expected_version", 2}, {"completed_date", "2026-11-19"}});
    Run("pm", "milestone.plan",
        {{"milestone_id", "INTERNAL-MARKER-ms"},
         {"title", "INTERNAL-MARKER budget"},
         {"planned_date", "2026-11-01"},
         {"audience", "internal"}});
    Run("pm", "milestone.reschedule",
        {{"milestone_id", "INTERNAL-MARKER-ms"},
         {"expected_version", 1},
         {"new_date", "2026-11-11"},
         {"reason", "INTERNAL-MARKER"}});
    Run("pm", "milestone.unblock",
        {{"milestone_id", "m-blocked"}, {"expected_version", 3}, {"reason", "content came"}});
    // Document requests: "req" stays open without a due date; req-late is open past its due
    // date; req-done is fulfilled by the client.
    Run("pm", "document.request",
        {{"milestone_id", "m-planned"},
         {"request_id", "req-late"},
         {"title", "Logo files"},
         {"due_date", "2026-12-10"}});
    Run("pm", "document.request",
        {{"milestone_id", "m-planned"},
         {"request_id", "req-done"},
         {"title", "Photos"},
         {"due_date", "2026-12-10"}});
    Run("acme-member", "file.upload",
        {{"name", "photos.zip"}, {"content_base64", "cGhvdG9z"}, {"request_id", "req-done"}});
    // Client questions: q1 (joined by q1b) answered by pm, q2 answered by the owner, q3 waiting.
    Run("acme-member", "comment.post",
        {{"thread_id", "t-client"}, {"comment_id", "q1"}, {"body", "When?"}});
    Run("acme-admin", "comment.post",
        {{"thread_id", "t-client"}, {"comment_id", "q1b"}, {"body", "Yes, when?"}});
    Run("pm", "comment.post",
        {{"thread_id", "t-client"}, {"comment_id", "a1"}, {"body", "Friday"}});
    // The firm opens two more client threads; its opening comments answer nothing.
    for (const char* t : {"t-q2", "t-q3"}) {
      Run("pm", "comment.post",
          {{"thread_id", t},
           {"comment_id", std::string("open-") + t},
           {"body", "Questions welcome"},
           {"audience", "client"},
           {"anchor", kProjectAnchor}});
    }
    Run("acme-admin", "comment.post",
        {{"thread_id", "t-q2"}, {"comment_id", "q2"}, {"body", "Budget?"}});
    Run("owner", "comment.post", {{"thread_id", "t-q2"}, {"comment_id", "a2"}, {"body", "Fine"}});
    Run("pm", "comment.post",
        {{"thread_id", "t-internal"}, {"comment_id", "INTERNAL-MARKER-c"}, {"body", "x"}});
    Run("acme-member", "comment.post",
        {{"thread_id", "t-q3"}, {"comment_id", "q3"}, {"body", "Colours?"}});
    // Approvals: ap granted, ap2 rejected, ap3 pending.
    Run("acme-member", "approval.grant", {{"approval_id", "ap"}, {"expected_version", 1}});
    for (const char* id : {"ap2", "ap3"}) {
      Run("pm", "approval.request",
          {{"approval_id", id},
           {"subject", object{{"kind", "milestone"}, {"id", "design"}}},
           {"title", "Approve"},
           {"requested_from", "acme-member"}});
    }
    Run("acme-member", "approval.reject",
        {{"approval_id", "ap2"}, {"expected_version", 1}, {"comment", "No"}});
    // Cards: the internal card goes To do -> Doing -> Done; the client card Inbound -> Assigned.
    Run("pm", "card.move", {{"card_id", "ic"}, {"to_column", "Doing"}, {"expected_version", 1}});
    Run("pm", "card.move", {{"card_id", "ic"}, {"to_column", "Done"}, {"expected_version", 2}});
    Run("pm", "card.move", {{"card_id", "cc"}, {"to_column", "Assigned"}, {"expected_version", 1}});
    RecordTimes();
  }

  // When the log recorded the event of `what` ("comment:q1", "approval_requested:ap", ...).
  int64_t At(const std::string& what) const { return at_.at(what); }

 private:
  void Run(const std::string& actor, const std::string& type, object fields) {
    fields["project_id"] = "p-acme";
    w_.MustRun(Cmd(type, "northwind", actor, std::move(fields)));
  }

 public:
  // Reads when the log recorded each event of acme's project so far.
  void RecordTimes() {
    using schema::Payload;
    std::vector<RecordedEvent> page;
    uint64_t next = 1;
    while (true) {
      ASSERT_TRUE(
          w_.log()
              ->ReadStreamForward({"northwind", "project:p-acme"}, next, ReadOptions(), &page)
              .ok());
      if (page.empty()) break;
      next = page.back().stream_version() + 1;
      for (const RecordedEvent& r : page) {
        const schema::Event& e = r.event();
        const int64_t t = e.recorded_at_us();
        switch (e.payload_type()) {
          case Payload::CommentPosted: {
            // Ids clients make are namespaced ("client:acme:q1"): the test names them "q1".
            const std::string id = e.payload_as_CommentPosted()->comment_id()->str();
            at_["comment:" + id.substr(id.rfind(':') + 1)] = t;
            break;
          }
          case Payload::ApprovalRequested:
            at_["approval_requested:" + e.payload_as_ApprovalRequested()->approval_id()->str()] = t;
            break;
          case Payload::ApprovalGranted:
            at_["approval_answered:" + e.payload_as_ApprovalGranted()->approval_id()->str()] = t;
            break;
          case Payload::ApprovalRejected:
            at_["approval_answered:" + e.payload_as_ApprovalRejected()->approval_id()->str()] = t;
            break;
          case Payload::CardCreated:
            at_["card:" + e.payload_as_CardCreated()->card_id()->str() + ":" +
                e.payload_as_CardCreated()->column()->str()] = t;
            break;
          case Payload::CardMoved:
            at_["card:" + e.payload_as_CardMoved()->card_id()->str() + ":" +
                e.payload_as_CardMoved()->to_column()->str()] = t;
            break;
          case Payload::MilestoneBlocked:
            at_["blocked:" + e.payload_as_MilestoneBlocked()->milestone_id()->str()] = t;
            break;
          case Payload::MilestoneUnblocked:
            at_["unblocked:" + e.payload_as_MilestoneUnblocked()->milestone_id()->str()] = t;
            break;
          default:
            break;
        }
      }
    }
  }

 private:
  ViewWorld& w_;
  std::map<std::string, int64_t> at_;
};

// A duration as reports give it: whole seconds, rounded.
inline int64_t Seconds(double us) { return std::llround(us / 1e6); }

}  // namespace tandem::test
