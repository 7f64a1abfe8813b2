// The handler under concurrency: one winner per version of a thing, and handlers sharing a log
// (as separate processes would) see each other's changes.
#include <atomic>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "command_world.h"

namespace tandem::test {
namespace {

class CommandHandlerTest : public StandardWorldTest {};

TEST_F(CommandHandlerTest, ConcurrentChangesToOneVersionLetExactlyOneWin) {
  constexpr int kThreads = 8;
  std::atomic<int> won{0}, conflicted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; i++) {
    threads.emplace_back([&] {
      Status s = Run("milestone.reschedule", "pm",
                     {{"project_id", "p-acme"},
                      {"milestone_id", "m-planned"},
                      {"expected_version", 1},
                      {"new_date", "2027-02-0" + std::to_string(1 + won.load() % 8)},
                      {"reason", "race"}});
      if (s.ok()) won++;
      if (s.IsWrongExpectedVersion()) conflicted++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicted.load(), kThreads - 1);
}

TEST_F(CommandHandlerTest, CommandsOnDifferentProjectsRunConcurrently) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (const char* project : {"p-acme", "p-globex"}) {
    threads.emplace_back([&, project] {
      for (int i = 0; i < 20; i++) {
        Status s = Run("comment.post", "pm",
                       {{"project_id", project},
                        {"thread_id", "t-internal"},
                        {"comment_id", "n" + std::to_string(i)},
                        {"body", "note"}});
        if (!s.ok()) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(CommandHandlerTest, SecondHandlerOnTheSameLogSeesTheFirstOnesChanges) {
  std::unique_ptr<CommandHandler> other;
  ASSERT_TRUE(
      CommandHandler::Open(CommandHandlerOptions(), world_->log(), world_->blobs(), &other).ok());
  CommandResult r;
  // Warm the other handler's cache, then change the milestone through the first handler.
  ASSERT_TRUE(other
                  ->ExecuteJson(Cmd("milestone.block", "northwind", "pm",
                                    {{"project_id", "p-acme"},
                                     {"milestone_id", "m-planned"},
                                     {"expected_version", 1},
                                     {"reason", "a"}}),
                                &r)
                  .ok());
  ASSERT_TRUE(Run("milestone.unblock", "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "m-planned"},
                   {"expected_version", 2},
                   {"reason", "b"}})
                  .ok());
  Status s = other->ExecuteJson(Cmd("milestone.unblock", "northwind", "pm",
                                    {{"project_id", "p-acme"},
                                     {"milestone_id", "m-planned"},
                                     {"expected_version", 3},
                                     {"reason", "c"}}),
                                &r);
  EXPECT_EQ(s.reason(), "milestone.not_blocked") << s.ToString();
}

// The value of tandem_commands_total{type, result} in `registry`, 0 if absent.
double CommandCount(prometheus::Registry& registry, const std::string& type,
                    const std::string& result) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "tandem_commands_total") continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& l : metric.label) labels[l.name] = l.value;
      if (labels["type"] == type && labels["result"] == result) return metric.counter.value;
    }
  }
  return 0;
}

TEST_F(CommandHandlerTest, MetricsCountCommandsByTypeAndResult) {
  prometheus::Registry registry;
  CommandHandlerOptions options;
  options.metrics = &registry;
  std::unique_ptr<CommandHandler> handler;
  ASSERT_TRUE(CommandHandler::Open(options, world_->log(), world_->blobs(), &handler).ok());
  CommandResult r;
  const std::string block = Cmd("milestone.block", "northwind", "pm",
                                {{"project_id", "p-acme"},
                                 {"milestone_id", "m-planned"},
                                 {"expected_version", 1},
                                 {"reason", "a"},
                                 {"command_id", "b1"}});
  ASSERT_TRUE(handler->ExecuteJson(block, &r).ok());
  ASSERT_TRUE(handler->ExecuteJson(block, &r).ok());
  ASSERT_FALSE(handler
                   ->ExecuteJson(Cmd("milestone.block", "northwind", "acme-viewer",
                                     {{"project_id", "p-acme"},
                                      {"milestone_id", "m-planned"},
                                      {"expected_version", 2},
                                      {"reason", "b"}}),
                                 &r)
                   .ok());
  EXPECT_EQ(CommandCount(registry, "milestone.block", "ok"), 1);
  EXPECT_EQ(CommandCount(registry, "milestone.block", "deduplicated"), 1);
  EXPECT_EQ(CommandCount(registry, "milestone.block", "permission_denied"), 1);
}

}  // namespace
}  // namespace tandem::test
