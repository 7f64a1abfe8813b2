// AppendAsync: the same contract as Append, answered through a callback on the log's
// completion thread.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::CommentEvent;

// What one callback was told, and where it ran.
struct Outcome {
  Status status;
  AppendResult result;
  std::thread::id thread;
  uint64_t last_position_seen = 0;
};

class EventLogAppendAsyncTest : public ::testing::Test {
 protected:
  void SetUp() override { log_ = test::OpenLogOrDie(dir_.path()); }

  // Calls AppendAsync and waits for its callback.
  Outcome AppendAndWait(EventLog* log, const StreamId& stream, ExpectedVersion expected,
                        const std::vector<NewEvent>& events, const std::string& key = "") {
    std::promise<Outcome> promise;
    log->AppendAsync(stream, expected, events, key, [&](const Status& s, const AppendResult& r) {
      promise.set_value({s, r, std::this_thread::get_id(), log->LastPosition()});
    });
    return promise.get_future().get();
  }
  Outcome AppendAndWait(const StreamId& stream, ExpectedVersion expected, int n,
                        const std::string& key = "") {
    std::vector<NewEvent> events;
    for (int i = 0; i < n; i++) events.push_back(CommentEvent("e" + std::to_string(i)));
    return AppendAndWait(log_.get(), stream, expected, events, key);
  }

  test::ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
  const StreamId stream_{"acme", "project-1"};
};

TEST_F(EventLogAppendAsyncTest, CallbackRunsOnceTheAppendIsCommittedAndReadable) {
  const Outcome o = AppendAndWait(stream_, ExpectedVersion::NoStream(), 2);
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(o.result.first_version, 1u);
  EXPECT_EQ(o.result.last_version, 2u);
  EXPECT_EQ(o.result.first_position, 1u);
  EXPECT_EQ(o.result.last_position, 2u);
  // Acknowledged means committed: readers already see the events when the callback runs.
  EXPECT_GE(o.last_position_seen, 2u);
  RecordedEvent e;
  ASSERT_TRUE(log_->Get(2, &e).ok());
  EXPECT_EQ(test::BodyOf(e), "e1");
}

TEST_F(EventLogAppendAsyncTest, CallbackRunsOnTheCompletionThreadNotTheCaller) {
  const Outcome ok = AppendAndWait(stream_, ExpectedVersion::Any(), 1);
  EXPECT_NE(ok.thread, std::this_thread::get_id());
  const Outcome refused = AppendAndWait(stream_, ExpectedVersion::Any(), 0);
  EXPECT_TRUE(refused.status.IsInvalidArgument()) << refused.status.ToString();
  EXPECT_NE(refused.thread, std::this_thread::get_id());
}

TEST_F(EventLogAppendAsyncTest, WrongExpectedVersionIsReportedAndWritesNothing) {
  ASSERT_TRUE(AppendAndWait(stream_, ExpectedVersion::Any(), 1).status.ok());
  const Outcome o = AppendAndWait(stream_, ExpectedVersion::Exact(5), 1);
  EXPECT_TRUE(o.status.IsWrongExpectedVersion()) << o.status.ToString();
  EXPECT_EQ(o.result.last_position, 0u);
  EXPECT_EQ(log_->LastPosition(), 1u);
}

TEST_F(EventLogAppendAsyncTest, InvalidAppendsAreRefusedThroughTheCallback) {
  EXPECT_TRUE(AppendAndWait({"", "s"}, ExpectedVersion::Any(), 1).status.IsInvalidArgument());
  EXPECT_TRUE(AppendAndWait(stream_, ExpectedVersion::Any(), 1, std::string(1000, 'k'))
                  .status.IsInvalidArgument());
  NewEvent no_payload;
  EXPECT_TRUE(AppendAndWait(log_.get(), stream_, ExpectedVersion::Any(), {no_payload})
                  .status.IsInvalidArgument());
  EXPECT_EQ(log_->LastPosition(), 0u);
}

TEST_F(EventLogAppendAsyncTest, RepeatedIdempotencyKeyReturnsTheFirstPositions) {
  const Outcome first = AppendAndWait(stream_, ExpectedVersion::Any(), 2, "cmd-1");
  ASSERT_TRUE(first.status.ok());
  const Outcome retry = AppendAndWait(stream_, ExpectedVersion::Any(), 2, "cmd-1");
  ASSERT_TRUE(retry.status.ok());
  EXPECT_TRUE(retry.result.deduplicated);
  EXPECT_EQ(retry.result.first_position, first.result.first_position);
  EXPECT_EQ(log_->LastPosition(), 2u);
}

TEST_F(EventLogAppendAsyncTest, ReadOnlyLogRefusesAsyncAppends) {
  ASSERT_TRUE(AppendAndWait(stream_, ExpectedVersion::Any(), 1).status.ok());
  EventLogOptions options;
  options.read_only = true;
  auto reader = test::OpenLogOrDie(dir_.path(), options);
  const Outcome o =
      AppendAndWait(reader.get(), stream_, ExpectedVersion::Any(), {CommentEvent("x")});
  EXPECT_TRUE(o.status.IsInvalidArgument()) << o.status.ToString();
}

// A writer that appends its next event from the callback of the previous one, as a server on
// an event loop does: many such chains share the completion thread without blocking it.
TEST_F(EventLogAppendAsyncTest, CallbacksMayAppendAgainAndChainsGetGapFreePositions) {
  constexpr int kChains = 16;
  constexpr int kPerChain = 25;
  std::mutex mu;
  std::condition_variable cv;
  std::set<uint64_t> positions;
  int finished = 0;
  bool failed = false;
  std::vector<std::function<void(int)>> chains(kChains);
  for (int c = 0; c < kChains; c++) {
    chains[c] = [&, c](int i) {
      if (i == kPerChain) {
        std::lock_guard<std::mutex> lock(mu);
        if (++finished == kChains) cv.notify_one();
        return;
      }
      log_->AppendAsync({"acme", "chain-" + std::to_string(c)},
                        ExpectedVersion::Exact(static_cast<uint64_t>(i)), {CommentEvent("x")}, "",
                        [&, c, i](const Status& s, const AppendResult& r) {
                          {
                            std::lock_guard<std::mutex> lock(mu);
                            failed |= !s.ok() || r.first_version != static_cast<uint64_t>(i + 1);
                            positions.insert(r.first_position);
                          }
                          chains[c](i + 1);
                        });
    };
  }
  for (int c = 0; c < kChains; c++) chains[c](0);
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished == kChains; });
  EXPECT_FALSE(failed);
  ASSERT_EQ(positions.size(), static_cast<size_t>(kChains * kPerChain));
  EXPECT_EQ(*positions.begin(), 1u);
  EXPECT_EQ(*positions.rbegin(), static_cast<uint64_t>(kChains * kPerChain));
}

TEST_F(EventLogAppendAsyncTest, ClosingTheLogAnswersEveryPendingAppend) {
  constexpr int kAppends = 200;
  std::atomic<int> answered{0};
  std::atomic<int> committed{0};
  for (int i = 0; i < kAppends; i++) {
    log_->AppendAsync(stream_, ExpectedVersion::Any(), {CommentEvent("x")}, "",
                      [&](const Status& s, const AppendResult&) {
                        if (s.ok()) committed++;
                        answered++;
                      });
  }
  log_.reset();  // waits for the writer, the syncer and the completion thread
  EXPECT_EQ(answered.load(), kAppends);
  // Appends accepted before the close are written, not dropped.
  EXPECT_EQ(committed.load(), kAppends);
  log_ = test::OpenLogOrDie(dir_.path());
  EXPECT_EQ(log_->LastPosition(), static_cast<uint64_t>(kAppends));
}

TEST_F(EventLogAppendAsyncTest, AnEmptyCallbackStillAppends) {
  log_->AppendAsync(stream_, ExpectedVersion::Any(), {CommentEvent("fire-and-forget")}, "",
                    AppendCallback());
  const Outcome next = AppendAndWait(stream_, ExpectedVersion::Any(), 1);
  ASSERT_TRUE(next.status.ok()) << next.status.ToString();
  EXPECT_EQ(next.result.first_position, 2u);
  RecordedEvent e;
  ASSERT_TRUE(log_->Get(1, &e).ok());
  EXPECT_EQ(test::BodyOf(e), "fire-and-forget");
}

TEST_F(EventLogAppendAsyncTest, AThrowingCallbackDoesNotStopLaterCallbacks) {
  log_->AppendAsync(stream_, ExpectedVersion::Any(), {CommentEvent("x")}, "",
                    [](const Status&, const AppendResult&) { throw std::runtime_error("boom"); });
  const Outcome next = AppendAndWait(stream_, ExpectedVersion::Any(), 1);
  EXPECT_TRUE(next.status.ok()) << next.status.ToString();
  EXPECT_EQ(next.result.first_position, 2u);
}

}  // namespace
}  // namespace tandem
