// Appends conditioned on other streams, and de-duplication that belongs to one actor.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::CommentEvent;

class EventLogConditionsTest : public ::testing::Test {
 protected:
  void SetUp() override { log_ = test::OpenLogOrDie(dir_.path()); }

  Status AppendAs(const std::string& actor, const StreamId& stream, const std::string& key,
                  AppendResult* result, const std::vector<AppendCondition>& conditions = {}) {
    return log_->AppendIf(conditions, stream, ExpectedVersion::Any(),
                          {CommentEvent("by " + actor, actor)}, key, result);
  }

  test::ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
  const StreamId workspace_{"acme", "workspace"};
  const StreamId project_{"acme", "project:web"};
};

TEST_F(EventLogConditionsTest, AppendIfWritesWhenEveryConditionHolds) {
  AppendResult r;
  ASSERT_TRUE(AppendAs("ana", workspace_, "", &r).ok());
  Status s = AppendAs("ana", project_, "", &r, {{workspace_, ExpectedVersion::Exact(1)}});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.first_position, 2u);
  uint64_t head = 0;
  ASSERT_TRUE(log_->StreamHead(workspace_, &head).ok());
  EXPECT_EQ(head, 1u);  // the condition's stream is read, not written
}

TEST_F(EventLogConditionsTest, AppendIfRefusesWhenAConditionStreamMovedAndWritesNothing) {
  AppendResult r;
  ASSERT_TRUE(AppendAs("ana", workspace_, "", &r).ok());
  ASSERT_TRUE(AppendAs("ana", workspace_, "", &r).ok());
  Status s = AppendAs("ana", project_, "k1", &r, {{workspace_, ExpectedVersion::Exact(1)}});
  EXPECT_TRUE(s.IsWrongExpectedVersion()) << s.ToString();
  EXPECT_EQ(log_->LastPosition(), 2u);
  std::string stream;
  EXPECT_TRUE(log_->FindIdempotentAppend("acme", "k1", &stream, &r).IsNotFound());
}

TEST_F(EventLogConditionsTest, AppendIfOnAStreamThatDoesNotExistNeedsNoStream) {
  AppendResult r;
  EXPECT_TRUE(AppendAs("ana", project_, "", &r, {{workspace_, ExpectedVersion::NoStream()}}).ok());
  EXPECT_TRUE(AppendAs("ana", project_, "", &r, {{workspace_, ExpectedVersion::StreamExists()}})
                  .IsWrongExpectedVersion());
}

TEST_F(EventLogConditionsTest, KeyOfAnotherActorIsRefusedWithoutNamingTheirAppend) {
  AppendResult first, second;
  ASSERT_TRUE(AppendAs("ana", project_, "shared", &first).ok());
  Status s = AppendAs("eli", project_, "shared", &second);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.reason(), "idempotency.key_reused");
  EXPECT_EQ(s.ToString().find("project:web"), std::string::npos) << s.ToString();
  EXPECT_EQ(s.ToString().find("ana"), std::string::npos) << s.ToString();
  EXPECT_FALSE(second.deduplicated);
  EXPECT_EQ(second.first_position, 0u);  // nothing of the first append is disclosed
  EXPECT_EQ(log_->LastPosition(), 1u);
}

TEST_F(EventLogConditionsTest, KeyOfAnotherActorInTheSameGroupIsRefused) {
  // Buffered appends from two threads land in one group often; either order must refuse one.
  std::atomic<int> refused{0}, written{0};
  std::thread a([&] {
    AppendResult r;
    Status s = AppendAs("ana", project_, "same-group", &r);
    (s.ok() ? written : refused)++;
  });
  std::thread b([&] {
    AppendResult r;
    Status s = AppendAs("eli", project_, "same-group", &r);
    (s.ok() ? written : refused)++;
  });
  a.join();
  b.join();
  EXPECT_EQ(written.load(), 1);
  EXPECT_EQ(refused.load(), 1);
  EXPECT_EQ(log_->LastPosition(), 1u);
}

TEST_F(EventLogConditionsTest, KeyOfTheSameActorOnTheSameStreamIsDeduplicated) {
  AppendResult first, retry;
  ASSERT_TRUE(AppendAs("ana", project_, "mine", &first).ok());
  ASSERT_TRUE(AppendAs("ana", project_, "mine", &retry).ok());
  EXPECT_TRUE(retry.deduplicated);
  EXPECT_EQ(retry.first_position, first.first_position);
}

// F5. Two appends with the same idempotency key and no actor that land in one group: the second
// is answered Corruption ("event at position N is missing from the log"), because
// MayDeduplicate treats the first's empty owner as "committed by an earlier group" and reads a
// position this group has not written yet.
TEST(EventLogConditionsGroupTest, SameKeyWithoutActorInOneGroupIsDeduplicated) {
  test::ScratchDir dir;
  EventLogOptions options;
  options.durability = Durability::kBuffered;
  auto log = test::OpenLogOrDie(dir.path(), options);
  const StreamId stream{"acme", "project:web"};
  int corruption = 0, same_group = 0;
  for (int round = 0; round < 50; round++) {
    std::mutex mu;
    std::condition_variable cv;
    int answered = 0;
    Status results[2];
    AppendResult appended[2];
    // A large append keeps the writer busy so the next two are gathered into one group.
    std::vector<NewEvent> filler;
    for (int i = 0; i < 2000; i++) filler.push_back(test::CommentEvent("f", ""));
    log->AppendAsync(stream, ExpectedVersion::Any(), filler, "", nullptr);
    const std::string key = "k-" + std::to_string(round);
    for (int i = 0; i < 2; i++) {
      log->AppendAsync(stream, ExpectedVersion::Any(), {test::CommentEvent("x", "")}, key,
                       [&, i](const Status& s, const AppendResult& r) {
                         std::lock_guard<std::mutex> lock(mu);
                         results[i] = s;
                         appended[i] = r;
                         answered++;
                         cv.notify_all();
                       });
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return answered == 2; });
    if (results[1].IsCorruption()) corruption++;
    if (results[1].ok() && appended[1].deduplicated) same_group++;
    EXPECT_TRUE(results[0].ok()) << results[0].ToString();
    EXPECT_TRUE(results[1].ok()) << "round " << round << ": " << results[1].ToString();
  }
  EXPECT_EQ(corruption, 0) << "deduplicated cleanly: " << same_group;
}

}  // namespace
}  // namespace tandem
