// Tenant isolation is structural: a workspace's commands read and write only that workspace's
// streams, so another firm's ids lead nowhere, even forged.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

class TenantIsolationTest : public StandardWorldTest {};

TEST_F(TenantIsolationTest, MemberOfAnotherWorkspaceIsNotAMemberHere) {
  const uint64_t before = Position();
  ExpectDenied(world_->Run(Cmd("milestone.plan", "northwind", "contoso-owner",
                               {{"project_id", "p-acme"},
                                {"milestone_id", "m"},
                                {"title", "T"},
                                {"planned_date", "2027-01-01"}})),
               "actor.not_member", before);
}

TEST_F(TenantIsolationTest, ForgedProjectIdInOwnWorkspaceFindsNothing) {
  // contoso also has a client "acme", but p-acme exists only in northwind.
  Status s = world_->Run(
      Cmd("milestone.start", "contoso", "contoso-owner",
          {{"project_id", "p-acme"}, {"milestone_id", "m-planned"}, {"expected_version", 1}}));
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

TEST_F(TenantIsolationTest, ForgedProjectIdIsInvisibleToClientSideMembers) {
  Status s = world_->Run(Cmd("comment.post", "contoso", "contoso-client_member",
                             {{"project_id", "p-acme"},
                              {"thread_id", "t-client"},
                              {"comment_id", "x"},
                              {"body", "hello?"}}));
  EXPECT_EQ(s.reason(), "scope.not_visible") << s.ToString();
}

TEST_F(TenantIsolationTest, UnknownWorkspaceAnswersLikeANonMember) {
  Status s =
      world_->Run(Cmd("client.add", "nosuchfirm", "owner", {{"client_id", "c"}, {"name", "C"}}));
  EXPECT_EQ(s.reason(), "actor.not_member") << s.ToString();
}

TEST_F(TenantIsolationTest, SameCommandIdInAnotherWorkspaceIsIndependent) {
  ASSERT_TRUE(world_
                  ->Run(Cmd("client.add", "northwind", "owner",
                            {{"client_id", "c1"}, {"name", "C"}, {"command_id", "same"}}))
                  .ok());
  CommandResult r;
  ASSERT_TRUE(world_
                  ->Run(Cmd("client.add", "contoso", "contoso-owner",
                            {{"client_id", "c1"}, {"name", "C"}, {"command_id", "same"}}),
                        &r)
                  .ok());
  EXPECT_FALSE(r.deduplicated);
  EXPECT_EQ(r.stream.tenant, "contoso");
}

}  // namespace
}  // namespace tandem::test
