// Workspaces, members and roles, branding and report links.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

class MembershipRulesTest : public StandardWorldTest {};

TEST_F(MembershipRulesTest, CreatorOfAWorkspaceBecomesItsOwner) {
  ASSERT_TRUE(world_->Run(Cmd("workspace.create", "initech", "bill", {{"name", "Initech"}})).ok());
  EXPECT_TRUE(
      world_->Run(Cmd("client.add", "initech", "bill", {{"client_id", "c"}, {"name", "C"}})).ok());
}

TEST_F(MembershipRulesTest, CreatingAnExistingWorkspaceIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(
      world_->Run(Cmd("workspace.create", "northwind", "mallory", {{"name", "Mine now"}})),
      "workspace.exists", before);
}

TEST_F(MembershipRulesTest, ClientRoleNeedsAClientAndInternalRoleNone) {
  const uint64_t before = Position();
  ExpectRejected(Run("member.invite", "owner",
                     {{"member_id", "x"},
                      {"email", "x@y.z"},
                      {"display_name", "X"},
                      {"role", "client_member"}}),
                 "member.client_required", before);
  ExpectRejected(Run("member.invite", "owner",
                     {{"member_id", "x"},
                      {"email", "x@y.z"},
                      {"display_name", "X"},
                      {"role", "staff"},
                      {"client_id", "acme"}}),
                 "member.client_not_allowed", before);
}

TEST_F(MembershipRulesTest, ClientAdminCannotCreateInternalPeople) {
  const uint64_t before = Position();
  ExpectDenied(
      Run("member.invite", "acme-admin",
          {{"member_id", "x"}, {"email", "x@y.z"}, {"display_name", "X"}, {"role", "owner"}}),
      "role.internal_role_needs_owner", before);
}

TEST_F(MembershipRulesTest, ClientAdminCannotTouchAnotherClientsPeople) {
  const uint64_t before = Position();
  ExpectDenied(
      Run("role.grant", "acme-admin",
          {{"member_id", "globex-viewer"}, {"role", "client_admin"}, {"expected_version", 1}}),
      "scope.not_visible", before);
}

TEST_F(MembershipRulesTest, LastOwnerCannotBeRevoked) {
  const uint64_t before = Position();
  ExpectRejected(Run("role.revoke", "owner",
                     {{"member_id", "owner"}, {"role", "owner"}, {"expected_version", 1}}),
                 "member.last_owner", before);
}

TEST_F(MembershipRulesTest, RevokedMemberCanNoLongerAct) {
  ASSERT_TRUE(Run("role.revoke", "owner",
                  {{"member_id", "staff"}, {"role", "staff"}, {"expected_version", 1}})
                  .ok());
  const uint64_t before = Position();
  ExpectDenied(
      Run("milestone.start", "staff",
          {{"project_id", "p-acme"}, {"milestone_id", "m-planned"}, {"expected_version", 1}}),
      "role.forbidden", before);
}

TEST_F(MembershipRulesTest, RevokedMemberLosesTheRolesItHeldOnProjects) {
  ASSERT_TRUE(Run("role.grant", "owner",
                  {{"member_id", "acme-member"},
                   {"role", "client_admin"},
                   {"project_id", "p-acme"},
                   {"expected_version", 1}})
                  .ok());
  ASSERT_TRUE(
      Run("role.revoke", "owner",
          {{"member_id", "acme-member"}, {"role", "client_member"}, {"expected_version", 2}})
          .ok());
  const uint64_t before = Position();
  ExpectDenied(Run("comment.post", "acme-member",
                   {{"project_id", "p-acme"},
                    {"thread_id", "t-client"},
                    {"comment_id", "x"},
                    {"body", "still here"}}),
               "role.forbidden", before);
  ExpectDenied(Run("report_link.issue", "acme-member",
                   {{"project_id", "p-acme"},
                    {"link_id", "l2"},
                    {"report", "timeline"},
                    {"expires_at_us", kTestNowUs + kDayUs},
                    {"token_sha256", std::string(64, 'c')}}),
               "role.forbidden", before);
}

TEST_F(MembershipRulesTest, RegrantedWorkspaceRoleDoesNotBringBackProjectRoles) {
  ASSERT_TRUE(Run("role.grant", "owner",
                  {{"member_id", "staff"},
                   {"role", "project_manager"},
                   {"project_id", "p-acme"},
                   {"expected_version", 1}})
                  .ok());
  ASSERT_TRUE(Run("role.revoke", "owner",
                  {{"member_id", "staff"}, {"role", "staff"}, {"expected_version", 2}})
                  .ok());
  ASSERT_TRUE(Run("role.grant", "owner",
                  {{"member_id", "staff"}, {"role", "staff"}, {"expected_version", 3}})
                  .ok());
  const uint64_t before = Position();
  ExpectDenied(Run("milestone.plan", "staff",
                   {{"project_id", "p-acme"},
                    {"milestone_id", "m-x"},
                    {"title", "X"},
                    {"planned_date", "2027-06-01"}}),
               "role.forbidden", before);
}

TEST_F(MembershipRulesTest, ProjectRoleNeedsAWorkspaceRole) {
  ASSERT_TRUE(Run("role.revoke", "owner",
                  {{"member_id", "staff"}, {"role", "staff"}, {"expected_version", 1}})
                  .ok());
  const uint64_t before = Position();
  ExpectRejected(Run("role.grant", "owner",
                     {{"member_id", "staff"},
                      {"role", "project_manager"},
                      {"project_id", "p-acme"},
                      {"expected_version", 2}}),
                 "role.needs_workspace_role", before);
}

TEST_F(MembershipRulesTest, BrandingLogoMustBeAFileSharedWithTheClient) {
  ASSERT_TRUE(Run("file.upload", "pm",
                  {{"project_id", "p-acme"},
                   {"name", "margins.xlsx"},
                   {"file_id", "margins"},
                   {"content_base64", "c2VjcmV0"}})
                  .ok());
  const uint64_t before = Position();
  auto brand = [&](const std::string& actor, const std::string& logo) {
    return Run("branding.set", actor,
               {{"client_id", "acme"}, {"display_name", "ACME"}, {"logo_file_id", logo}});
  };
  ExpectDenied(brand("acme-admin", "p-acme:margins"), "scope.not_visible", before);
  ExpectRejected(brand("pm", "p-acme:margins"), "branding.logo_not_shared", before);
  // Another client's shared file is no logo for acme either.
  ExpectDenied(brand("acme-admin", "p-globex:brief"), "scope.not_visible", before);
  EXPECT_EQ(brand("pm", "p-globex:brief").reason(), "file.not_found");
  CommandResult r;
  ASSERT_TRUE(
      Run("branding.set", "acme-admin",
          {{"client_id", "acme"}, {"display_name", "ACME"}, {"logo_file_id", "p-acme:brief"}}, &r)
          .ok());
  EXPECT_EQ(r.events.at(0).event().payload_as_BrandingSet()->logo_file_id()->str(), "p-acme:brief");
}

TEST_F(MembershipRulesTest, ProjectRoleOverridesTheWorkspaceRoleOnThatProjectOnly) {
  ASSERT_TRUE(Run("role.grant", "owner",
                  {{"member_id", "staff"},
                   {"role", "project_manager"},
                   {"project_id", "p-acme"},
                   {"expected_version", 1}})
                  .ok());
  const boost::json::object plan{
      {"milestone_id", "m-x"}, {"title", "X"}, {"planned_date", "2027-06-01"}};
  auto on = [&](const char* project) {
    boost::json::object f = plan;
    f["project_id"] = project;
    return Run("milestone.plan", "staff", f);
  };
  EXPECT_TRUE(on("p-acme").ok());
  EXPECT_TRUE(on("p-globex").IsPermissionDenied());
}

TEST_F(MembershipRulesTest, RevokingARoleNotHeldIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Run("role.revoke", "owner",
                     {{"member_id", "staff"}, {"role", "auditor"}, {"expected_version", 1}}),
                 "role.not_held", before);
}

TEST_F(MembershipRulesTest, BrandingChangeNeedsTheBrandingVersion) {
  ASSERT_TRUE(
      Run("branding.set", "acme-admin", {{"client_id", "acme"}, {"display_name", "ACME"}}).ok());
  EXPECT_EQ(Run("branding.set", "acme-admin", {{"client_id", "acme"}, {"display_name", "Acme Inc"}})
                .reason(),
            "command.expected_version_required");
  EXPECT_TRUE(Run("branding.set", "acme-admin",
                  {{"client_id", "acme"}, {"display_name", "Acme Inc"}, {"expected_version", 1}})
                  .ok());
}

TEST_F(MembershipRulesTest, FirstBrandingExpectingAVersionIsRefusedAndSetsNothing) {
  const uint64_t before = Position();
  ExpectStale(Run("branding.set", "acme-admin",
                  {{"client_id", "acme"}, {"display_name", "ACME"}, {"expected_version", 1}}),
              before);
  EXPECT_TRUE(Run("branding.set", "acme-admin",
                  {{"client_id", "acme"}, {"display_name", "ACME"}, {"expected_version", 0}})
                  .ok());
}

TEST_F(MembershipRulesTest, ReportLinkExpiryMustBeInTheFuture) {
  const uint64_t before = Position();
  ExpectRejected(Run("report_link.issue", "pm",
                     {{"project_id", "p-acme"},
                      {"link_id", "l2"},
                      {"report", "timeline"},
                      {"expires_at_us", kTestNowUs - 1},
                      {"token_sha256", std::string(64, 'c')}}),
                 "report_link.expiry_in_past", before);
}

TEST_F(MembershipRulesTest, RevokingARevokedLinkIsRejected) {
  ASSERT_TRUE(Run("report_link.revoke", "pm",
                  {{"project_id", "p-acme"}, {"link_id", "rl"}, {"expected_version", 1}})
                  .ok());
  const uint64_t before = Position();
  ExpectRejected(Run("report_link.revoke", "pm",
                     {{"project_id", "p-acme"}, {"link_id", "rl"}, {"expected_version", 2}}),
                 "report_link.already_revoked", before);
}

TEST_F(MembershipRulesTest, ClientAdminCannotIssueInternalLinks) {
  const uint64_t before = Position();
  ExpectDenied(Run("report_link.issue", "acme-admin",
                   {{"project_id", "p-acme"},
                    {"link_id", "l2"},
                    {"report", "kpi"},
                    {"audience", "internal"},
                    {"expires_at_us", kTestNowUs + kDayUs},
                    {"token_sha256", std::string(64, 'c')}}),
               "scope.internal_audience", before);
}

}  // namespace
}  // namespace tandem::test
