// Current standing gates history: a named member's read of the past (a view or a report as of a
// position or a time) is checked first against the live views, so that a member who lost its
// place loses the past too, and a refused member learns nothing of the log from the answer.
#include <gtest/gtest.h>

#include <set>

#include "report_support.h"

namespace tandem::test {
namespace {

class StandingNowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<ViewWorld>(dir_.path());
    world_->BuildStandard();
  }

  static ViewRequest Timeline(const std::string& member,
                              const std::string& workspace = "northwind") {
    ViewRequest r;
    r.view = "client-timeline";
    r.workspace = workspace;
    r.project = "p-acme";
    r.member = member;
    return r;
  }

  void Revoke(const std::string& member, const std::string& role, int64_t expected_version,
              const std::string& project = "") {
    boost::json::object fields{
        {"member_id", member}, {"role", role}, {"expected_version", expected_version}};
    if (!project.empty()) fields["project_id"] = project;
    world_->MustRun(Cmd("role.revoke", "northwind", "owner", std::move(fields)));
  }
  void GrantProjectManager(const std::string& member, const std::string& project,
                           int64_t expected_version) {
    world_->MustRun(Cmd("role.grant", "northwind", "owner",
                        {{"member_id", member},
                         {"role", "project_manager"},
                         {"project_id", project},
                         {"expected_version", expected_version}}));
  }

  std::unique_ptr<ViewSource> Live() {
    world_->CatchUp();
    std::unique_ptr<ViewSource> live;
    EXPECT_TRUE(OpenLiveViewSource(world_->store(), &live).ok());
    return live;
  }

  // The standing now of a view read by `view_member` and a report read by `report_member`, both
  // naming a log position.
  std::pair<Status, Status> NamingAPosition(const std::string& view_member,
                                            const std::string& report_member) {
    std::unique_ptr<ViewSource> live = Live();
    ViewRequest view = Timeline(view_member);
    view.as_of_named_position = true;
    ReportRequest report = AskReport(report_member);
    report.as_of_named_position = true;
    return {CheckStandingNow(view, live.get()), CheckReportStandingNow(report, live.get())};
  }

  // A report as of `position`, read as `tandem report --as-of-*` reads it: the member's standing
  // now first (unless `gated` is false), then the tenant's events folded.
  std::string ReportAsOf(ReportRequest request, uint64_t position, Status* status,
                         bool gated = true) {
    std::unique_ptr<ViewSource> live = Live();
    Status s;
    if (gated) {
      s = CheckReportStandingNow(request, live.get());
      request.live = live.get();
    }

    AsOfScope scope;
    if (s.ok()) s = ReportAsOfScope(request, position, &scope);
    std::unique_ptr<ViewSource> past;
    if (s.ok()) s = FoldAsOf(world_->log(), scope, &past);
    std::string out;
    if (s.ok()) s = ReadReport(request, past.get(), &out);
    *status = s;
    return out;
  }

  // The report as of `position` from a fold of every event of the workspace (what a member's
  // report of the past folded before it was limited to the member's projects).
  std::string ReportFromTheWholeWorkspace(ReportRequest request, uint64_t position) {
    std::unique_ptr<ViewSource> live = Live();
    request.live = live.get();
    AsOfScope whole;
    whole.tenant = request.workspace;
    whole.position = position;
    whole.views = ReportViewsNeeded();
    std::unique_ptr<ViewSource> past;
    std::string out;
    Status s = FoldAsOf(world_->log(), whole, &past);
    if (s.ok()) s = ReadReport(request, past.get(), &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  // The projects of a report pivoted by project.
  static std::set<std::string> ProjectsOf(const std::string& report) {
    std::set<std::string> projects;
    const boost::json::value parsed = boost::json::parse(report);
    for (const auto& row : parsed.at("rows").as_array()) {
      projects.insert(std::string(row.at("project").as_string()));
    }
    return projects;
  }

  ScratchDir dir_;
  std::unique_ptr<ViewWorld> world_;
};

TEST_F(StandingNowTest, MemberStillStandingReadsThePastAsItWas) {
  const uint64_t before = world_->log()->LastPosition();
  const std::string then = world_->Read(Timeline("acme-admin"));
  world_->MustRun(Cmd("milestone.plan", "northwind", "pm",
                      {{"project_id", "p-acme"},
                       {"milestone_id", "later"},
                       {"title", "Later"},
                       {"planned_date", "2027-03-01"}}));
  EXPECT_EQ(world_->ReadAsOf(Timeline("acme-admin"), before), then);
}

TEST_F(StandingNowTest, RemovedMemberReadsNoViewOfThePast) {
  const uint64_t before = world_->log()->LastPosition();
  Revoke("acme-admin", "client_admin", 1);
  Status s;
  EXPECT_EQ(world_->ReadAsOf(Timeline("acme-admin"), before, &s), "");
  EXPECT_EQ(s.reason(), "view.unknown_member");
  EXPECT_EQ(s.message(), UnknownMember("northwind", "acme-admin").message());
}

TEST_F(StandingNowTest, RemovedMemberReadsNoReportOfThePast) {
  const uint64_t before = world_->log()->LastPosition();
  Revoke("acme-admin", "client_admin", 1);
  Status s;
  EXPECT_EQ(ReportAsOf(AskReport("acme-admin"), before, &s), "");
  EXPECT_EQ(s.reason(), "view.unknown_member");
}

TEST_F(StandingNowTest, ReportOfThePastCoversOnlyProjectsTheMemberStillReportsOn) {
  GrantProjectManager("staff", "p-acme", 1);
  GrantProjectManager("staff", "p-globex", 2);
  const uint64_t both = world_->log()->LastPosition();
  std::string then;
  ASSERT_TRUE(ReadReport(AskReport("staff", {"project"}), Live().get(), &then).ok());
  Revoke("staff", "project_manager", 3, "p-globex");
  Status s;
  const std::string past = ReportAsOf(AskReport("staff", {"project"}), both, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ProjectsOf(then), (std::set<std::string>{"p-acme", "p-globex"}));
  EXPECT_EQ(ProjectsOf(past), (std::set<std::string>{"p-acme"}));
}

// What a member's read of the past spanning projects folds: the workspace stream and the
// projects it sees now, nothing of the other client's projects (whose volume its time would
// otherwise tell).
TEST_F(StandingNowTest, ClientMembersReportOfThePastFoldsOnlyItsClientsProjects) {
  std::unique_ptr<ViewSource> live = Live();
  ReportRequest request = AskReport("acme-admin");
  request.live = live.get();
  AsOfScope scope;
  ASSERT_TRUE(ReportAsOfScope(request, world_->log()->LastPosition(), &scope).ok());
  ASSERT_TRUE(scope.projects.has_value());
  EXPECT_EQ(*scope.projects, std::vector<std::string>{"p-acme"});
  EXPECT_FALSE(scope.projects_are_all);
}

// A member who sees every project has the workspace's events read in one sweep: reading each
// project's stream apart would cost a point read an event and a merge, and tell it nothing more.
TEST_F(StandingNowTest, OwnersReportOfThePastReadsTheWorkspaceInOneSweep) {
  std::unique_ptr<ViewSource> live = Live();
  ReportRequest request = AskReport("owner");
  request.live = live.get();
  AsOfScope scope;
  ASSERT_TRUE(ReportAsOfScope(request, world_->log()->LastPosition(), &scope).ok());
  ASSERT_TRUE(scope.projects.has_value());
  EXPECT_EQ(*scope.projects, (std::vector<std::string>{"p-acme", "p-globex"}));
  EXPECT_TRUE(scope.projects_are_all);
}

// The sweep folds exactly the events reading each stream folds: not another workspace's, nor
// those written past the rules onto a stream that is no project's of the workspace.
TEST_F(StandingNowTest, ReportOfThePastReadInOneSweepIsTheSameAsReadStreamByStream) {
  world_->BuildFirm("southwind", "Southwind", std::string(64, 'b'));
  schema::MilestoneBlockedT blocked;
  blocked.project_id = "p-acme";
  blocked.milestone_id = "m-planned";
  blocked.reason = "written onto no project";
  AppendPastTheRules(world_.get(), schema::Audience::Internal, blocked, "notes");
  std::unique_ptr<ViewSource> live = Live();
  ReportRequest request = AskReport("owner", {"project"});
  request.now_us = LastRecordedAtUs(world_->log()) + 3'600'000'000;
  request.live = live.get();
  AsOfScope scope;
  ASSERT_TRUE(ReportAsOfScope(request, world_->log()->LastPosition(), &scope).ok());
  ASSERT_TRUE(scope.projects_are_all);
  auto report = [&](const AsOfScope& folded) {
    std::unique_ptr<ViewSource> past;
    std::string out;
    Status s = FoldAsOf(world_->log(), folded, &past);
    if (s.ok()) s = ReadReport(request, past.get(), &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  };
  const std::string swept = report(scope);
  scope.projects_are_all = false;
  EXPECT_EQ(swept, report(scope));
  EXPECT_EQ(ProjectsOf(swept), (std::set<std::string>{"p-acme", "p-globex"}));
}

TEST_F(StandingNowTest, ClientMembersActionItemsOfThePastFoldOnlyItsClientsProjects) {
  std::unique_ptr<ViewSource> live = Live();
  ViewRequest request;
  request.view = "action-items";
  request.workspace = "northwind";
  request.member = "globex-member";
  request.live = live.get();
  AsOfScope scope;
  ASSERT_TRUE(AsOfScopeFor(request, world_->log()->LastPosition(), &scope).ok());
  ASSERT_TRUE(scope.projects.has_value());
  EXPECT_EQ(*scope.projects, std::vector<std::string>{"p-globex"});
}

TEST_F(StandingNowTest, OperatorsReportOfThePastFoldsTheWholeWorkspace) {
  ReportRequest request = AskReport("");
  AsOfScope scope;
  ASSERT_TRUE(ReportAsOfScope(request, world_->log()->LastPosition(), &scope).ok());
  EXPECT_FALSE(scope.projects.has_value());
  EXPECT_EQ(scope.tenant, "northwind");
}

// Folding only the member's projects leaves its report of the past as the whole workspace's
// fold gave it.
TEST_F(StandingNowTest, ClientMembersReportOfThePastIsTheSameFoldedFromItsProjectsOnly) {
  const uint64_t before = world_->log()->LastPosition();
  world_->MustRun(Cmd("milestone.plan", "northwind", "pm",
                      {{"project_id", "p-globex"},
                       {"milestone_id", "later"},
                       {"title", "Later"},
                       {"planned_date", "2027-03-01"}}));
  Status s;
  const std::string scoped = ReportAsOf(AskReport("acme-admin", {"project"}), before, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(scoped, ReportFromTheWholeWorkspace(AskReport("acme-admin", {"project"}), before));
  EXPECT_EQ(ProjectsOf(scoped), (std::set<std::string>{"p-acme"}));
}

// Streams longer than a page are merged page by page in log order: the KPIs that pair events
// (a question and its first reply) come out as the whole workspace's fold gives them.
TEST_F(StandingNowTest, ClientMembersReportOfThePastFromLongStreamsIsTheSame) {
  for (int i = 0; i < 700; ++i) {
    for (const std::string client : {"acme", "globex"}) {
      const std::string thread = "t" + std::to_string(i % 7);
      const std::string id = client + std::to_string(i);
      for (const std::string& actor : {client + "-member", std::string("pm")}) {
        world_->MustRun(Cmd("comment.post", "northwind", actor,
                            {{"project_id", "p-" + client},
                             {"thread_id", thread},
                             {"comment_id", id + actor},
                             {"body", "a question and its answer"},
                             {"audience", "client"},
                             {"anchor", {{"kind", "project"}, {"id", "p-" + client}}}}));
      }
    }
  }
  const uint64_t before = world_->log()->LastPosition();
  Status s;
  const std::string scoped = ReportAsOf(AskReport("acme-admin"), before, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(scoped, ReportFromTheWholeWorkspace(AskReport("acme-admin"), before));
  EXPECT_NE(scoped.find("\"client_questions\":700"), std::string::npos) << scoped;
}

// A role then on a project the member no longer reads made it a reader of reports then: its
// report of the past is empty, as the whole workspace's fold gives it, not refused.
TEST_F(StandingNowTest, ManagerMovedToAnotherProjectReadsAnEmptyReportOfThePast) {
  GrantProjectManager("staff", "p-acme", 1);
  const uint64_t then = world_->log()->LastPosition();
  Revoke("staff", "project_manager", 2, "p-acme");
  GrantProjectManager("staff", "p-globex", 3);
  Status s;
  const std::string past = ReportAsOf(AskReport("staff", {"project"}), then, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(past, ReportFromTheWholeWorkspace(AskReport("staff", {"project"}), then));
  EXPECT_TRUE(ProjectsOf(past).empty());
}

TEST_F(StandingNowTest, MembersReadOfThePastWithoutTheLiveViewsIsRefused) {
  const uint64_t before = world_->log()->LastPosition();
  Revoke("acme-admin", "client_admin", 1);
  Status view, report;
  AsOfScope scope;
  ASSERT_TRUE(AsOfScopeFor(Timeline("acme-admin"), before, &scope).ok());
  std::unique_ptr<ViewSource> past;
  ASSERT_TRUE(FoldAsOf(world_->log(), scope, &past).ok());
  std::string out;
  view = ReadView(Timeline("acme-admin"), past.get(), &out);
  ReportAsOf(AskReport("acme-admin"), before, &report, /*gated=*/false);
  EXPECT_EQ(view.reason(), "view.standing_unknown");
  EXPECT_EQ(report.reason(), "view.standing_unknown");
}

TEST_F(StandingNowTest, MemberNoLongerAllowedReportsReadsNoReportOfThePast) {
  GrantProjectManager("staff", "p-acme", 1);
  const uint64_t managing = world_->log()->LastPosition();
  Revoke("staff", "project_manager", 2, "p-acme");
  Status s;
  ReportAsOf(AskReport("staff"), managing, &s);
  EXPECT_EQ(s.reason(), "report.not_permitted");
}

TEST_F(StandingNowTest, MemberNamingAPositionIsRefusedOnItsStandingAlone) {
  const auto [view, report] = NamingAPosition("acme-admin", "acme-admin");
  EXPECT_EQ(view.reason(), "view.position_not_allowed");
  EXPECT_EQ(report.reason(), "view.position_not_allowed");
}

TEST_F(StandingNowTest, FirmMemberNamingAPositionIsRefusedToo) {
  // Positions count every tenant's events: the firm of one tenant would gauge the others' activity.
  const auto [view, report] = NamingAPosition("pm", "owner");
  EXPECT_EQ(view.reason(), "view.position_not_allowed");
  EXPECT_EQ(report.reason(), "view.position_not_allowed");
}

TEST_F(StandingNowTest, OperatorNamingAPositionStands) {
  const auto [view, report] = NamingAPosition("", "");
  EXPECT_TRUE(view.ok()) << view.ToString();
  EXPECT_TRUE(report.ok()) << report.ToString();
}

TEST_F(StandingNowTest, NamingAMemberMakesAMissingWorkspaceAnUnknownMember) {
  Status missing, other;
  world_->Read(Timeline("acme-admin", "nowhere"), &missing);
  world_->Read(Timeline("acme-admin", "contoso"), &other);  // exists; not hers
  EXPECT_EQ(missing.reason(), "view.unknown_member");
  EXPECT_EQ(missing.message(), UnknownMember("nowhere", "acme-admin").message());
  EXPECT_EQ(other.message(), UnknownMember("contoso", "acme-admin").message());
}

TEST_F(StandingNowTest, NamingAMemberInAReportMakesAMissingWorkspaceAnUnknownMember) {
  ReportRequest r = AskReport("acme-admin");
  r.workspace = "nowhere";
  std::string out;
  const Status s = ReadReport(r, Live().get(), &out);
  EXPECT_EQ(s.reason(), "view.unknown_member");
  EXPECT_EQ(s.message(), UnknownMember("nowhere", "acme-admin").message());
}

}  // namespace
}  // namespace tandem::test
