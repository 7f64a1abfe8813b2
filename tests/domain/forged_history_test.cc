// Histories written past the rules (`tandem append` writes any event): folding them never
// crashes a command and never shares, creates or empowers anything the events do not fully
// establish. Each test appends a forged event, then checks what a command makes of it.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

using boost::json::object;
using schema::Audience;

class ForgedHistoryTest : public StandardWorldTest {
 protected:
  template <typename PayloadT>
  void Forge(const StreamId& stream, Audience audience, PayloadT payload) {
    NewEvent e;
    e.actor = "mallory";
    e.audience = audience;
    e.payload.Set(std::move(payload));
    AppendResult r;
    ASSERT_TRUE(world_->log()->Append(stream, ExpectedVersion::Any(), {e}, "", &r).ok());
  }
  template <typename PayloadT>
  void ForgeOnProject(Audience audience, PayloadT payload) {
    Forge(ProjectStream("northwind", "p-acme"), audience, std::move(payload));
  }
  template <typename PayloadT>
  void ForgeOnWorkspace(Audience audience, PayloadT payload) {
    Forge(WorkspaceStream("northwind"), audience, std::move(payload));
  }

  // A client member starting a thread anchored on `anchor`.
  Status ClientThreadOn(const std::string& kind, const std::string& id) {
    return Run("comment.post", "acme-member",
               {{"project_id", "p-acme"},
                {"thread_id", "t-new"},
                {"comment_id", "c-new"},
                {"body", "hi"},
                {"anchor", object{{"kind", kind}, {"id", id}}}});
  }
};

TEST_F(ForgedHistoryTest, ClientBoardWithoutColumnsRefusesCardsInsteadOfCrashing) {
  schema::WorkflowConfiguredT board;
  board.project_id = "p-acme";
  board.board_id = "bare";
  board.board_audience = Audience::Client;
  ForgeOnProject(Audience::Client, board);
  const uint64_t before = Position();
  ExpectRejected(
      Run("card.create", "acme-member",
          {{"project_id", "p-acme"}, {"board_id", "bare"}, {"card_id", "k"}, {"title", "Ask"}}),
      "board.no_columns", before);
}

TEST_F(ForgedHistoryTest, MilestoneChangedButNeverPlannedDoesNotExist) {
  ForgeOnProject(Audience::Client, schema::MilestoneStartedT{{}, "p-acme", "m-ghost"});
  const uint64_t before = Position();
  ExpectDenied(ClientThreadOn("milestone", "m-ghost"), "scope.not_visible", before);
  Status s = Run("milestone.complete", "pm",
                 {{"project_id", "p-acme"},
                  {"milestone_id", "m-ghost"},
                  {"expected_version", 1},
                  {"completed_date", "2027-01-01"}});
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.reason(), "milestone.not_found");
}

TEST_F(ForgedHistoryTest, MilestonePlannedInternallyStaysInternal) {
  schema::MilestonePlannedT m;
  m.project_id = "p-acme";
  m.milestone_id = "m-secret";
  m.title = "Secret";
  ForgeOnProject(Audience::Internal, m);
  const uint64_t before = Position();
  ExpectDenied(ClientThreadOn("milestone", "m-secret"), "scope.not_visible", before);
}

TEST_F(ForgedHistoryTest, ReportLinkIsSharedOnlyIfTheEventIsToo) {
  // The payload's audience defaults to Client; the event says Internal.
  schema::ReportLinkIssuedT link;
  link.link_id = "rl-internal";
  link.project_id = "p-acme";
  ForgeOnProject(Audience::Internal, link);
  const uint64_t before = Position();
  ExpectDenied(Run("report_link.revoke", "acme-admin",
                   {{"project_id", "p-acme"}, {"link_id", "rl-internal"}, {"expected_version", 1}}),
               "scope.not_visible", before);
}

TEST_F(ForgedHistoryTest, ReportLinkRevokedButNeverIssuedDoesNotExist) {
  ForgeOnProject(Audience::Client, schema::ReportLinkRevokedT{{}, "rl-ghost", "p-acme", "x"});
  const uint64_t before = Position();
  ExpectDenied(Run("report_link.revoke", "acme-admin",
                   {{"project_id", "p-acme"}, {"link_id", "rl-ghost"}, {"expected_version", 1}}),
               "scope.not_visible", before);
}

TEST_F(ForgedHistoryTest, ApprovalRequestedInternallyCannotBeAnswered) {
  schema::ApprovalRequestedT approval;
  approval.project_id = "p-acme";
  approval.approval_id = "ap-internal";
  approval.requested_from = "acme-member";
  ForgeOnProject(Audience::Internal, approval);
  const uint64_t before = Position();
  ExpectDenied(
      Run("approval.grant", "acme-member",
          {{"project_id", "p-acme"}, {"approval_id", "ap-internal"}, {"expected_version", 1}}),
      "scope.not_visible", before);
}

TEST_F(ForgedHistoryTest, CommentThatDisagreesWithItsThreadIsNotInIt) {
  schema::CommentPostedT c;
  c.project_id = "p-acme";
  c.thread_id = "t-client";
  c.comment_id = "c-internal";
  c.thread_audience = Audience::Client;
  c.body = "secret";
  ForgeOnProject(Audience::Internal, c);
  const uint64_t before = Position();
  ExpectRejected(Run("comment.post", "acme-member",
                     {{"project_id", "p-acme"},
                      {"thread_id", "t-client"},
                      {"comment_id", "x"},
                      {"body", "re"},
                      {"reply_to", "c-internal"}}),
                 "comment.reply_to_unknown", before);
}

TEST_F(ForgedHistoryTest, RoleGrantedToSomeoneNeverInvitedMakesNoMember) {
  schema::RoleGrantedT grant;
  grant.member_id = "ghost";
  grant.role = schema::Role::Owner;
  ForgeOnWorkspace(Audience::Internal, grant);
  const uint64_t before = Position();
  ExpectDenied(Run("client.add", "ghost", {{"client_id", "initech"}, {"name", "Initech"}}),
               "actor.not_member", before);
}

TEST_F(ForgedHistoryTest, ClientPersonGivenAFirmRoleCanDoNothing) {
  schema::RoleGrantedT grant;
  grant.member_id = "acme-member";
  grant.role = schema::Role::Owner;
  ForgeOnWorkspace(Audience::Client, grant);
  const uint64_t before = Position();
  ExpectDenied(Run("client.add", "acme-member", {{"client_id", "initech"}, {"name", "Initech"}}),
               "role.forbidden", before);
}

TEST_F(ForgedHistoryTest, SecondInvitationCannotMoveAPersonToTheFirm) {
  schema::MemberInvitedT invite;
  invite.member_id = "acme-admin";
  invite.role = schema::Role::Owner;  // no client: a person of the firm
  ForgeOnWorkspace(Audience::Internal, invite);
  const uint64_t before = Position();
  ExpectDenied(Run("client.add", "acme-admin", {{"client_id", "initech"}, {"name", "Initech"}}),
               "role.forbidden", before);
}

TEST_F(ForgedHistoryTest, SecondProjectCreationCannotHandTheProjectToAnotherClient) {
  ForgeOnProject(Audience::Client, schema::ProjectCreatedT{{}, "p-acme", "globex", "Mine", ""});
  const uint64_t before = Position();
  ExpectDenied(Run("comment.post", "globex-member",
                   {{"project_id", "p-acme"},
                    {"thread_id", "t-client"},
                    {"comment_id", "c-new"},
                    {"body", "hi"}}),
               "scope.not_visible", before);
}

}  // namespace
}  // namespace tandem::test
