#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::CommentEvent;

class EventLogAppendTest : public ::testing::Test {
 protected:
  void SetUp() override { log_ = test::OpenLogOrDie(dir_.path()); }

  Status Append(const StreamId& stream, ExpectedVersion expected, int n,
                const std::string& key = "", AppendResult* result = nullptr) {
    std::vector<NewEvent> events;
    for (int i = 0; i < n; i++) events.push_back(CommentEvent("e" + std::to_string(i)));
    AppendResult ignored;
    return log_->Append(stream, expected, events, key, result ? result : &ignored);
  }

  test::ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
  const StreamId stream_{"acme", "project-1"};
};

TEST_F(EventLogAppendTest, FirstAppendGetsVersionOneAndPositionOne) {
  AppendResult r;
  ASSERT_TRUE(Append(stream_, ExpectedVersion::NoStream(), 3, "", &r).ok());
  EXPECT_EQ(r.first_version, 1u);
  EXPECT_EQ(r.last_version, 3u);
  EXPECT_EQ(r.first_position, 1u);
  EXPECT_EQ(r.last_position, 3u);
  EXPECT_FALSE(r.deduplicated);
  EXPECT_EQ(log_->LastPosition(), 3u);
}

TEST_F(EventLogAppendTest, NoStreamOnExistingStreamConflictsAndWritesNothing) {
  ASSERT_TRUE(Append(stream_, ExpectedVersion::NoStream(), 1).ok());
  Status s = Append(stream_, ExpectedVersion::NoStream(), 2);
  EXPECT_TRUE(s.IsWrongExpectedVersion()) << s.ToString();
  EXPECT_NE(s.message().find("at 1"), std::string::npos) << s.message();
  EXPECT_EQ(log_->LastPosition(), 1u);
  uint64_t head = 0;
  ASSERT_TRUE(log_->StreamHead(stream_, &head).ok());
  EXPECT_EQ(head, 1u);
}

TEST_F(EventLogAppendTest, ExactVersionMustMatchTheHead) {
  ASSERT_TRUE(Append(stream_, ExpectedVersion::Any(), 2).ok());
  EXPECT_TRUE(Append(stream_, ExpectedVersion::Exact(1), 1).IsWrongExpectedVersion());
  EXPECT_TRUE(Append(stream_, ExpectedVersion::Exact(3), 1).IsWrongExpectedVersion());
  AppendResult r;
  ASSERT_TRUE(Append(stream_, ExpectedVersion::Exact(2), 1, "", &r).ok());
  EXPECT_EQ(r.first_version, 3u);
}

TEST_F(EventLogAppendTest, StreamExistsRequiresAnEvent) {
  EXPECT_TRUE(Append(stream_, ExpectedVersion::StreamExists(), 1).IsWrongExpectedVersion());
  ASSERT_TRUE(Append(stream_, ExpectedVersion::NoStream(), 1).ok());
  EXPECT_TRUE(Append(stream_, ExpectedVersion::StreamExists(), 1).ok());
}

TEST_F(EventLogAppendTest, ConcurrentWritersAtTheSameVersionExactlyOneWins) {
  ASSERT_TRUE(Append(stream_, ExpectedVersion::NoStream(), 1).ok());
  constexpr int kWriters = 16;
  std::atomic<int> wins{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; i++) {
    threads.emplace_back([&] {
      Status s = Append(stream_, ExpectedVersion::Exact(1), 1);
      if (s.ok()) wins++;
      if (s.IsWrongExpectedVersion()) conflicts++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), kWriters - 1);
  EXPECT_EQ(log_->LastPosition(), 2u);
}

TEST_F(EventLogAppendTest, ConcurrentAppendsGetGapFreeUniquePositions) {
  constexpr int kThreads = 8, kPerThread = 200;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> positions;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      StreamId s{"acme", "stream-" + std::to_string(t % 3)};
      for (int i = 0; i < kPerThread; i++) {
        AppendResult r;
        ASSERT_TRUE(Append(s, ExpectedVersion::Any(), 1, "", &r).ok());
        std::lock_guard<std::mutex> lock(mu);
        EXPECT_TRUE(positions.insert(r.first_position).second) << r.first_position;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(positions.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*positions.begin(), 1u);
  EXPECT_EQ(*positions.rbegin(), uint64_t{kThreads * kPerThread});
}

TEST_F(EventLogAppendTest, RepeatedIdempotencyKeyReturnsFirstPositionsAndWritesNothing) {
  AppendResult first, retry;
  ASSERT_TRUE(Append(stream_, ExpectedVersion::NoStream(), 2, "cmd-42", &first).ok());
  ASSERT_TRUE(Append({"acme", "other"}, ExpectedVersion::Any(), 1).ok());
  // The retry's expected version no longer holds; the key wins because the work was done.
  ASSERT_TRUE(Append(stream_, ExpectedVersion::NoStream(), 2, "cmd-42", &retry).ok());
  EXPECT_TRUE(retry.deduplicated);
  EXPECT_EQ(retry.first_position, first.first_position);
  EXPECT_EQ(retry.last_position, first.last_position);
  EXPECT_EQ(retry.first_version, 1u);
  EXPECT_EQ(log_->LastPosition(), 3u);
}

TEST_F(EventLogAppendTest, IdempotencyKeySurvivesReopen) {
  AppendResult first, retry;
  ASSERT_TRUE(Append(stream_, ExpectedVersion::Any(), 1, "cmd-1", &first).ok());
  log_.reset();
  log_ = test::OpenLogOrDie(dir_.path());
  ASSERT_TRUE(Append(stream_, ExpectedVersion::Any(), 1, "cmd-1", &retry).ok());
  EXPECT_TRUE(retry.deduplicated);
  EXPECT_EQ(retry.first_position, first.first_position);
  EXPECT_EQ(log_->LastPosition(), 1u);
}

TEST_F(EventLogAppendTest, ConcurrentRetriesOfOneKeyWriteOnce) {
  constexpr int kRetries = 12;
  std::vector<std::thread> threads;
  std::atomic<int> written{0};
  for (int i = 0; i < kRetries; i++) {
    threads.emplace_back([&] {
      AppendResult r;
      ASSERT_TRUE(Append(stream_, ExpectedVersion::Any(), 1, "same-key", &r).ok());
      if (!r.deduplicated) written++;
      EXPECT_EQ(r.first_position, 1u);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(written.load(), 1);
  EXPECT_EQ(log_->LastPosition(), 1u);
}

TEST_F(EventLogAppendTest, IdempotencyKeyReusedOnAnotherStreamIsRefused) {
  ASSERT_TRUE(Append(stream_, ExpectedVersion::Any(), 1, "cmd-7").ok());
  Status s = Append({"acme", "project-2"}, ExpectedVersion::Any(), 1, "cmd-7");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(log_->LastPosition(), 1u);
}

TEST_F(EventLogAppendTest, IdempotencyKeysAreScopedByTenant) {
  AppendResult a, b;
  ASSERT_TRUE(Append({"acme", "s"}, ExpectedVersion::Any(), 1, "cmd-1", &a).ok());
  ASSERT_TRUE(Append({"globex", "s"}, ExpectedVersion::Any(), 1, "cmd-1", &b).ok());
  EXPECT_FALSE(b.deduplicated);
  EXPECT_EQ(b.first_position, 2u);
}

TEST_F(EventLogAppendTest, InvalidAppendsAreRefusedWithoutWriting) {
  EXPECT_TRUE(Append({"", "s"}, ExpectedVersion::Any(), 1).IsInvalidArgument());
  EXPECT_TRUE(Append({"acme", ""}, ExpectedVersion::Any(), 1).IsInvalidArgument());
  EXPECT_TRUE(Append({"acme", "$all"}, ExpectedVersion::Any(), 1).IsInvalidArgument());
  EXPECT_TRUE(Append({"ac\nme", "s"}, ExpectedVersion::Any(), 1).IsInvalidArgument());
  EXPECT_TRUE(Append(stream_, ExpectedVersion::Any(), 0).IsInvalidArgument());
  EXPECT_TRUE(
      Append(stream_, ExpectedVersion::Any(), 1, std::string(1000, 'k')).IsInvalidArgument());
  NewEvent no_payload;
  AppendResult r;
  EXPECT_TRUE(
      log_->Append(stream_, ExpectedVersion::Any(), {no_payload}, "", &r).IsInvalidArgument());
  EXPECT_EQ(log_->LastPosition(), 0u);
}

TEST_F(EventLogAppendTest, OversizedEventIsRefused) {
  log_.reset();
  EventLogOptions options;
  options.max_event_bytes = 4096;
  log_ = test::OpenLogOrDie(dir_.path(), options);
  AppendResult r;
  Status s =
      log_->Append(stream_, ExpectedVersion::Any(), {CommentEvent(std::string(8192, 'x'))}, "", &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(log_->LastPosition(), 0u);
}

TEST_F(EventLogAppendTest, ReadOnlyLogRefusesAppends) {
  ASSERT_TRUE(Append(stream_, ExpectedVersion::Any(), 1).ok());
  EventLogOptions options;
  options.read_only = true;
  auto reader = test::OpenLogOrDie(dir_.path(), options);
  AppendResult r;
  EXPECT_TRUE(reader->Append(stream_, ExpectedVersion::Any(), {CommentEvent("x")}, "", &r)
                  .IsInvalidArgument());
  EXPECT_EQ(reader->LastPosition(), 1u);
}

TEST_F(EventLogAppendTest, PositionsContinueAfterReopen) {
  ASSERT_TRUE(Append(stream_, ExpectedVersion::Any(), 3).ok());
  log_.reset();
  log_ = test::OpenLogOrDie(dir_.path());
  AppendResult r;
  ASSERT_TRUE(Append(stream_, ExpectedVersion::Exact(3), 1, "", &r).ok());
  EXPECT_EQ(r.first_position, 4u);
  EXPECT_EQ(r.first_version, 4u);
}

}  // namespace
}  // namespace tandem
