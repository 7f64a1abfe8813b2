// Report links: a link's secret resolves to its project's report, scoped like the link, until
// it expires or is revoked; nothing else resolves.
#include <gtest/gtest.h>

#include "report_support.h"

namespace tandem::test {
namespace {

// SHA-256 of the secrets (the domain stores only these).
constexpr const char* kClientSecret = "acme-link-secret";
constexpr const char* kClientSha =
    "4c6b11205ca0c2b6ecc7bc3769bf797284da682208bf376599c0514bdf6074eb";
constexpr const char* kInternalSecret = "internal-link-secret";
constexpr const char* kInternalSha =
    "f3ab25342699962a4d0f2743febd2c533865f50f93c7672a979f1751f00ded6b";

class ReportLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<ViewWorld>(dir_.path());
    world_->BuildStandard();
    ReportStory(world_.get()).Tell();
  }

  void Issue(const std::string& link, const std::string& sha, const std::string& audience,
             const std::string& workspace = "northwind", const std::string& actor = "pm",
             const std::string& project = "p-acme") {
    world_->MustRun(Cmd("report_link.issue", workspace, actor,
                        {{"project_id", project},
                         {"link_id", link},
                         {"report", "kpis"},
                         {"expires_at_us", kTestNowUs + kDayUs},
                         {"token_sha256", sha},
                         {"audience", audience}}));
  }

  // `type` is role.grant or role.revoke, by the owner.
  void Role(const std::string& type, const std::string& member, const std::string& role,
            int64_t expected_version, const std::string& project = "") {
    boost::json::object fields{
        {"member_id", member}, {"role", role}, {"expected_version", expected_version}};
    if (!project.empty()) fields["project_id"] = project;
    world_->MustRun(Cmd(type, "northwind", "owner", std::move(fields)));
  }

  std::unique_ptr<ViewSource> Live() {
    world_->CatchUp();
    std::unique_ptr<ViewSource> source;
    EXPECT_TRUE(OpenLiveViewSource(world_->store(), &source).ok());
    return source;
  }

  // The report behind `token` read at `now_us`, pivoted by `by`.
  std::string ByLink(const std::string& token, Status* status, int64_t now_us = kTestNowUs,
                     std::vector<std::string> by = {}) {
    ReportRequest r;
    r.by = std::move(by);
    r.now_us = now_us;
    r.now_date = kReportDay;
    std::string out;
    *status = ReadReportByLink(token, r, Live().get(), &out);
    return out;
  }

  boost::json::object AsMember(const ReportRequest& request) {
    std::string out;
    Status s = ReadReport(request, Live().get(), &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return boost::json::parse(out).as_object();
  }

  ScratchDir dir_;
  std::unique_ptr<ViewWorld> world_;
};

TEST_F(ReportLinkTest, ClientLinkShowsWhatTheClientsAdminSees) {
  Issue("share", kClientSha, "client");
  Status s;
  const std::string text = ByLink(kClientSecret, &s, kTestNowUs, {"project"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(text.find("INTERNAL-MARKER"), std::string::npos);
  const auto link = boost::json::parse(text).as_object();
  const auto admin = AsMember(AskReport("acme-admin", {"project"}));  // acme has one project
  EXPECT_EQ(link.at("rows"), admin.at("rows"));
  EXPECT_EQ(link.at("total"), admin.at("total"));
  EXPECT_EQ(link.at("audience"), "client");
  EXPECT_EQ(link.at("link").at("project"), "p-acme");
  EXPECT_FALSE(link.contains("as_of_position"));
}

TEST_F(ReportLinkTest, InternalLinkShowsItsProjectAsTheFirmSeesIt) {
  Issue("internal", kInternalSha, "internal");
  Status s;
  const auto link = boost::json::parse(ByLink(kInternalSecret, &s, kTestNowUs, {"project"}));
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto owner = AsMember(AskReport("owner", {"project"}));
  ASSERT_EQ(link.at("rows").as_array().size(), 1u);
  for (const auto& row : owner.at("rows").as_array()) {
    if (row.at("project") == "p-acme") {
      EXPECT_EQ(link.at("rows").at(0), row);
    }
  }
  EXPECT_TRUE(link.at("total").as_object().contains("card_cycle_mean_seconds"));
}

TEST_F(ReportLinkTest, ExpiredLinkIsRefused) {
  Issue("share", kClientSha, "client");
  Status s;
  ByLink(kClientSecret, &s, kTestNowUs + kDayUs);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.reason(), "report_link.expired");
}

TEST_F(ReportLinkTest, RevokedLinkIsRefused) {
  Issue("share", kClientSha, "client");
  world_->MustRun(Cmd("report_link.revoke", "northwind", "pm",
                      {{"project_id", "p-acme"}, {"link_id", "share"}, {"expected_version", 1}}));
  Status s;
  ByLink(kClientSecret, &s);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.reason(), "report_link.revoked");
}

TEST_F(ReportLinkTest, UnknownTokensAreRefusedAlike) {
  Issue("share", kClientSha, "client");
  Status unknown, empty, hash;
  ByLink("guess", &unknown);
  ByLink("", &empty);
  ByLink(kClientSha, &hash);  // the stored hash is not the secret
  for (const Status& s : {unknown, empty, hash}) {
    EXPECT_TRUE(s.IsNotFound());
    EXPECT_EQ(s.reason(), "report_link.invalid");
    EXPECT_EQ(s.message(), unknown.message());
  }
}

TEST_F(ReportLinkTest, AnotherTenantReusingTheHashCannotTakeTheLinkOver) {
  Issue("share", kClientSha, "client");
  world_->MustRun(Cmd("project.create", "contoso", "contoso-owner",
                      {{"project_id", "p-c"}, {"client_id", "acme"}, {"name", "C"}}));
  Issue("steal", kClientSha, "client", "contoso", "contoso-owner", "p-c");
  Status s;
  const auto link = boost::json::parse(ByLink(kClientSecret, &s));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(link.at("workspace"), "northwind");
  EXPECT_EQ(link.at("link").at("project"), "p-acme");
  // Revoking the other tenant's copy does not touch the first link either.
  world_->MustRun(Cmd("report_link.revoke", "contoso", "contoso-owner",
                      {{"project_id", "p-c"}, {"link_id", "steal"}, {"expected_version", 1}}));
  ByLink(kClientSecret, &s);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(ReportLinkTest, LinkOfAClientAdminWhoLostTheRoleIsRefusedAsRevoked) {
  Issue("share", kClientSha, "client", "northwind", "acme-admin");
  Status s;
  ByLink(kClientSecret, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  world_->MustRun(
      Cmd("role.revoke", "northwind", "owner",
          {{"member_id", "acme-admin"}, {"role", "client_admin"}, {"expected_version", 1}}));
  ByLink(kClientSecret, &s);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.reason(), "report_link.revoked");
}

TEST_F(ReportLinkTest, LinkOfAManagerWhoseProjectGrantWasRevokedIsRefusedAsRevoked) {
  Role("role.grant", "staff", "project_manager", 1, "p-acme");
  Issue("share", kInternalSha, "internal", "northwind", "staff");
  Status s;
  ByLink(kInternalSecret, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Role("role.revoke", "staff", "project_manager", 2, "p-acme");
  ByLink(kInternalSecret, &s);
  EXPECT_EQ(s.reason(), "report_link.revoked");
}

TEST_F(ReportLinkTest, LinkRevokedByItsIssuersLossStaysRevokedWhenTheRoleComesBack) {
  Issue("share", kClientSha, "client", "northwind", "acme-admin");
  world_->MustRun(
      Cmd("role.revoke", "northwind", "owner",
          {{"member_id", "acme-admin"}, {"role", "client_admin"}, {"expected_version", 1}}));
  world_->MustRun(
      Cmd("role.grant", "northwind", "owner",
          {{"member_id", "acme-admin"}, {"role", "client_admin"}, {"expected_version", 2}}));
  Status s;
  ByLink(kClientSecret, &s);
  EXPECT_EQ(s.reason(), "report_link.revoked");
}

TEST_F(ReportLinkTest, LinkOfAManagerPromotedAfterLosingTheProjectStaysRevoked) {
  Role("role.grant", "staff", "project_manager", 1, "p-acme");
  Issue("share", kInternalSha, "internal", "northwind", "staff");
  Role("role.revoke", "staff", "project_manager", 2, "p-acme");
  world_->MustRun(
      Cmd("role.grant", "northwind", "owner",
          {{"member_id", "staff"}, {"role", "project_manager"}, {"expected_version", 3}}));
  Status s;
  ByLink(kInternalSecret, &s);
  EXPECT_EQ(s.reason(), "report_link.revoked");
}

TEST_F(ReportLinkTest, IssuersUnrelatedRoleChangeKeepsTheLink) {
  Issue("share", kClientSha, "client", "northwind", "acme-admin");
  Role("role.grant", "acme-admin", "client_admin", 1, "p-acme");
  Status s;
  ByLink(kClientSecret, &s);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// Only a write past the domain's rules (`tandem append`) can issue a link on a project that does
// not exist yet; creating the project later must not bring the link to life.
TEST_F(ReportLinkTest, ForgedLinkOnAProjectCreatedLaterStaysRevoked) {
  schema::ReportLinkIssuedT forged;
  forged.link_id = "early";
  forged.project_id = "p-later";
  forged.report = "kpis";
  forged.expires_at_us = kTestNowUs + kDayUs;
  forged.token_sha256 = kClientSha;
  NewEvent e;
  e.actor = "acme-admin";
  e.audience = schema::Audience::Client;
  e.payload.Set(std::move(forged));
  AppendResult r;
  ASSERT_TRUE(
      world_->log()
          ->Append(ProjectStream("northwind", "p-later"), ExpectedVersion::Any(), {e}, "", &r)
          .ok());
  world_->MustRun(Cmd("project.create", "northwind", "pm",
                      {{"project_id", "p-later"}, {"client_id", "acme"}, {"name", "Later"}}));
  Status s;
  ByLink(kClientSecret, &s);
  EXPECT_EQ(s.reason(), "report_link.revoked");
}

TEST_F(ReportLinkTest, LinkIsNotReadFromThePast) {
  Issue("share", kClientSha, "client");
  const uint64_t issued = world_->log()->LastPosition();
  world_->MustRun(Cmd("report_link.revoke", "northwind", "pm",
                      {{"project_id", "p-acme"}, {"link_id", "share"}, {"expected_version", 1}}));
  AsOfScope scope;
  scope.tenant = "northwind";
  scope.position = issued;
  scope.views = ReportViewsNeeded();
  std::unique_ptr<ViewSource> past;
  ASSERT_TRUE(FoldAsOf(world_->log(), scope, &past).ok());
  ReportRequest r;
  r.now_us = kTestNowUs;
  std::string out;
  EXPECT_EQ(ReadReportByLink(kClientSecret, r, past.get(), &out).reason(), "report_link.live_only");
}

}  // namespace
}  // namespace tandem::test
