// The client and internal timelines: what each shows, to whom, as of when.
#include <gtest/gtest.h>

#include "counting_rows.h"
#include "row_cache_budget.h"
#include "timeline_projection.h"
#include "view_json.h"
#include "view_key.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::object;

class TimelineViewTest : public StandardViewTest {
 protected:
  // A small story on acme's project, told by hand below.
  void TellStory() {
    const std::string nw = "northwind";
    ViewWorld& w = *world_;
    w.MustRun(Cmd("milestone.plan", nw, "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "design"},
                   {"title", "Design sign-off"},
                   {"planned_date", "2026-12-01"}}));
    w.MustRun(Cmd("milestone.reschedule", nw, "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "design"},
                   {"expected_version", 1},
                   {"new_date", "2026-12-08"},
                   {"reason", "brand guide not received yet"}}));
    w.MustRun(Cmd("milestone.plan", nw, "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "secret"},
                   {"title", "INTERNAL-MARKER budget review"},
                   {"planned_date", "2026-11-01"},
                   {"audience", "internal"}}));
    w.MustRun(Cmd("comment.post", nw, "acme-member",
                  {{"project_id", "p-acme"},
                   {"thread_id", "q"},
                   {"comment_id", "q1"},
                   {"anchor", object{{"kind", "milestone"}, {"id", "design"}}},
                   {"audience", "client"},
                   {"body", "When is the review?"}}));
  }
};

TEST_F(TimelineViewTest,
       ClientSeesSharedMilestonesInPlannedOrderWithSlipsRequestsFilesAndComments) {
  TellStory();
  boost::json::value v = world_->Json(Ask("client-timeline", "acme-member", "p-acme"));
  const auto& ms = v.at("milestones").as_array();
  ASSERT_EQ(ms.size(), 4u);
  // Planned order: by current date, then by planning order.
  EXPECT_EQ(ms[0].at("id"), "design");
  EXPECT_EQ(ms[1].at("id"), "m-planned");
  EXPECT_EQ(ms[2].at("id"), "m-started");
  EXPECT_EQ(ms[3].at("id"), "m-blocked");
  const auto& design = ms[0].as_object();
  EXPECT_EQ(design.at("planned_date"), "2026-12-01");
  EXPECT_EQ(design.at("current_date"), "2026-12-08");
  EXPECT_EQ(design.at("status"), "planned");
  ASSERT_EQ(design.at("slips").as_array().size(), 1u);
  EXPECT_EQ(design.at("slips").at(0).at("reason"), "brand guide not received yet");
  EXPECT_EQ(design.at("slips").at(0).at("old_date"), "2026-12-01");
  EXPECT_EQ(design.at("client_comments"), 1);
  EXPECT_FALSE(design.contains("internal_comments"));
  const auto& planned = ms[1].as_object();
  ASSERT_EQ(planned.at("open_requests").as_array().size(), 1u);
  EXPECT_EQ(planned.at("open_requests").at(0).at("title"), "Brand guide");
  EXPECT_EQ(planned.at("open_requests").at(0).at("requested_from"), "acme-member");
  EXPECT_EQ(planned.at("client_comments"), 1);  // "Welcome!"; the internal note is not counted
  EXPECT_EQ(ms[3].at("status"), "blocked");
  EXPECT_EQ(ms[3].at("blocked_reason"), "waiting for content");
  EXPECT_EQ(ms[2].at("status"), "in_progress");
}

// A fuller story for the exact reads below: the design milestone slips, is started and
// completed (returning when it slipped); a request with a due date, an internal request the
// client never sees, and the standard world's "Brand guide" fulfilled by the client's upload; files
// on milestones, one in two versions, one internal.
int64_t TellFullStory(ViewWorld* w) {
  const std::string nw = "northwind";
  auto run = [&](const std::string& type, const std::string& actor, object fields) {
    fields["project_id"] = "p-acme";
    w->MustRun(Cmd(type, nw, actor, std::move(fields)));
  };
  run("milestone.plan", "pm",
      {{"milestone_id", "design"}, {"title", "Design sign-off"}, {"planned_date", "2026-12-01"}});
  run("milestone.reschedule", "pm",
      {{"milestone_id", "design"},
       {"expected_version", 1},
       {"new_date", "2026-12-08"},
       {"reason", "brand guide not received yet"}});
  const int64_t slipped_at = LastRecordedAtUs(w->log());
  run("milestone.start", "pm", {{"milestone_id", "design"}, {"expected_version", 2}});
  run("milestone.complete", "pm",
      {{"milestone_id", "design"}, {"expected_version", 3}, {"completed_date", "2026-12-09"}});
  run("document.request", "pm",
      {{"milestone_id", "m-started"},
       {"request_id", "logo-files"},
       {"title", "Logo files"},
       {"requested_from", "acme-admin"},
       {"due_date", "2027-01-10"}});
  run("document.request", "pm",
      {{"milestone_id", "m-started"},
       {"request_id", "sow"},
       {"title", "INTERNAL-MARKER signed SOW from legal"},
       {"requested_from", "staff"},
       {"audience", "internal"}});
  const object on_design{{"kind", "milestone"}, {"id", "design"}};
  for (const char* version : {"djE=", "djI="}) {
    run("file.upload", "pm",
        {{"name", "mockups.pdf"},
         {"file_id", "mockups"},
         {"audience", "client"},
         {"anchor", on_design},
         {"expected_version", "any"},
         {"content_base64", version}});
  }
  run("file.upload", "pm",
      {{"name", "INTERNAL-MARKER margins.xlsx"},
       {"file_id", "margins"},
       {"anchor", on_design},
       {"content_base64", "bQ=="}});
  run("file.upload", "acme-member",
      {{"name", "guide.pdf"},
       {"file_id", "guide"},
       {"request_id", "req"},
       {"anchor", object{{"kind", "milestone"}, {"id", "m-planned"}}},
       {"content_base64", "Z3VpZGU="}});
  return slipped_at;
}

// The timeline `json` expects, its one slip recorded at `slipped_at`.
boost::json::value Expected(const std::string& json, int64_t slipped_at) {
  boost::json::value v = boost::json::parse(json);
  v.at("milestones").at(0).at("slips").at(0).as_object()["at_us"] = slipped_at;
  return v;
}

TEST_F(TimelineViewTest, ClientTimelineIsExactlyWhatTheClientMaySeeOfTheStory) {
  const int64_t slipped_at = TellFullStory(world_.get());
  // Reviewed by hand against the story: the completed design milestone keeps its original
  // date, its current date and its slip; the fulfilled "Brand guide" request is gone; the
  // internal file, the internal note on m-planned and everything internal are absent.
  ExpectViewJson(world_->Read(Ask("client-timeline", "acme-member", "p-acme")),
                 Expected(R"({
    "view": "client-timeline", "workspace": "northwind", "project": "p-acme",
    "name": "acme", "client": "acme",
    "milestones": [
      {"id": "design", "title": "Design sign-off", "status": "completed",
       "planned_date": "2026-12-01", "current_date": "2026-12-08", "completed_date": "2026-12-09",
       "blocked_reason": "",
       "slips": [{"old_date": "2026-12-01", "new_date": "2026-12-08",
                  "reason": "brand guide not received yet", "at_us": 0}],
       "open_requests": [],
       "files": [{"id": "mockups", "name": "mockups.pdf", "latest_version": 2, "versions": 2}],
       "client_comments": 0},
      {"id": "m-planned", "title": "m-planned", "status": "planned",
       "planned_date": "2027-01-15", "current_date": "2027-01-15", "completed_date": "",
       "blocked_reason": "", "slips": [], "open_requests": [],
       "files": [{"id": "client:acme:guide", "name": "guide.pdf", "latest_version": 1,
                  "versions": 1}],
       "client_comments": 1},
      {"id": "m-started", "title": "m-started", "status": "in_progress",
       "planned_date": "2027-01-15", "current_date": "2027-01-15", "completed_date": "",
       "blocked_reason": "", "slips": [],
       "open_requests": [{"id": "logo-files", "title": "Logo files",
                          "requested_from": "acme-admin", "due_date": "2027-01-10"}],
       "files": [], "client_comments": 0},
      {"id": "m-blocked", "title": "m-blocked", "status": "blocked",
       "planned_date": "2027-01-15", "current_date": "2027-01-15", "completed_date": "",
       "blocked_reason": "waiting for content", "slips": [], "open_requests": [], "files": [],
       "client_comments": 0}
    ]})",
                          slipped_at));
}

TEST_F(TimelineViewTest, InternalTimelineIsExactlyTheStoryWithItsInternalParts) {
  const int64_t slipped_at = TellFullStory(world_.get());
  // The same milestones with each thing's audience, the internal file and the internal
  // comment count (the note "Budget is tight" on m-planned).
  ExpectViewJson(world_->Read(Ask("internal-timeline", "pm", "p-acme")), Expected(R"({
    "view": "internal-timeline", "workspace": "northwind", "project": "p-acme",
    "name": "acme", "client": "acme",
    "milestones": [
      {"id": "design", "title": "Design sign-off", "status": "completed", "audience": "client",
       "planned_date": "2026-12-01", "current_date": "2026-12-08", "completed_date": "2026-12-09",
       "blocked_reason": "",
       "slips": [{"old_date": "2026-12-01", "new_date": "2026-12-08",
                  "reason": "brand guide not received yet", "at_us": 0}],
       "open_requests": [],
       "files": [{"id": "margins", "name": "INTERNAL-MARKER margins.xlsx", "latest_version": 1,
                  "versions": 1, "audience": "internal"},
                 {"id": "mockups", "name": "mockups.pdf", "latest_version": 2, "versions": 2,
                  "audience": "client"}],
       "client_comments": 0, "internal_comments": 0},
      {"id": "m-planned", "title": "m-planned", "status": "planned", "audience": "client",
       "planned_date": "2027-01-15", "current_date": "2027-01-15", "completed_date": "",
       "blocked_reason": "", "slips": [], "open_requests": [],
       "files": [{"id": "client:acme:guide", "name": "guide.pdf", "latest_version": 1,
                  "versions": 1, "audience": "client"}],
       "client_comments": 1, "internal_comments": 1},
      {"id": "m-started", "title": "m-started", "status": "in_progress", "audience": "client",
       "planned_date": "2027-01-15", "current_date": "2027-01-15", "completed_date": "",
       "blocked_reason": "", "slips": [],
       "open_requests": [{"id": "logo-files", "title": "Logo files",
                          "requested_from": "acme-admin", "due_date": "2027-01-10",
                          "audience": "client"},
                         {"id": "sow", "title": "INTERNAL-MARKER signed SOW from legal",
                          "requested_from": "staff", "due_date": "", "audience": "internal"}],
       "files": [], "client_comments": 0, "internal_comments": 0},
      {"id": "m-blocked", "title": "m-blocked", "status": "blocked", "audience": "client",
       "planned_date": "2027-01-15", "current_date": "2027-01-15", "completed_date": "",
       "blocked_reason": "waiting for content", "slips": [], "open_requests": [], "files": [],
       "client_comments": 0, "internal_comments": 0}
    ]})",
                                                                                  slipped_at));
}

// Once its milestone is completed a request can no longer be answered: neither timeline
// lists it as open.
TEST_F(TimelineViewTest, RequestsOfACompletedMilestoneAreNoLongerOpen) {
  world_->MustRun(Cmd("document.request", "northwind", "pm",
                      {{"project_id", "p-acme"},
                       {"milestone_id", "m-started"},
                       {"request_id", "logo"},
                       {"title", "Logo files"}}));
  const auto requests_on_started = [&](const std::string& view, const std::string& member) {
    const boost::json::value timeline = world_->Json(Ask(view, member, "p-acme"));
    for (const auto& m : timeline.at("milestones").as_array()) {
      if (m.at("id") == "m-started") return m.at("open_requests").as_array().size();
    }
    ADD_FAILURE() << "no m-started in " << view;
    return size_t{0};
  };
  EXPECT_EQ(requests_on_started("client-timeline", "acme-member"), 1u);
  EXPECT_EQ(requests_on_started("internal-timeline", "pm"), 1u);
  world_->MustRun(Cmd("milestone.complete", "northwind", "pm",
                      {{"project_id", "p-acme"},
                       {"milestone_id", "m-started"},
                       {"expected_version", "any"},
                       {"completed_date", "2026-12-01"}}));
  EXPECT_EQ(requests_on_started("client-timeline", "acme-member"), 0u);
  EXPECT_EQ(requests_on_started("internal-timeline", "pm"), 0u);
}

TEST_F(TimelineViewTest, ClientTimelineStorageHoldsNothingInternal) {
  TellStory();
  world_->CatchUp();
  std::unique_ptr<ViewReader> reader;
  ASSERT_TRUE(world_->store()->NewReader("client-timeline", &reader).ok());
  int rows = 0;
  ASSERT_TRUE(reader
                  ->Scan("",
                         [&](std::string_view, std::string_view value) {
                           ++rows;
                           EXPECT_EQ(value.find("INTERNAL-MARKER"), std::string_view::npos);
                           EXPECT_EQ(value.find("Budget is tight"), std::string_view::npos);
                           EXPECT_EQ(value.find("t-internal"), std::string_view::npos);
                           return true;
                         })
                  .ok());
  EXPECT_GT(rows, 2);  // both projects' headers, milestones and indexes
}

TEST_F(TimelineViewTest, InternalTimelineShowsInternalMilestonesAndComments) {
  TellStory();
  boost::json::value v = world_->Json(Ask("internal-timeline", "staff", "p-acme"));
  const auto& ms = v.at("milestones").as_array();
  ASSERT_EQ(ms.size(), 5u);
  EXPECT_EQ(ms[0].at("id"), "secret");
  EXPECT_EQ(ms[0].at("audience"), "internal");
  EXPECT_EQ(ms[2].at("id"), "m-planned");
  EXPECT_EQ(ms[2].at("internal_comments"), 1);
}

TEST_F(TimelineViewTest, ClientAskingForInternalTimelineIsRefusedLikeAMissingProject) {
  Status internal, missing;
  world_->Read(Ask("internal-timeline", "acme-admin", "p-acme"), &internal);
  world_->Read(Ask("internal-timeline", "acme-admin", "p-nothing"), &missing);
  EXPECT_TRUE(internal.IsNotFound());
  EXPECT_EQ(internal.reason(), "view.not_found");
  EXPECT_EQ(internal.reason(), missing.reason());
  EXPECT_EQ(internal.message(), "project 'p-acme' does not exist");
}

TEST_F(TimelineViewTest, ClientAskingForAnotherClientsProjectIsRefusedLikeAMissingOne) {
  Status other;
  world_->Read(Ask("client-timeline", "acme-member", "p-globex"), &other);
  EXPECT_TRUE(other.IsNotFound());
  EXPECT_EQ(other.reason(), "view.not_found");
  EXPECT_EQ(other.message(), "project 'p-globex' does not exist");
}

TEST_F(TimelineViewTest, UnknownMemberIsAClearError) {
  Status s;
  world_->Read(Ask("client-timeline", "mallory", "p-acme"), &s);
  EXPECT_EQ(s.reason(), "view.unknown_member");
}

TEST_F(TimelineViewTest, UnknownViewIsAClearError) {
  Status s;
  world_->Read(Ask("client-timelines", "pm", "p-acme"), &s);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.reason(), "view.unknown");
}

TEST_F(TimelineViewTest, AsOfEveryPositionEqualsTheLiveViewAtThatMoment) {
  // Live views read after each command are the expected as-of answers.
  std::vector<std::pair<uint64_t, std::string>> live;
  auto snapshot = [&] {
    live.emplace_back(world_->log()->LastPosition(),
                      world_->Read(Ask("client-timeline", "acme-member", "p-acme")));
  };
  snapshot();
  const std::string nw = "northwind";
  world_->MustRun(Cmd("milestone.complete", nw, "pm",
                      {{"project_id", "p-acme"},
                       {"milestone_id", "m-started"},
                       {"expected_version", 2},
                       {"completed_date", "2026-12-02"}}));
  snapshot();
  world_->MustRun(Cmd("milestone.unblock", nw, "pm",
                      {{"project_id", "p-acme"},
                       {"milestone_id", "m-blocked"},
                       {"expected_version", 3},
                       {"reason", "content arrived"}}));
  snapshot();
  for (const auto& [position, expected] : live) {
    std::string as_of = world_->ReadAsOf(Ask("client-timeline", "acme-member", "p-acme"), position);
    EXPECT_EQ(as_of, expected) << "at position " << position;
  }
}

// A project stream of hundreds of events is read in two halves at once: the as-of answer at
// any moment still equals the live view then, with other projects' events in between.
TEST_F(TimelineViewTest, AsOfReadOfALongProjectReadsLikeTheLiveViewAtThatMoment) {
  TellStory();
  AsOfRecorder recorder(world_.get(), {Ask("client-timeline", "acme-member", "p-acme"),
                                       Ask("internal-timeline", "pm", "p-acme")});
  const std::string nw = "northwind";
  for (int i = 0; i < 600; ++i) {
    const std::string id = "long" + std::to_string(i);
    if (i % 7 == 0) {
      world_->MustRun(Cmd("comment.post", nw, "pm",
                          {{"project_id", "p-globex"},
                           {"thread_id", "g"},
                           {"comment_id", id},
                           {"anchor", object{{"kind", "project"}, {"id", "p-globex"}}},
                           {"body", "Elsewhere"}}));
    }
    world_->MustRun(Cmd("comment.post", nw, i % 3 ? "acme-member" : "pm",
                        {{"project_id", "p-acme"},
                         {"thread_id", i % 2 ? "q" : "r"},
                         {"comment_id", id},
                         {"anchor", object{{"kind", "milestone"}, {"id", "design"}}},
                         {"audience", "client"},
                         {"body", "Comment " + std::to_string(i)}}));
    if (i == 300) {
      world_->MustRun(Cmd("milestone.reschedule", nw, "pm",
                          {{"project_id", "p-acme"},
                           {"milestone_id", "design"},
                           {"expected_version", "any"},
                           {"new_date", "2026-12-15"},
                           {"reason", "half way"}}));
    }
    if (i % 97 == 0 || i == 299 || i == 301 || i == 599) recorder.Snapshot();
  }
  recorder.ExpectAsOfReadsLikeLive();
}

TEST_F(TimelineViewTest, RebuildHashesLikeTheLiveView) {
  TellStory();
  world_->ExpectRebuildHashesLikeLive({"client-timeline", "internal-timeline"});
}

TEST_F(TimelineViewTest, AsOfFoldHashesLikeTheLiveViewAtEveryPosition) {
  TellStory();
  world_->CatchUp();
  const uint64_t head = world_->log()->LastPosition();
  for (const std::string view : {"client-timeline", "internal-timeline", "directory"}) {
    AsOfScope scope;
    scope.position = head;
    scope.views = {view};
    std::unique_ptr<ViewSource> source;
    ASSERT_TRUE(FoldAsOf(world_->log(), scope, &source).ok());
    std::string hex;
    ASSERT_TRUE(HashView(source.get(), view, &hex).ok());
    EXPECT_EQ(hex, world_->Hash(view)) << view;
  }
}

TEST_F(TimelineViewTest, AsOfPositionPastTheHeadIsRefused) {
  Status s;
  world_->ReadAsOf(Ask("client-timeline", "pm", "p-acme"), world_->log()->LastPosition() + 1, &s);
  EXPECT_EQ(s.reason(), "view.position_out_of_range");
}

}  // namespace
}  // namespace tandem::test

namespace tandem::test {
namespace {

// The timeline's rows of a story folded in memory, to damage before reading them back.
class TimelineDamageTest : public ::testing::Test {
 protected:
  struct MapRows : RowReader {
    Status Get(std::string_view key, std::string* value) const override {
      auto it = rows.find(key);
      if (it == rows.end()) return Status::NotFound("no such row");
      *value = it->second;
      return Status::OK();
    }
    Status Scan(
        std::string_view prefix,
        const std::function<bool(std::string_view, std::string_view)>& visit) const override {
      for (auto it = rows.lower_bound(prefix); it != rows.end() && it->first.starts_with(prefix);
           ++it) {
        if (!visit(it->first, it->second)) break;
      }
      return Status::OK();
    }
    std::map<std::string, std::string, std::less<>> rows;
  };

  void SetUp() override {
    ViewWorld world(dir_.path());
    world.BuildStandard();
    world.MustRun(Cmd("milestone.reschedule", "northwind", "pm",
                      {{"project_id", "p-acme"},
                       {"milestone_id", "m-planned"},
                       {"expected_version", "any"},
                       {"new_date", "2027-02-01"},
                       {"reason", "late"}}));
    TimelineProjection timeline(Curation::kInternal, std::make_shared<RowCacheBudget>(1 << 20));
    CountingRows folded;
    for (const RecordedEvent& e : LogEvents(world.log())) {
      ASSERT_TRUE(timeline.Apply(e.event(), &folded).ok());
    }
    ASSERT_TRUE(timeline.Flush(&folded).ok());
    stored_.rows.insert(folded.rows().begin(), folded.rows().end());
  }

  Status Load() {
    TimelineHeader header;
    std::vector<std::pair<std::string, TimelineMilestone>> milestones;
    return LoadTimeline(stored_, "northwind", "p-acme", &header, &milestones);
  }

  // Moves the row under `from` to `to`.
  void Move(const std::string& from, const std::string& to) {
    auto node = stored_.rows.extract(from);
    ASSERT_FALSE(node.empty());
    node.key() = to;
    stored_.rows.insert(std::move(node));
  }

  ScratchDir dir_;
  MapRows stored_;
};

TEST_F(TimelineDamageTest, TheStoryReadsBack) { EXPECT_TRUE(Load().ok()) << Load().ToString(); }

// Milestones are never removed: a slip, request or file naming none of the view's is damage.
TEST_F(TimelineDamageTest, ASlipOfNoMilestoneReadsAsCorruption) {
  Move(ViewKey({"northwind", "p-acme", "s", "m-planned", OrderedNumber(0)}),
       ViewKey({"northwind", "p-acme", "s", "m-gone", OrderedNumber(0)}));
  EXPECT_TRUE(Load().IsCorruption()) << Load().ToString();
}

TEST_F(TimelineDamageTest, ARequestOfNoMilestoneReadsAsCorruption) {
  std::string& value = stored_.rows.at(ViewKey({"northwind", "p-acme", "r", "req"}));
  const size_t at = value.find("\"m-planned\"");
  ASSERT_NE(at, std::string::npos) << value;
  value.replace(at, 11, "\"m-gone\"");
  EXPECT_TRUE(Load().IsCorruption()) << Load().ToString();
}

}  // namespace
}  // namespace tandem::test
