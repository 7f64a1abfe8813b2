// Approvals: requested from a client-side member on something shared, answered once, by that
// member or an admin of the same client.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

using boost::json::object;

class ApprovalRulesTest : public StandardWorldTest {
 protected:
  Status Answer(const std::string& type, const std::string& actor, uint64_t expected) {
    return Run(type, actor,
               {{"project_id", "p-acme"},
                {"approval_id", "ap"},
                {"expected_version", expected},
                {"comment", "looks good"}});
  }
};

TEST_F(ApprovalRulesTest, ApprovingWhatWasNotRequestedIsNotAllowed) {
  const uint64_t before = Position();
  ExpectDenied(Run("approval.grant", "acme-member",
                   {{"project_id", "p-acme"}, {"approval_id", "never"}, {"expected_version", 1}}),
               "scope.not_visible", before);
}

TEST_F(ApprovalRulesTest, AnsweringTwiceIsRejected) {
  ASSERT_TRUE(Answer("approval.grant", "acme-member", 1).ok());
  const uint64_t before = Position();
  ExpectRejected(Answer("approval.reject", "acme-member", 2), "approval.already_answered", before);
}

TEST_F(ApprovalRulesTest, OnlyTheRequestedMemberOrTheirAdminAnswers) {
  ASSERT_TRUE(Run("member.invite", "owner",
                  {{"member_id", "acme-member2"},
                   {"email", "m2@acme.io"},
                   {"display_name", "M2"},
                   {"role", "client_member"},
                   {"client_id", "acme"}})
                  .ok());
  const uint64_t before = Position();
  ExpectDenied(Answer("approval.grant", "acme-member2", 1), "approval.not_requested_from_actor",
               before);
  EXPECT_TRUE(Answer("approval.grant", "acme-admin", 1).ok());
}

TEST_F(ApprovalRulesTest, RequestMustGoToAClientMemberOfTheProject) {
  const uint64_t before = Position();
  for (const char* who : {"staff", "globex-member", "acme-viewer"}) {
    SCOPED_TRACE(who);
    ExpectRejected(Run("approval.request", "pm",
                       {{"project_id", "p-acme"},
                        {"approval_id", "ap2"},
                        {"subject", object{{"kind", "milestone"}, {"id", "m-planned"}}},
                        {"title", "OK?"},
                        {"requested_from", who}}),
                   "approval.requested_from_not_client", before);
  }
}

TEST_F(ApprovalRulesTest, InternalThingsCannotBeSubmittedForApproval) {
  const uint64_t before = Position();
  ExpectRejected(Run("approval.request", "pm",
                     {{"project_id", "p-acme"},
                      {"approval_id", "ap2"},
                      {"subject", object{{"kind", "card"}, {"id", "ic"}}},
                      {"title", "OK?"},
                      {"requested_from", "acme-member"}}),
                 "approval.subject_not_shared", before);
}

TEST_F(ApprovalRulesTest, RejectionNeedsAComment) {
  Status s = Run("approval.reject", "acme-member",
                 {{"project_id", "p-acme"}, {"approval_id", "ap"}, {"expected_version", 1}});
  EXPECT_EQ(s.reason(), "command.missing_field") << s.ToString();
}

}  // namespace
}  // namespace tandem::test
