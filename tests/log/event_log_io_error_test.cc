// I/O errors under the event log. RocksDB's files go through a fault-injecting FileSystem
// (fault_file_system.h), the way RocksDB's own tests inject write, sync and rename failures; the
// journal's writes through its test hook. Whatever fails, the log answers IOError and never
// aborts, acknowledges nothing it cannot keep, refuses appends until it is reopened, and a reopen
// on a healthy filesystem recovers every acknowledged append.
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fault_file_system.h"
#include "journal.h"
#include "tandem/log/event_log.h"
#include "tandem/log/log_verifier.h"
#include "test_util.h"

namespace tandem {
namespace {

namespace fs = std::filesystem;
using test::BodyOf;
using test::CommentEvent;
using test::FaultFileSystem;
using test::FaultOp;
using ::testing::HasSubstr;

// Large enough that every group commit of the racing test wraps the journal.
constexpr uint64_t kJournalBytes = 64 << 10;

class EventLogIoErrorTest : public ::testing::Test {
 protected:
  void TearDown() override { Journal::SetWriteFaultForTesting(nullptr); }

  std::string Path() const { return dir_.Sub("log"); }

  EventLogOptions Options() const {
    EventLogOptions options;
    options.file_system = fs_;
    options.journal_bytes = kJournalBytes;
    return options;
  }

  std::unique_ptr<EventLog> Open() { return test::OpenLogOrDie(Path(), Options()); }

  // Appends `body` to stream s, remembering it when acknowledged.
  Status Append(EventLog* log, const std::string& body, const std::string& key = "") {
    AppendResult r;
    Status s = log->Append({"acme", "s"}, ExpectedVersion::Any(), {CommentEvent(body)}, key, &r);
    if (s.ok()) acked_[r.first_position] = body;
    return s;
  }

  // Reopens on a healthy filesystem and checks that every acknowledged append is where it was
  // acknowledged and that the log verifies.
  std::unique_ptr<EventLog> ReopenHealthyAndCheckAcknowledged() {
    fs_->Heal();
    Journal::SetWriteFaultForTesting(nullptr);
    auto log = Open();
    for (const auto& [position, body] : acked_) {
      RecordedEvent e;
      Status s = log->Get(position, &e);
      EXPECT_TRUE(s.ok()) << "acknowledged position " << position << ": " << s.ToString();
      if (s.ok()) {
        EXPECT_EQ(BodyOf(e), body);
      }
    }
    VerifyReport report;
    Status v = VerifyEventLogFolder(Path(), VerifyOptions(), &report);
    EXPECT_TRUE(v.ok()) << v.ToString();
    return log;
  }

  // The answer to an append written but not known to be durable.
  static void ExpectOutcomeUnknown(const Status& s) {
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr("may or may not have been kept"));
  }

  // The answer to an append made after a failure, before the log is reopened.
  static void ExpectRefused(const Status& s) {
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr("reopen"));
    EXPECT_THAT(s.message(), HasSubstr("injected fault"));  // the failure that started it
  }

  test::ScratchDir dir_;
  std::shared_ptr<FaultFileSystem> fs_ = std::make_shared<FaultFileSystem>();
  std::map<uint64_t, std::string> acked_;  // position -> body
};

TEST_F(EventLogIoErrorTest, FailedWalWriteAnswersIOErrorAndAppendsAreRefusedUntilReopen) {
  auto log = Open();
  ASSERT_TRUE(Append(log.get(), "e1").ok());
  ASSERT_TRUE(Append(log.get(), "e2").ok());
  fs_->Inject(FaultOp::kAppend, ".log");

  ExpectOutcomeUnknown(Append(log.get(), "e3", "key-3"));
  ExpectRefused(Append(log.get(), "e4"));
  Status async_status;
  std::atomic<bool> answered{false};
  log->AppendAsync({"acme", "s"}, ExpectedVersion::Any(), {CommentEvent("e5")}, "",
                   [&](const Status& s, const AppendResult&) {
                     async_status = s;
                     answered = true;
                   });
  log.reset();  // closing waits for the callback
  ASSERT_TRUE(answered);
  ExpectRefused(async_status);

  log = ReopenHealthyAndCheckAcknowledged();
  // The outcome of e3 was unknown: retrying it with its key keeps it exactly once.
  ASSERT_TRUE(Append(log.get(), "e3", "key-3").ok());
  std::vector<RecordedEvent> events;
  ASSERT_TRUE(log->ReadAll(1, ReadOptions(), &events).ok());
  std::vector<std::string> bodies;
  for (const auto& e : events) bodies.push_back(BodyOf(e));
  EXPECT_EQ(bodies, (std::vector<std::string>{"e1", "e2", "e3"}));
}

TEST_F(EventLogIoErrorTest, BufferedLogAnswersAFailedWalWriteTheSameWay) {
  EventLogOptions options = Options();
  options.durability = Durability::kBuffered;
  auto log = test::OpenLogOrDie(Path(), options);
  ASSERT_TRUE(Append(log.get(), "e1").ok());
  fs_->Inject(FaultOp::kAppend, ".log");
  ExpectOutcomeUnknown(Append(log.get(), "e2"));
  ExpectRefused(Append(log.get(), "e3"));
  log.reset();
  ReopenHealthyAndCheckAcknowledged();
}

// Every append is a group commit of its own here and none fits in the journal, so each round
// the syncer waits for the writer's insert, then syncs RocksDB's WAL while the writer inserts
// the next group. On a slow device (WAL writes take 2 ms, WAL syncs 3 ms more) the WAL write
// that fails does so while the sync is starting. RocksDB 7.8's DB::SyncWAL then aborted the
// process (WritableFileWriter::AssertFalseAndGetStatusForPrevError: sync_without_flush_called_)
// instead of returning the error. It is a race, so it is run on fresh logs several times.
TEST_F(EventLogIoErrorTest, WalWriteFailingWhileTheJournalWrapsIsAnsweredNotAborted) {
  constexpr int kAttempts = 20;
  constexpr int kAppends = 40;
  const std::string big(kJournalBytes, 'x');  // no event fits in the journal
  EventLogOptions options = Options();
  options.max_group_commit_events = 1;
  for (int attempt = 0; attempt < kAttempts; attempt++) {
    SCOPED_TRACE("attempt " + std::to_string(attempt));
    fs::remove_all(Path());
    fs_->Reset();
    acked_.clear();
    auto log = test::OpenLogOrDie(Path(), options);
    fs_->Slow(FaultOp::kAppend, ".log", std::chrono::milliseconds(2));
    fs_->Slow(FaultOp::kSync, ".log", std::chrono::milliseconds(3));
    fs_->Inject(FaultOp::kAppend, ".log", /*skip=*/3 + attempt);

    std::mutex mu;
    std::condition_variable cv;
    int answered = 0;
    std::vector<Status> statuses(kAppends);
    for (int i = 0; i < kAppends; i++) {
      std::string body = std::to_string(i) + big;
      log->AppendAsync({"acme", "s" + std::to_string(i % 8)}, ExpectedVersion::Any(),
                       {CommentEvent(body)}, "",
                       [&, i, body](const Status& s, const AppendResult& r) {
                         std::lock_guard<std::mutex> lock(mu);
                         statuses[i] = s;
                         if (s.ok()) acked_[r.first_position] = body;
                         if (++answered == kAppends) cv.notify_all();
                       });
    }
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return answered == kAppends; });
    }
    log.reset();
    ASSERT_GT(fs_->injected(), 0u);

    // Acknowledged appends are a prefix of the submitted ones: after the first failure nothing
    // is acknowledged.
    int first_failed = kAppends;
    for (int i = 0; i < kAppends; i++) {
      if (!statuses[i].ok() && first_failed == kAppends) first_failed = i;
      if (i < first_failed) continue;
      EXPECT_TRUE(statuses[i].IsIOError()) << i << ": " << statuses[i].ToString();
    }
    EXPECT_LT(first_failed, kAppends);
    EXPECT_EQ(acked_.size(), static_cast<size_t>(first_failed));
    ReopenHealthyAndCheckAcknowledged();
  }
}

TEST_F(EventLogIoErrorTest, FailedWalSyncWhenTheJournalWrapsAnswersIOError) {
  auto log = Open();
  const std::string big(24 << 10, 'x');
  fs_->Inject(FaultOp::kSync, ".log");
  Status s;
  int i = 0;
  // Blocking appends one at a time: the third no longer fits and the journal wraps.
  while ((s = Append(log.get(), std::to_string(i) + big)).ok()) ASSERT_LT(++i, 10);
  EXPECT_GT(fs_->injected(), 0u);
  ExpectOutcomeUnknown(s);
  EXPECT_THAT(s.message(), HasSubstr("syncing the WAL"));
  ExpectRefused(Append(log.get(), "after"));
  log.reset();
  ReopenHealthyAndCheckAcknowledged();
}

// Fails every journal write after the first `journal_writes_ok` ones.
std::atomic<int> journal_writes_ok{0};
Status FailJournalWrites(const std::string& path) {
  if (journal_writes_ok.fetch_sub(1) > 0) return Status::OK();
  return Status::IOError("injected fault writing " + path);
}

TEST_F(EventLogIoErrorTest, FailedJournalWriteAnswersIOErrorAndAppendsAreRefusedUntilReopen) {
  auto log = Open();
  ASSERT_TRUE(Append(log.get(), "e1").ok());
  journal_writes_ok = 1;
  Journal::SetWriteFaultForTesting(&FailJournalWrites);
  ASSERT_TRUE(Append(log.get(), "e2").ok());
  ExpectOutcomeUnknown(Append(log.get(), "e3", "key-3"));
  ExpectRefused(Append(log.get(), "e4"));
  log.reset();
  log = ReopenHealthyAndCheckAcknowledged();
  ASSERT_TRUE(Append(log.get(), "e3", "key-3").ok());
  EXPECT_EQ(log->LastPosition(), 3u);
}

TEST_F(EventLogIoErrorTest, JournalThatCannotBeCreatedFailsTheOpenWithIOError) {
  journal_writes_ok = 0;
  Journal::SetWriteFaultForTesting(&FailJournalWrites);
  std::unique_ptr<EventLog> log;
  Status s = EventLog::Open(Options(), Path(), &log);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  Journal::SetWriteFaultForTesting(nullptr);
  ReopenHealthyAndCheckAcknowledged();
}

// Opening an existing log writes: RocksDB a new MANIFEST (renamed into CURRENT), an OPTIONS file
// and a new WAL; the journal's replay re-applies what RocksDB lost, then flushes SST files.
class EventLogOpenIoErrorTest : public EventLogIoErrorTest {
 protected:
  // A closed log at Prepared() as a power loss leaves it: RocksDB's files hold e1..e3, the
  // journal also e4..e6, all acknowledged; the open re-applies e4..e6 from the journal.
  void SetUp() override {
    AppendEach(Prepared(), 1, 3);
    fs::copy(Prepared(), Path(), fs::copy_options::recursive);
    auto live = test::OpenLogOrDie(Prepared(), Options());
    AppendEach(live.get(), 4, 6);
    // While open: since e3, only the journal has been synced.
    fs::copy_file(Prepared() + "/tandem.journal", Path() + "/tandem.journal",
                  fs::copy_options::overwrite_existing);
    live.reset();
    fs::remove_all(Prepared());
    fs::rename(Path(), Prepared());
  }

  void AppendEach(const std::string& path, int from, int to) {
    AppendEach(test::OpenLogOrDie(path, Options()).get(), from, to);
  }
  void AppendEach(EventLog* log, int from, int to) {
    for (int i = from; i <= to; i++) ASSERT_TRUE(Append(log, "e" + std::to_string(i)).ok());
  }

  std::string Prepared() const { return dir_.Sub("prepared"); }

  // Opens a copy of the prepared log with `op` failing after `skip` calls on files ending in
  // `suffix`: the open either succeeds or fails with IOError, and a healthy reopen afterwards
  // recovers every acknowledged append, the journal's included. Returns whether a fault was
  // injected.
  bool OpenWithFault(FaultOp op, const std::string& suffix, uint64_t skip,
                     uint64_t count = FaultFileSystem::kForever) {
    fs::remove_all(Path());
    fs::copy(Prepared(), Path(), fs::copy_options::recursive);
    fs_->Inject(op, suffix, skip, count);
    std::unique_ptr<EventLog> log;
    Status s = EventLog::Open(Options(), Path(), &log);
    EXPECT_TRUE(s.ok() || s.IsIOError()) << s.ToString();
    log.reset();
    const bool injected = fs_->injected() > 0;
    fs_->Reset();
    ReopenHealthyAndCheckAcknowledged();
    return injected;
  }
};

TEST_F(EventLogOpenIoErrorTest, FailedRenameFailsTheOpenWithIOErrorAndChangesNothing) {
  fs::copy(Prepared(), Path(), fs::copy_options::recursive);
  fs_->Inject(FaultOp::kRename, "");
  std::unique_ptr<EventLog> log;
  Status s = EventLog::Open(Options(), Path(), &log);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_GT(fs_->injected(), 0u);
  ReopenHealthyAndCheckAcknowledged();
}

TEST_F(EventLogOpenIoErrorTest, FailedFlushAfterJournalReplayFailsTheOpenWithIOError) {
  fs::copy(Prepared(), Path(), fs::copy_options::recursive);
  fs_->Inject(FaultOp::kAppend, ".sst");
  std::unique_ptr<EventLog> log;
  Status s = EventLog::Open(Options(), Path(), &log);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_GT(fs_->injected(), 0u);
  ReopenHealthyAndCheckAcknowledged();
}

// The device stops taking writes (or fails one write) at points spread over an open: about a
// hundred file operations, sampled more densely at the start, where RocksDB opens its files.
TEST_F(EventLogOpenIoErrorTest, OpenOnAFailingDeviceNeverAbortsAndChangesNothing) {
  for (uint64_t count : {FaultFileSystem::kForever, uint64_t{1}}) {
    for (uint64_t skip = 0;; skip += 1 + skip / 4) {
      SCOPED_TRACE("skip " + std::to_string(skip) + " count " + std::to_string(count));
      if (!OpenWithFault(FaultOp::kAny, "", skip, count)) break;  // the open ran before the fault
      if (HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace tandem
