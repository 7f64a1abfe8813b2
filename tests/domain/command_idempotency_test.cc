// A command retried with the same command id is answered with the first attempt's events and
// writes nothing, for every command type, even when its rules would now refuse it.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

class CommandIdempotencyTest : public StandardWorldTest,
                               public ::testing::WithParamInterface<CommandType> {};

TEST_P(CommandIdempotencyTest, RetryReturnsTheFirstEventsAndWritesNothing) {
  const std::string type(CommandTypeName(GetParam()));
  boost::json::object fields;
  std::string workspace = "northwind";
  std::string actor = AllowedActor(type);
  if (GetParam() == CommandType::kCreateWorkspace) {
    workspace = "initech";
    actor = "bill";
    fields = {{"name", "Initech"}};
  } else {
    fields = boost::json::parse(StandardCommandFields(type, "acme")).as_object();
  }
  fields["command_id"] = "retry-me";
  const std::string command = Cmd(type, workspace, actor, fields);

  CommandResult first;
  ASSERT_TRUE(world_->Run(command, &first).ok());
  ASSERT_FALSE(first.deduplicated);
  ASSERT_FALSE(first.events.empty());
  const uint64_t after_first = world_->log()->LastPosition();

  CommandResult retry;
  Status s = world_->Run(command, &retry);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(retry.deduplicated);
  ASSERT_EQ(retry.events.size(), first.events.size());
  for (size_t i = 0; i < first.events.size(); i++) {
    EXPECT_EQ(retry.events[i].bytes(), first.events[i].bytes());
  }
  EXPECT_EQ(world_->log()->LastPosition(), after_first);
}

INSTANTIATE_TEST_SUITE_P(EveryCommand, CommandIdempotencyTest,
                         ::testing::ValuesIn(AllCommandTypes()),
                         [](const ::testing::TestParamInfo<CommandType>& info) {
                           std::string name(CommandTypeName(info.param));
                           for (char& c : name) c = std::isalnum(c) ? c : '_';
                           return name;
                         });

TEST_F(StandardWorldTest, CommandIdOfAnotherActorIsTheirOwnCommand) {
  boost::json::object fields{{"project_id", "p-acme"},
                             {"thread_id", "t-client"},
                             {"comment_id", "c-mine"},
                             {"body", "secret plan"},
                             {"command_id", "shared-id"}};
  ASSERT_TRUE(Run("comment.post", "pm", fields).ok());
  fields["comment_id"] = "c-theirs";
  fields["body"] = "client question";
  CommandResult result;
  Status s = Run("comment.post", "acme-member", fields, &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(result.deduplicated);
  ASSERT_EQ(result.events.size(), 1u);
  EXPECT_EQ(result.events[0].event().actor()->str(), "acme-member");
  EXPECT_EQ(result.events[0].event().payload_as_CommentPosted()->body()->str(), "client question");
}

TEST_F(StandardWorldTest, CommandIdReusedOnAnotherStreamIsRefused) {
  ASSERT_TRUE(Run("client.add", "owner",
                  {{"client_id", "initech"}, {"name", "Initech"}, {"command_id", "id-1"}})
                  .ok());
  Status s = Run("milestone.plan", "owner",
                 {{"project_id", "p-acme"},
                  {"milestone_id", "m-x"},
                  {"title", "X"},
                  {"planned_date", "2027-01-01"},
                  {"command_id", "id-1"}});
  EXPECT_EQ(s.reason(), "command.id_reused") << s.ToString();
}

// A command id already used for another command on the same stream: answering with the first
// command's events told the sender that a command which never ran had succeeded.
TEST_F(StandardWorldTest, CommandIdReusedForAnotherCommandOnTheSameStreamIsRefused) {
  boost::json::object fields{{"project_id", "p-acme"},   {"thread_id", "t-client"},
                             {"comment_id", "c-first"},  {"audience", "client"},
                             {"body", "first question"}, {"command_id", "id-2"}};
  ASSERT_TRUE(Run("comment.post", "acme-member", fields).ok());
  const uint64_t after_first = world_->log()->LastPosition();
  fields["comment_id"] = "c-second";
  fields["body"] = "second question";
  CommandResult result;
  Status s = Run("comment.post", "acme-member", fields, &result);
  EXPECT_EQ(s.reason(), "command.id_reused") << s.ToString();
  EXPECT_TRUE(result.events.empty());
  EXPECT_FALSE(result.deduplicated);
  EXPECT_EQ(world_->log()->LastPosition(), after_first);
}

// Any field counts, not only what the events show: the same comment with another expected
// version is another command.
TEST_F(StandardWorldTest, CommandIdReusedWithOnlyAnotherFieldIsRefused) {
  boost::json::object fields{{"project_id", "p-acme"},
                             {"milestone_id", "m-planned"},
                             {"expected_version", 1},
                             {"command_id", "id-3"}};
  ASSERT_TRUE(Run("milestone.start", "pm", fields).ok());
  fields["expected_version"] = "any";
  EXPECT_EQ(Run("milestone.start", "pm", fields).reason(), "command.id_reused");
}

}  // namespace
}  // namespace tandem::test
