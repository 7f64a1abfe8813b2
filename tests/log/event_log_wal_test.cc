// What an open of the log has to replay: RocksDB's write-ahead log is bounded while the log is
// written and empty once it is closed, so opening a log (each CLI verb opens it read-only)
// costs the same on a large history as on a new one.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::CommentEvent;
using test::WriteAheadLogBytes;

// Appends about `bytes` of events (each ~2 KB), spread over streams as real traffic is; returns
// how many.
uint64_t AppendAbout(EventLog* log, uint64_t bytes) {
  const std::string body(2000, 'x');
  uint64_t appended = 0;
  for (uint64_t written = 0, i = 0; written < bytes; written += 20 * body.size(), ++i) {
    std::vector<NewEvent> events;
    for (int k = 0; k < 20; ++k) events.push_back(CommentEvent(body));
    AppendResult result;
    EXPECT_TRUE(log->Append({"acme", "project-" + std::to_string(i % 50)}, ExpectedVersion::Any(),
                            events, "", &result)
                    .ok());
    appended += events.size();
  }
  return appended;
}

TEST(EventLogWalTest, TheWriteAheadLogStaysBoundedWhileTheLogGrows) {
  test::ScratchDir dir;
  EventLogOptions options;
  options.max_wal_bytes = 1 << 20;
  std::unique_ptr<EventLog> log = test::OpenLogOrDie(dir.path(), options);
  AppendAbout(log.get(), 16 << 20);
  // The bound and the file being written past it. Flushes run behind the writes, and files
  // are switched by a write: a writer that goes on gets there.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (WriteAheadLogBytes(dir.path()) >= (4u << 20) &&
         std::chrono::steady_clock::now() < deadline) {
    AppendAbout(log.get(), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LT(WriteAheadLogBytes(dir.path()), 4u << 20);
}

TEST(EventLogWalTest, ACleanlyClosedLogLeavesNothingToReplay) {
  test::ScratchDir dir;
  std::unique_ptr<EventLog> log = test::OpenLogOrDie(dir.path());
  const uint64_t appended = AppendAbout(log.get(), 4 << 20);
  ASSERT_GT(WriteAheadLogBytes(dir.path()), 1u << 20);
  log.reset();
  EXPECT_EQ(WriteAheadLogBytes(dir.path()), 0u);
  EventLogOptions read_only;
  read_only.read_only = true;
  log = test::OpenLogOrDie(dir.path(), read_only);
  EXPECT_EQ(log->LastPosition(), appended);
}

}  // namespace
}  // namespace tandem
