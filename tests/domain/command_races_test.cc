// Races and caching of the command handler observed through the real log: per-actor command
// ids, retries racing their first attempt, the per-stream state cache and who may fill it.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "command_world.h"
#include "tandem/domain/command.h"

namespace tandem::test {
namespace {

// The real log, with a hook after FindIdempotentAppend and counters of what the handler asks.
class ObservedLog : public EventLog {
 public:
  explicit ObservedLog(EventLog* inner) : inner_(inner) {}

  std::function<void()> after_find;  // runs once, then is cleared
  std::atomic<int> conflicts{0};
  std::atomic<int> appends{0};
  // Reads of a stream that started at version 1 (a full fold), by stream.
  std::map<std::string, int> full_reads;

  Status Append(const StreamId& stream, ExpectedVersion expected,
                const std::vector<NewEvent>& events, const std::string& key,
                AppendResult* result) override {
    return AppendIf({}, stream, expected, events, key, result);
  }
  Status AppendIf(const std::vector<AppendCondition>& conditions, const StreamId& stream,
                  ExpectedVersion expected, const std::vector<NewEvent>& events,
                  const std::string& key, AppendResult* result) override {
    appends++;
    Status s = inner_->AppendIf(conditions, stream, expected, events, key, result);
    if (s.IsWrongExpectedVersion()) conflicts++;
    return s;
  }
  void AppendAsync(const StreamId& stream, ExpectedVersion expected,
                   const std::vector<NewEvent>& events, const std::string& key,
                   AppendCallback done) override {
    inner_->AppendAsync(stream, expected, events, key, std::move(done));
  }
  Status ReadStreamForward(const StreamId& stream, uint64_t from, const ReadOptions& o,
                           std::vector<RecordedEvent>* events) override {
    if (from <= 1 && o.max_count > 1) {
      std::lock_guard<std::mutex> lock(mu_);
      full_reads[stream.ToString()]++;
    }
    return inner_->ReadStreamForward(stream, from, o, events);
  }
  Status ReadStreamBackward(const StreamId& stream, uint64_t from, const ReadOptions& o,
                            std::vector<RecordedEvent>* events) override {
    return inner_->ReadStreamBackward(stream, from, o, events);
  }
  Status ReadAll(uint64_t from, const ReadOptions& o, std::vector<RecordedEvent>* e) override {
    return inner_->ReadAll(from, o, e);
  }
  Status ReadTenant(const std::string& t, uint64_t from, const ReadOptions& o,
                    std::vector<RecordedEvent>* e) override {
    return inner_->ReadTenant(t, from, o, e);
  }
  Status Get(uint64_t position, RecordedEvent* event) override {
    return inner_->Get(position, event);
  }
  Status StreamHead(const StreamId& stream, uint64_t* version) override {
    return inner_->StreamHead(stream, version);
  }
  Status FindIdempotentAppend(const std::string& tenant, const std::string& key,
                              std::string* stream_name, AppendResult* result) override {
    Status s = inner_->FindIdempotentAppend(tenant, key, stream_name, result);
    if (after_find) {
      auto hook = std::move(after_find);
      after_find = nullptr;
      hook();
    }
    return s;
  }
  uint64_t LastPosition() const override { return inner_->LastPosition(); }
  Status PositionAtTime(int64_t t, uint64_t* position) override {
    return inner_->PositionAtTime(t, position);
  }
  Status CheckEventTables() override { return inner_->CheckEventTables(); }
  Status Subscribe(const SubscriptionOptions& o, std::unique_ptr<Subscription>* s) override {
    return inner_->Subscribe(o, s);
  }

  int FullReads(const std::string& stream) {
    std::lock_guard<std::mutex> lock(mu_);
    return full_reads[stream];
  }

 private:
  EventLog* inner_;
  std::mutex mu_;
};

std::unique_ptr<CommandHandler> OpenHandler(EventLog* log, BlobStore* blobs,
                                            size_t max_cached_streams = 10000) {
  CommandHandlerOptions options;
  options.now_us = [] { return kTestNowUs; };
  options.limits.max_file_bytes = 1024 * 1024;
  options.max_cached_streams = max_cached_streams;
  std::unique_ptr<CommandHandler> handler;
  EXPECT_TRUE(CommandHandler::Open(options, log, blobs, &handler).ok());
  return handler;
}

// F1. The contract: "Retrying a command with the same command id returns the first attempt's
// events, flagged deduplicated, ... also when the retry races the first attempt." Two handlers
// on one log (two servers; the client timed out on one and retried on the other): the retry
// checks the key, the first attempt commits, the retry then catches up with a state that holds
// the first attempt's own effects and refuses the command.
TEST(CommandRacesTest, RetryRacingTheFirstAttemptOnAnotherHandlerIsAnsweredNotRefused) {
  ScratchDir dir;
  CommandWorld world(dir.Sub("world"));
  world.BuildStandard();
  ObservedLog observed(world.log());
  auto second = OpenHandler(&observed, world.blobs());
  const std::string command = Cmd("comment.post", "northwind", "pm",
                                  {{"project_id", "p-acme"},
                                   {"thread_id", "t-client"},
                                   {"comment_id", "c-race"},
                                   {"body", "hello"},
                                   {"command_id", "race-1"}});
  observed.after_find = [&] { world.MustRun(command); };  // the first attempt lands now
  CommandResult retry;
  Status s = second->ExecuteJson(command, &retry);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(retry.deduplicated);
}

// F2. The idempotency key is actor + "/" + command_id and AnswerRetry no longer checks the
// actor of the events it returns. Execute(Command) does not validate ids (only ParseCommand
// does), so an actor "pm/x" (not even a member) asking for command id "1" is answered with
// the events of pm's command "x/1".
TEST(CommandRacesTest, ExecuteNeverAnswersWithAnotherActorsEvents) {
  ScratchDir dir;
  CommandWorld world(dir.Sub("world"));
  world.BuildStandard();
  auto handler = OpenHandler(world.log(), world.blobs());
  Command victim;
  ASSERT_TRUE(ParseCommand(Cmd("comment.post", "northwind", "pm",
                               {{"project_id", "p-acme"},
                                {"thread_id", "t-internal"},
                                {"comment_id", "secret"},
                                {"body", "internal only: the budget is 10k"}}),
                           CommandLimits(), &victim)
                  .ok());
  victim.command_id = "x/1";
  CommandResult first;
  ASSERT_TRUE(handler->Execute(victim, &first).ok());

  Command attacker = victim;
  attacker.actor = "pm/x";
  attacker.command_id = "1";
  CommandResult stolen;
  Status s = handler->Execute(attacker, &stolen);
  EXPECT_FALSE(s.ok()) << "answered with " << stolen.events.size() << " events of actor "
                       << (stolen.events.empty() ? "" : stolen.events[0].event().actor()->str());
  EXPECT_TRUE(stolen.events.empty());
}

// F3. A workspace command does not refresh the cached workspace snapshot it just advanced, so
// the next command in that workspace decides on a stale snapshot and pays a conflict round trip
// through the log's writer (and a second decision) every time.
TEST(CommandRacesTest, CommandAfterAWorkspaceCommandDoesNotConflictWithIt) {
  ScratchDir dir;
  CommandWorld world(dir.Sub("world"));
  world.BuildStandard();
  ObservedLog observed(world.log());
  auto handler = OpenHandler(&observed, world.blobs());
  CommandResult r;
  // Warm the cache.
  ASSERT_TRUE(handler
                  ->ExecuteJson(Cmd("comment.post", "northwind", "pm",
                                    {{"project_id", "p-acme"},
                                     {"thread_id", "t-client"},
                                     {"comment_id", "warm"},
                                     {"body", "warm"}}),
                                &r)
                  .ok());
  observed.conflicts = 0;
  for (int i = 0; i < 5; i++) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(handler
                    ->ExecuteJson(Cmd("member.invite", "northwind", "owner",
                                      {{"member_id", "m" + n},
                                       {"email", "m" + n + "@nw.io"},
                                       {"display_name", "M"},
                                       {"role", "staff"}}),
                                  &r)
                    .ok());
    ASSERT_TRUE(handler
                    ->ExecuteJson(Cmd("comment.post", "northwind", "pm",
                                      {{"project_id", "p-acme"},
                                       {"thread_id", "t-client"},
                                       {"comment_id", "review-c" + n},
                                       {"body", "hi"}}),
                                  &r)
                    .ok());
  }
  EXPECT_EQ(observed.conflicts.load(), 0) << "of " << observed.appends.load() << " appends";
}

// F4. Any caller, even one who is not a member of the workspace, makes the handler create and
// load a cache entry for every project id it names; a handful of such commands evicts the
// projects members are working on, and their next command re-folds the whole history.
TEST(CommandRacesTest, OutsidersCannotEvictAMembersCachedProject) {
  ScratchDir dir;
  CommandWorld world(dir.Sub("world"));
  world.BuildStandard();
  ObservedLog observed(world.log());
  auto handler = OpenHandler(&observed, world.blobs(), /*max_cached_streams=*/8);
  CommandResult r;
  auto comment = [&](const std::string& id) {
    return handler->ExecuteJson(Cmd("comment.post", "northwind", "pm",
                                    {{"project_id", "p-acme"},
                                     {"thread_id", "t-client"},
                                     {"comment_id", id},
                                     {"body", "hi"}}),
                                &r);
  };
  ASSERT_TRUE(comment("a").ok());
  const std::string stream = ProjectStream("northwind", "p-acme").ToString();
  const int loads = observed.FullReads(stream);
  for (int i = 0; i < 8; i++) {
    Status s = handler->ExecuteJson(Cmd("comment.post", "northwind", "mallory",
                                        {{"project_id", "junk-" + std::to_string(i)},
                                         {"thread_id", "t"},
                                         {"comment_id", "x"},
                                         {"body", "x"}}),
                                    &r);
    ASSERT_TRUE(s.IsPermissionDenied()) << s.ToString();
  }
  ASSERT_TRUE(comment("b").ok());
  EXPECT_EQ(observed.FullReads(stream), loads) << "p-acme was folded again from version 1";
}

}  // namespace
}  // namespace tandem::test

namespace tandem::test {
namespace {

// F6. With more hot projects than cache entries, an entry is evicted while in use and a second
// entry for the same project is created: commands on one project then race each other in one
// process and can exhaust their attempts ("kept changing").
TEST(CommandRacesTest, EvictionUnderLoadDoesNotFailCommands) {
  ScratchDir dir;
  CommandWorld world(dir.Sub("world"));
  world.BuildStandard();
  auto handler = OpenHandler(world.log(), world.blobs(), /*max_cached_streams=*/1);
  std::atomic<int> failed{0}, ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; i++) {
        const std::string p = (i + t) % 2 == 0 ? "p-acme" : "p-globex";
        CommandResult r;
        Status s = handler->ExecuteJson(
            Cmd("comment.post", "northwind", "pm",
                {{"project_id", p},
                 {"thread_id", "t-client"},
                 {"comment_id", "e" + std::to_string(t) + "-" + std::to_string(i)},
                 {"body", "x"}}),
            &r);
        (s.ok() ? ok : failed)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0) << "ok " << ok.load();
}

// Every project command is conditioned on its workspace's version, so any workspace change
// conflicts with it: another client's admin changing its own branding in a loop must not make
// the firm's commands on another client's project fail.
TEST(CommandRacesTest, AnotherClientsWorkspaceChangesDoNotFailProjectCommands) {
  ScratchDir dir;
  CommandWorld world(dir.Sub("world"));
  world.BuildStandard();
  std::atomic<bool> stop{false};
  std::thread other_client([&] {
    for (int i = 0; !stop.load(); i++) {
      world.Run(Cmd("branding.set", "northwind", "globex-admin",
                    {{"client_id", "globex"},
                     {"display_name", "G" + std::to_string(i)},
                     {"expected_version", "any"},
                     {"command_id", "brand-" + std::to_string(i)}}));
    }
  });
  int failed = 0;
  std::string last_error;
  for (int i = 0; i < 300; i++) {
    Status s = world.Run(Cmd("comment.post", "northwind", "pm",
                             {{"project_id", "p-acme"},
                              {"thread_id", "t-internal"},
                              {"comment_id", "k" + std::to_string(i)},
                              {"body", "x"},
                              {"command_id", "post-" + std::to_string(i)}}));
    if (!s.ok()) {
      failed++;
      last_error = s.ToString();
    }
  }
  stop = true;
  other_client.join();
  EXPECT_EQ(failed, 0) << last_error;
}

}  // namespace
}  // namespace tandem::test
