// Reports: KPIs against values computed by hand, pivots, date ranges, scope by asker, as-of.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "report_support.h"

namespace tandem::test {
namespace {

class ReportTest : public StandardViewTest {
 protected:
  std::string Report(const ReportRequest& request, Status* status = nullptr) {
    world_->CatchUp();
    std::unique_ptr<ViewSource> source;
    EXPECT_TRUE(OpenLiveViewSource(world_->store(), &source).ok());
    std::string out;
    Status s = ReadReport(request, source.get(), &out);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  boost::json::object Json(const ReportRequest& request) {
    return boost::json::parse(Report(request)).as_object();
  }
  // The row of `rows` whose `dimension` is `value`.
  static boost::json::object Row(const boost::json::object& report, const std::string& dimension,
                                 const std::string& value) {
    for (const auto& r : report.at("rows").as_array()) {
      if (r.at(dimension) == value.c_str()) return r.as_object();
    }
    ADD_FAILURE() << "no row " << dimension << "=" << value;
    return {};
  }
};

TEST_F(ReportTest, FirmKpisMatchTheStoryComputedByHand) {
  ReportStory story(world_.get());
  story.Tell();
  const auto acme = Row(Json(AskReport("owner", {"project"})), "project", "p-acme");
  EXPECT_EQ(acme.at("milestones"), 6);
  EXPECT_EQ(acme.at("milestones_completed_on_time"), 1);  // kickoff: 11-19 vs 11-20
  EXPECT_EQ(acme.at("milestones_completed_late"), 1);     // design: 12-06 vs 12-01 originally
  EXPECT_EQ(acme.at("milestones_overdue"), 4);            // three of 2027-01-15, the internal one
  EXPECT_EQ(acme.at("milestone_slips"), 3);
  EXPECT_EQ(acme.at("slip_days_total"), 14);                      // +7, -3, +10
  EXPECT_DOUBLE_EQ(acme.at("slip_days_mean").as_double(), 4.67);  // 14 / 3, to 0.01
  EXPECT_EQ(acme.at("time_blocked_seconds"),
            Seconds(story.At("unblocked:m-blocked") - story.At("blocked:m-blocked")));
  EXPECT_EQ(acme.at("document_requests"), 3);
  EXPECT_EQ(acme.at("document_requests_open"), 2);
  EXPECT_EQ(acme.at("document_requests_overdue"), 1);  // req-late; req has no due date
  EXPECT_EQ(acme.at("client_questions"), 3);
  EXPECT_EQ(acme.at("client_questions_waiting"), 1);
  const int64_t reply1 = story.At("comment:a1") - story.At("comment:q1");  // q1b joined q1
  const int64_t reply2 = story.At("comment:a2") - story.At("comment:q2");
  EXPECT_EQ(acme.at("question_first_reply_median_seconds"), Seconds((reply1 + reply2) / 2.0));
  EXPECT_EQ(acme.at("approvals"), 3);
  EXPECT_EQ(acme.at("approvals_pending"), 1);
  const int64_t turn1 = story.At("approval_answered:ap") - story.At("approval_requested:ap");
  const int64_t turn2 = story.At("approval_answered:ap2") - story.At("approval_requested:ap2");
  EXPECT_EQ(acme.at("approval_turnaround_median_seconds"), Seconds((turn1 + turn2) / 2.0));
  EXPECT_EQ(acme.at("approval_turnaround_mean_seconds"), Seconds((turn1 + turn2) / 2.0));
  const auto& cycle = acme.at("card_cycle_mean_seconds").as_object();
  EXPECT_EQ(cycle.at("To do"), Seconds(story.At("card:ic:Doing") - story.At("card:ic:To do")));
  EXPECT_EQ(cycle.at("Doing"), Seconds(story.At("card:ic:Done") - story.At("card:ic:Doing")));
  EXPECT_EQ(cycle.at("Inbound"),
            Seconds(story.At("card:cc:Assigned") - story.At("card:cc:Inbound")));
  EXPECT_FALSE(cycle.contains("Done"));  // a stay still going is not a cycle time yet
}

// The domain refuses to answer a request once its milestone is completed: the request closes
// unanswered, open and overdue no more, for the firm and the client alike.
TEST_F(ReportTest, RequestOfACompletedMilestoneIsNoLongerOpenNorOverdue) {
  const auto run = [&](const std::string& type, boost::json::object fields) {
    fields["project_id"] = "p-globex";
    world_->MustRun(Cmd(type, "northwind", "pm", std::move(fields)));
  };
  run("document.request", {{"milestone_id", "m-started"},
                           {"request_id", "late-logo"},
                           {"title", "Logo"},
                           {"due_date", "2026-01-01"}});
  for (const std::string member : {"owner", "globex-admin"}) {
    const auto before = Row(Json(AskReport(member, {"project"})), "project", "p-globex");
    EXPECT_EQ(before.at("document_requests"), 2) << member;  // with the standard "req"
    EXPECT_EQ(before.at("document_requests_open"), 2) << member;
    EXPECT_EQ(before.at("document_requests_overdue"), 1) << member;
  }
  run("milestone.complete", {{"milestone_id", "m-started"},
                             {"expected_version", "any"},
                             {"completed_date", "2026-12-01"}});
  for (const std::string member : {"owner", "globex-admin"}) {
    const auto after = Row(Json(AskReport(member, {"project"})), "project", "p-globex");
    EXPECT_EQ(after.at("document_requests"), 2) << member;
    EXPECT_EQ(after.at("document_requests_open"), 1) << member;
    EXPECT_EQ(after.at("document_requests_overdue"), 0) << member;
  }
}

// Requests written past the domain's rules: every view agrees on which are open and whose.
class RequestsPastTheRulesTest : public ReportTest {
 protected:
  // The open requests of acme's project as each view shows them: the firm's and the client's
  // report counts, then "<view>:<id>:<audience>" from both timelines (the client's are all
  // "client") and the upload items of pm and acme's member.
  std::vector<std::string> OpenEverywhere() {
    std::vector<std::string> out;
    for (const std::string member : {"owner", "acme-admin"}) {
      const auto row = Row(Json(AskReport(member, {"project"})), "project", "p-acme");
      out.push_back(member + "=" + boost::json::serialize(row.at("document_requests_open")));
    }
    for (const auto& [view, member] : std::vector<std::pair<std::string, std::string>>{
             {"internal-timeline", "pm"}, {"client-timeline", "acme-admin"}}) {
      const boost::json::value timeline = world_->Json(Ask(view, member, "p-acme"));
      for (const auto& m : timeline.at("milestones").as_array()) {
        for (const auto& r : m.at("open_requests").as_array()) {
          const auto& o = r.as_object();
          out.push_back(view + ":" + std::string(o.at("id").as_string()) + ":" +
                        (o.contains("audience") ? std::string(o.at("audience").as_string())
                                                : std::string("client")));
        }
      }
    }
    for (const std::string member : {"pm", "acme-member"}) {
      ViewRequest r = Ask("action-items", member);
      r.today = kReportDay;
      const boost::json::value items = world_->Json(r);
      for (const auto& i : items.at("items").as_array()) {
        if (i.at("kind") != "upload_document" || i.at("project") != "p-acme") continue;
        out.push_back(member + ":" + std::string(i.at("request_id").as_string()));
      }
    }
    return out;
  }
  // The views above hash after a rebuild as they do live.
  void ExpectRebuildsAlike() {
    world_->ExpectRebuildHashesLikeLive({"action-items", "internal-report-facts",
                                         "client-report-facts", "internal-timeline",
                                         "client-timeline"});
  }
  // The standard world's one open request, "req", asked of acme's member on m-planned.
  const std::vector<std::string> kOnlyReq = {"owner=1", "acme-admin=1",
                                             "internal-timeline:req:client",
                                             "client-timeline:req:client", "acme-member:req"};
};

TEST_F(RequestsPastTheRulesTest, CompletionWithoutADateClosesTheRequestInEveryView) {
  ASSERT_EQ(OpenEverywhere(), kOnlyReq);
  schema::MilestoneCompletedT done;
  done.project_id = "p-acme";
  done.milestone_id = "m-planned";
  AppendPastTheRules(world_.get(), schema::Audience::Client, done);
  EXPECT_EQ(OpenEverywhere(), (std::vector<std::string>{"owner=0", "acme-admin=0"}));
  ExpectRebuildsAlike();
}

TEST_F(RequestsPastTheRulesTest, InternalFileLeavesTheClientsRequestOpenInEveryView) {
  AppendPastTheRules(world_.get(), schema::Audience::Internal, AcmeAnswer("req"));
  EXPECT_EQ(OpenEverywhere(), kOnlyReq);
  ExpectRebuildsAlike();
}

TEST_F(RequestsPastTheRulesTest, RequestBeforeItsMilestoneIsInNoView) {
  AppendPastTheRules(world_.get(), schema::Audience::Client,
                     AcmeRequest("m-later", "early", "Early"));
  world_->MustRun(Cmd("milestone.plan", "northwind", "pm",
                      {{"project_id", "p-acme"},
                       {"milestone_id", "m-later"},
                       {"title", "Later"},
                       {"planned_date", "2027-02-01"}}));
  EXPECT_EQ(OpenEverywhere(), kOnlyReq);
  ExpectRebuildsAlike();
}

TEST_F(RequestsPastTheRulesTest, ClientRequestOnAnInternalMilestoneIsTheFirmsInEveryView) {
  world_->MustRun(Cmd("milestone.plan", "northwind", "pm",
                      {{"project_id", "p-acme"},
                       {"milestone_id", "m-acq"},
                       {"title", "Acquisition"},
                       {"planned_date", "2027-01-01"},
                       {"audience", "internal"}}));
  AppendPastTheRules(world_.get(), schema::Audience::Client,
                     AcmeRequest("m-acq", "d9", "Board minutes"));
  EXPECT_EQ(OpenEverywhere(),
            (std::vector<std::string>{"owner=2", "acme-admin=1", "internal-timeline:d9:internal",
                                      "internal-timeline:req:client", "client-timeline:req:client",
                                      "pm:d9", "acme-member:req"}));
  ExpectRebuildsAlike();
}

TEST_F(ReportTest, ClientMemberSeesTheCardTimesOfItsBoardOnly) {
  ReportStory story(world_.get());
  story.Tell();
  const auto acme = Row(Json(AskReport("acme-member", {"project"})), "project", "p-acme");
  const auto& cycle = acme.at("card_cycle_mean_seconds").as_object();
  EXPECT_EQ(cycle.at("Inbound"),
            Seconds(story.At("card:cc:Assigned") - story.At("card:cc:Inbound")));
  EXPECT_EQ(cycle.size(), 1u) << cycle;  // the internal card's "To do" and "Doing" are not shown
}

TEST_F(ReportTest, DurationsAreTheSecondsBetweenTheRecordedInstants) {
  // The log's clock is real time: wait long enough for durations of whole seconds.
  const std::string nw = "northwind";
  world_->MustRun(Cmd("comment.post", nw, "acme-member",
                      {{"project_id", "p-acme"},
                       {"thread_id", "t-client"},
                       {"comment_id", "q"},
                       {"body", "When?"}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  world_->MustRun(Cmd(
      "comment.post", nw, "pm",
      {{"project_id", "p-acme"}, {"thread_id", "t-client"}, {"comment_id", "a"}, {"body", "Now"}}));
  world_->MustRun(Cmd("approval.grant", nw, "acme-member",
                      {{"project_id", "p-acme"}, {"approval_id", "ap"}, {"expected_version", 1}}));
  world_->MustRun(Cmd("card.move", nw, "pm",
                      {{"project_id", "p-acme"},
                       {"card_id", "cc"},
                       {"to_column", "Assigned"},
                       {"expected_version", 1}}));
  ReportStory times(world_.get());
  times.RecordTimes();
  const auto acme = Row(Json(AskReport("owner", {"project"})), "project", "p-acme");
  const int64_t reply = times.At("comment:a") - times.At("comment:q");
  const int64_t turnaround = times.At("approval_answered:ap") - times.At("approval_requested:ap");
  const int64_t inbound = times.At("card:cc:Assigned") - times.At("card:cc:Inbound");
  for (int64_t us : {reply, turnaround, inbound}) EXPECT_GE(us, 2'000'000);
  EXPECT_EQ(acme.at("question_first_reply_median_seconds"), Seconds(reply));
  EXPECT_EQ(acme.at("approval_turnaround_median_seconds"), Seconds(turnaround));
  EXPECT_EQ(acme.at("approval_turnaround_mean_seconds"), Seconds(turnaround));
  EXPECT_EQ(acme.at("card_cycle_mean_seconds").at("Inbound"), Seconds(inbound));
}

TEST_F(ReportTest, MedianReplyTimeTakesTheMiddleAnswer) {
  ReportStory story(world_.get());
  story.Tell();
  world_->MustRun(Cmd(
      "comment.post", "northwind", "owner",
      {{"project_id", "p-acme"}, {"thread_id", "t-q3"}, {"comment_id", "a3"}, {"body", "Blue"}}));
  std::vector<int64_t> replies = {story.At("comment:a1") - story.At("comment:q1"),
                                  story.At("comment:a2") - story.At("comment:q2")};
  world_->CatchUp();
  std::vector<RecordedEvent> last;
  ASSERT_TRUE(world_->log()
                  ->ReadStreamBackward({"northwind", "project:p-acme"}, EventLog::kEndOfStream,
                                       ReadOptions(), &last)
                  .ok());
  ASSERT_FALSE(last.empty());
  replies.push_back(last.front().event().recorded_at_us() - story.At("comment:q3"));
  std::sort(replies.begin(), replies.end());
  const auto acme = Row(Json(AskReport("owner", {"project"})), "project", "p-acme");
  EXPECT_EQ(acme.at("client_questions_waiting"), 0);
  EXPECT_EQ(acme.at("question_first_reply_median_seconds"), Seconds(replies[1]));
}

TEST_F(ReportTest, OpenBlocksCountUpToTheReportsMoment) {
  ReportRequest r = AskReport("owner", {"project"});
  world_->CatchUp();
  int64_t blocked_at = 0;
  std::vector<RecordedEvent> events;
  ASSERT_TRUE(world_->log()
                  ->ReadStreamForward({"northwind", "project:p-globex"}, 1, ReadOptions(), &events)
                  .ok());
  for (const RecordedEvent& e : events) {
    if (e.event().payload_type() == schema::Payload::MilestoneBlocked) {
      blocked_at = e.event().recorded_at_us();
    }
  }
  r.now_us = blocked_at + 2 * 3600LL * 1000 * 1000;
  const auto globex = Row(Json(r), "project", "p-globex");
  EXPECT_EQ(globex.at("time_blocked_seconds"), 7200);
}

TEST_F(ReportTest, PivotsByClientSeparateEachClientsProjects) {
  ReportStory story(world_.get());
  story.Tell();
  const auto report = Json(AskReport("owner", {"client"}));
  ASSERT_EQ(report.at("rows").as_array().size(), 2u);
  EXPECT_EQ(Row(report, "client", "acme").at("milestones"), 6);
  const auto globex = Row(report, "client", "globex");
  EXPECT_EQ(globex.at("milestones"), 3);
  EXPECT_EQ(globex.at("milestones_overdue"), 3);
  EXPECT_EQ(globex.at("document_requests_open"), 1);
  EXPECT_EQ(globex.at("client_questions"), 0);  // the firm's own welcome is no question
  EXPECT_EQ(globex.at("approvals_pending"), 1);
  EXPECT_EQ(report.at("total").at("milestones"), 9);
}

TEST_F(ReportTest, PivotsByWeekOfTheFactsDateWithinTheDateRange) {
  ReportStory story(world_.get());
  story.Tell();
  ReportRequest r = AskReport("owner", {"client", "week"});
  r.from = "2026-11-01";
  r.to = "2026-11-30";
  const auto report = Json(r);
  // In range: kickoff (completed 11-19, W47) and the internal milestone (due 11-11, W46).
  // Design (completed 12-06) is not, nor anything dated by the log's clock (December 2026 on).
  ASSERT_EQ(report.at("rows").as_array().size(), 2u) << report;
  const auto& w46 = report.at("rows").at(0).as_object();
  const auto& w47 = report.at("rows").at(1).as_object();
  EXPECT_EQ(w46.at("client"), "acme");
  EXPECT_EQ(w46.at("week"), "2026-W46");
  EXPECT_EQ(w46.at("milestones"), 1);
  EXPECT_EQ(w46.at("milestones_overdue"), 1);
  EXPECT_EQ(w47.at("week"), "2026-W47");
  EXPECT_EQ(w47.at("milestones_completed_on_time"), 1);
  EXPECT_EQ(report.at("total").at("milestones"), 2);
  EXPECT_EQ(report.at("total").at("document_requests"), 0);
}

TEST_F(ReportTest, WeeksAreIsoWeeksAcrossTheYearsEnd) {
  for (const char* date : {"2027-01-03", "2027-01-04"}) {
    world_->MustRun(Cmd("milestone.plan", "northwind", "pm",
                        {{"project_id", "p-acme"},
                         {"milestone_id", std::string("m-") + date},
                         {"title", "New year"},
                         {"planned_date", date}}));
  }
  ReportRequest r = AskReport("owner", {"week"});
  r.from = "2027-01-01";
  r.to = "2027-01-10";
  const auto report = Json(r);
  ASSERT_EQ(report.at("rows").as_array().size(), 2u) << report;
  EXPECT_EQ(report.at("rows").at(0).at("week"), "2026-W53");  // Sunday 2027-01-03
  EXPECT_EQ(report.at("rows").at(1).at("week"), "2027-W01");  // Monday 2027-01-04
}

TEST_F(ReportTest, ClientMemberSeesOnlyItsClientsSharedFacts) {
  ReportStory story(world_.get());
  story.Tell();
  const std::string text = Report(AskReport("acme-member", {"client", "project"}));
  EXPECT_EQ(text.find("INTERNAL-MARKER"), std::string::npos);
  EXPECT_EQ(text.find("globex"), std::string::npos);
  const auto report = boost::json::parse(text).as_object();
  ASSERT_EQ(report.at("rows").as_array().size(), 1u);
  const auto acme = Row(report, "project", "p-acme");
  EXPECT_EQ(acme.at("milestones"), 5);
  EXPECT_EQ(acme.at("milestones_overdue"), 3);
  EXPECT_EQ(acme.at("milestone_slips"), 2);
  EXPECT_EQ(acme.at("slip_days_total"), 4);
  EXPECT_EQ(acme.at("slip_days_mean"), 2);
  EXPECT_EQ(acme.at("client_questions"), 3);
  EXPECT_EQ(report.at("audience"), "client");
}

TEST_F(ReportTest, OnlyTheOperatorSeesTheLogPosition) {
  // A log position counts other tenants' and internal events: neither side of a workspace may
  // gauge from it how busy the other tenants are.
  EXPECT_FALSE(Json(AskReport("acme-admin")).contains("as_of_position"));
  EXPECT_FALSE(Json(AskReport("auditor")).contains("as_of_position"));
  EXPECT_TRUE(Json(AskReport("")).contains("as_of_position"));
}

TEST_F(ReportTest, ClientCuratedFactsStoreNothingInternal) {
  ReportStory story(world_.get());
  story.Tell();
  world_->CatchUp();
  std::unique_ptr<ViewReader> reader;
  ASSERT_TRUE(world_->store()->NewReader("client-report-facts", &reader).ok());
  ASSERT_TRUE(reader
                  ->Scan("",
                         [&](std::string_view key, std::string_view value) {
                           EXPECT_EQ(key.find("INTERNAL-MARKER"), std::string_view::npos);
                           EXPECT_EQ(value.find("INTERNAL-MARKER"), std::string_view::npos);
                           // The internal card "ic" is no key part.
                           EXPECT_EQ(key.find(std::string("\x01ic\x00\x01", 5)),
                                     std::string_view::npos);
                           EXPECT_EQ(value.find("\"client\":false"), std::string_view::npos);
                           return true;
                         })
                  .ok());
}

TEST_F(ReportTest, ProjectScopedManagerSeesOnlyItsProjects) {
  world_->MustRun(Cmd("role.grant", "northwind", "owner",
                      {{"member_id", "staff"},
                       {"role", "project_manager"},
                       {"project_id", "p-globex"},
                       {"expected_version", 1}}));
  const auto report = Json(AskReport("staff", {"project"}));
  ASSERT_EQ(report.at("rows").as_array().size(), 1u);
  EXPECT_EQ(report.at("rows").at(0).at("project"), "p-globex");
  EXPECT_TRUE(report.at("total").as_object().contains("card_cycle_mean_seconds"));
}

TEST_F(ReportTest, StaffWithoutManagedProjectsAndClientViewersAreRefused) {
  for (const char* member : {"staff", "acme-viewer"}) {
    Status s;
    Report(AskReport(member), &s);
    EXPECT_TRUE(s.IsPermissionDenied()) << member << ": " << s.ToString();
    EXPECT_EQ(s.reason(), "report.not_permitted");
  }
}

TEST_F(ReportTest, AuditorAndWorkspaceManagerSeeTheWholeWorkspace) {
  for (const char* member : {"auditor", "pm"}) {
    const auto report = Json(AskReport(member, {"client"}));
    EXPECT_EQ(report.at("rows").as_array().size(), 2u) << member;
  }
}

TEST_F(ReportTest, BadInputIsAClearError) {
  Status s;
  Report(AskReport("mallory"), &s);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.reason(), "view.unknown_member");
  Report(AskReport("owner", {"colour"}), &s);
  EXPECT_EQ(s.reason(), "report.bad_dimension");
  ReportRequest r = AskReport("owner");
  r.from = "2026-02-30";
  Report(r, &s);
  EXPECT_EQ(s.reason(), "report.bad_date");
  r = AskReport("owner");
  r.workspace = "nowhere";
  Report(r, &s);
  EXPECT_EQ(s.reason(), "view.unknown_member");  // a member is named: no word of workspaces
}

TEST_F(ReportTest, CsvHasALinePerPivotRow) {
  ReportRequest r = AskReport("owner", {"client"});
  r.format = ViewFormat::kCsv;
  const std::string csv = Report(r);
  EXPECT_EQ(csv.rfind("client,milestones,", 0), 0u) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
}

// Blocks in progress judged at a moment far ahead sum past what a number holds: the total stops
// at the largest, it does not wrap to a negative time.
TEST_F(ReportTest, BlockedTimeSumsStopAtTheLargestInsteadOfWrapping) {
  ReportRequest r = AskReport("owner");
  r.now_us = std::numeric_limits<int64_t>::max() - 1;
  const auto total = Json(r).at("total").as_object();
  EXPECT_EQ(total.at("time_blocked_seconds"),
            std::llround(static_cast<double>(std::numeric_limits<int64_t>::max()) / 1e6));
}

// A mean with a fraction reads as people write it, in JSON and CSV alike (not 4.67E0).
TEST_F(ReportTest, MeansAreWrittenInPlainNotation) {
  ReportStory(world_.get()).Tell();
  ReportRequest r = AskReport("owner", {"project"});
  EXPECT_NE(Report(r).find("\"slip_days_mean\":4.67,"), std::string::npos) << Report(r);
  r.format = ViewFormat::kCsv;
  EXPECT_NE(Report(r).find(",4.67,"), std::string::npos) << Report(r);
}

TEST_F(ReportTest, CsvHasItsHeaderWhenNoRowIsInRange) {
  ReportRequest r = AskReport("owner", {"client"});
  r.format = ViewFormat::kCsv;
  const std::string csv = Report(r);
  r.from = "2000-01-01";
  r.to = "2000-01-02";
  EXPECT_EQ(Report(r), csv.substr(0, csv.find("\r\n") + 2));
}

TEST_F(ReportTest, AsOfFoldOfTheTenantEqualsTheLiveReport) {
  const std::string before = Report(AskReport("owner", {"client", "week"}));
  const uint64_t position = world_->log()->LastPosition();
  ReportStory story(world_.get());
  story.Tell();
  for (const auto& [at, expected] :
       {std::pair{position, before},
        std::pair{world_->log()->LastPosition(), Report(AskReport("owner", {"client", "week"}))}}) {
    AsOfScope scope;
    scope.tenant = "northwind";
    scope.position = at;
    scope.views = ReportViewsNeeded();
    std::unique_ptr<ViewSource> source, now;
    ASSERT_TRUE(FoldAsOf(world_->log(), scope, &source).ok());
    ASSERT_TRUE(OpenLiveViewSource(world_->store(), &now).ok());  // the owner's standing
    ReportRequest request = AskReport("owner", {"client", "week"});
    request.live = now.get();
    std::string out;
    ASSERT_TRUE(ReadReport(request, source.get(), &out).ok());
    // The live views' position is the head of the log, which holds contoso's events too.
    auto live = boost::json::parse(expected).as_object();
    auto as_of = boost::json::parse(out).as_object();
    live.erase("as_of_position");
    as_of.erase("as_of_position");
    EXPECT_EQ(boost::json::serialize(as_of), boost::json::serialize(live)) << "at " << at;
  }
}

TEST_F(ReportTest, RebuildHashesLikeTheLiveFacts) {
  ReportStory story(world_.get());
  story.Tell();
  std::map<std::string, std::string> live;
  for (const std::string view : {"client-report-facts", "internal-report-facts", "report-links"}) {
    live[view] = world_->Hash(view);
  }
  ASSERT_TRUE(world_->runner()->Rebuild({}).ok());
  for (const auto& [view, hash] : live) EXPECT_EQ(world_->Hash(view), hash) << view;
}

}  // namespace
}  // namespace tandem::test
