// WriteBehind and PendingRows (internal parts of the views database writing behind): the
// interleavings of a flush with commits and reads that a store-level test cannot time.
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "pending_rows.h"
#include "test_util.h"
#include "write_behind.h"
#include "write_behind_policy.h"

namespace tandem::test {
namespace {

using Op = PendingRows::Op;
using Found = PendingRows::Found;

// A fold reading an appended row through a snapshot of its own (a registered moment), while a
// flush whose write its snapshot does not hold ends before the read: the flushed appends are
// still read, from memory, with the later ones.
TEST(PendingRowsTest, ARegisteredMomentReadsAppendsOfAFlushEndingBeforeItReads) {
  PendingRows p;
  p.Apply(PendingRows::Commit().Add(7, "chunk", Op::kAppend, "a\n"));
  PendingRows::Flush flush;
  p.BeginFlush(101, &flush);  // RocksDB is at 100
  p.Apply(PendingRows::Commit().Add(7, "chunk", Op::kAppend, "b\n"));
  const PendingRows::Moment m = p.At([] { return uint64_t{100}; }, true);  // before the write
  p.EndFlush(flush, true);
  std::string bytes;
  EXPECT_EQ(p.Read(m, 7, "chunk", &bytes), Found::kAppend);
  EXPECT_EQ(bytes, "a\nb\n");  // after the snapshot's "" (the row was empty)
  p.Release(m);
}

// A snapshot taken once the flush's write landed holds it: only later appends come from memory.
TEST(PendingRowsTest, AMomentWhoseSnapshotHoldsAFlushInProgressReadsOnlyLaterAppends) {
  PendingRows p;
  p.Apply(PendingRows::Commit().Add(7, "chunk", Op::kAppend, "a\n"));
  PendingRows::Flush flush;
  p.BeginFlush(101, &flush);
  p.Apply(PendingRows::Commit().Add(7, "chunk", Op::kAppend, "b\n"));
  const PendingRows::Moment m = p.At([] { return uint64_t{101}; }, true);  // after the write
  std::string bytes;
  EXPECT_EQ(p.Read(m, 7, "chunk", &bytes), Found::kAppend);
  EXPECT_EQ(bytes, "b\n");
  p.EndFlush(flush, true);
  p.Release(m);
}

// Rows written while a snapshot was held are kept for it, and freed as soon as it is released,
// not at a next flush that an idle store never makes.
TEST(PendingRowsTest, RowsKeptForASnapshotAreFreedWhenItIsReleased) {
  PendingRows p;
  p.Apply(PendingRows::Commit().Add(7, "row", Op::kPut, std::string(1000, 'v')));
  const PendingRows::Moment m = p.At([] { return uint64_t{100}; }, true);
  PendingRows::Flush flush;
  p.BeginFlush(101, &flush);
  p.EndFlush(flush, true);
  EXPECT_GT(p.kept_bytes(), 1000u);
  p.Release(m);
  EXPECT_EQ(p.kept_bytes(), 0u);
}

// A commit appending to one row many times (a producer that does not merge its appends) holds
// the row's bytes once, not a copy per append.
TEST(PendingRowsTest, ARowAppendedManyTimesInOneCommitHoldsItsBytesOnce) {
  PendingRows p;
  PendingRows::Commit commit;
  const std::string line(100, 'x');
  for (int i = 0; i < 5000; ++i) commit.Add(7, "chunk", Op::kAppend, line);
  p.Apply(std::move(commit));
  EXPECT_LT(p.unflushed_bytes(), 4u << 20);  // 500 KB appended, twice with the commit's copy
  std::string bytes;
  ASSERT_EQ(p.Read(p.Latest(), 7, "chunk", &bytes), Found::kAppend);
  EXPECT_EQ(bytes.size(), 5000 * line.size());
  PendingRows::Flush flush;
  p.BeginFlush(1, &flush);
  ASSERT_EQ(flush.rows().size(), 1u);
  EXPECT_EQ(flush.rows()[0].bytes.size(), 5000 * line.size());
}

// A flush's rows may point into its own memory: a copy would read the original's.
static_assert(!std::is_copy_constructible_v<PendingRows::Flush>);
static_assert(std::is_move_constructible_v<PendingRows::Flush>);

TEST(WriteBehindTest, AViewCreatedAndCommittedToAsAFlushBeginsKeepsItsRows) {
  ScratchDir dir;
  std::unique_ptr<rocksdb::DB> db = OpenDb(dir);
  ASSERT_NE(db, nullptr);
  std::map<uint32_t, rocksdb::ColumnFamilyHandle*> families;
  rocksdb::ColumnFamilyHandle* created = nullptr;
  WriteBehind* behind = nullptr;
  bool once = true;
  {
    WriteBehind wb(
        db.get(), std::chrono::hours(1), /*lowest_priority=*/true,
        [&] {
          // The families as the flush asks for them; right after, another thread creates a
          // view and commits to it.
          const std::map<uint32_t, rocksdb::ColumnFamilyHandle*> asked = families;
          if (once) {
            once = false;
            EXPECT_TRUE(
                db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "new-view", &created).ok());
            families[created->GetID()] = created;
            rocksdb::WriteBatch batch;
            batch.Put(created, "row", "value");
            EXPECT_TRUE(behind->Defer(batch).ok());
          }
          return asked;
        },
        [](const Status&) {});
    behind = &wb;
    rocksdb::WriteBatch unrelated;  // something pending, so that the flush starts
    unrelated.Put(db->DefaultColumnFamily(), "x", "y");
    families[0] = db->DefaultColumnFamily();
    ASSERT_TRUE(wb.Defer(unrelated).ok());
    ASSERT_TRUE(wb.Flush().ok());
    ASSERT_NE(created, nullptr);
    std::string bytes;
    const Found held = wb.pending()->Read(wb.pending()->Latest(), created->GetID(), "row", &bytes);
    std::string stored;
    const rocksdb::Status s = db->Get(rocksdb::ReadOptions(), created, "row", &stored);
    EXPECT_TRUE(s.ok() || held != Found::kNo)
        << "the committed row is neither in RocksDB (" << s.ToString() << ") nor held";
    ASSERT_TRUE(wb.Flush().ok());  // and no later flush writes it either
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), created, "row", &stored).ok());
  }
  db->DestroyColumnFamilyHandle(created);
}

// The store's thread takes a core only when nobody else wants it, and never keeps waiting
// whoever needs the lock it holds.
TEST(WriteBehindTest, TheThreadWritesAtTheLowestPriorityAndIsRaisedWhileSomeoneWaitsForIt) {
  if (!WriteBehind::CanComeBackFromIdle()) GTEST_SKIP() << "no thread may leave SCHED_IDLE here";
  ScratchDir dir;
  std::unique_ptr<rocksdb::DB> db = OpenDb(dir);
  ASSERT_NE(db, nullptr);
  std::atomic<bool> in_flush{false}, release{false};
  std::atomic<int> policy_in_flush{-1};
  pthread_t flusher{};
  {
    WriteBehind wb(
        db.get(), std::chrono::milliseconds(5), /*lowest_priority=*/true,
        [&] {
          if (!in_flush.load()) {  // the first flush waits, holding the lock
            flusher = pthread_self();
            policy_in_flush = PolicyOf(pthread_self());
            in_flush = true;
            while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
          return std::map<uint32_t, rocksdb::ColumnFamilyHandle*>{{0, db->DefaultColumnFamily()}};
        },
        [](const Status&) {});
    rocksdb::WriteBatch batch;
    batch.Put("row", "value");
    ASSERT_TRUE(wb.Defer(batch).ok());
    ASSERT_TRUE(Eventually([&] { return in_flush.load(); }));
    EXPECT_EQ(policy_in_flush, SCHED_IDLE);
    std::thread waiter([&] { EXPECT_TRUE(wb.Flush().ok()); });
    EXPECT_TRUE(Eventually([&] { return PolicyOf(flusher) == SCHED_OTHER; }))
        << "the thread holding the lock someone waits for is still at the lowest priority";
    release = true;
    waiter.join();
    EXPECT_TRUE(Eventually([&] { return PolicyOf(flusher) == SCHED_IDLE; }))
        << "the thread did not go back to the lowest priority after its flush";
  }
}

// A store with nothing to write is on time, not late: its next flush is not hurried.
TEST(WriteBehindTest, AQuietStoreIsNotTakenForALateOne) {
  if (!WriteBehind::CanComeBackFromIdle()) GTEST_SKIP() << "no thread may leave SCHED_IDLE here";
  EXPECT_EQ(PolicyOfAFlushAfter(std::chrono::milliseconds(300)), SCHED_IDLE);
}

// Where a thread may not leave SCHED_IDLE (no CAP_SYS_NICE, RLIMIT_NICE 0: an unprivileged
// process, a container), the store's thread never goes there: nobody could raise it again.
// Checked in a process of its own, which drops the right (exit code 2: it could not).
TEST(WriteBehindTest, TheThreadStaysAtTheNormalPriorityWhereItCouldNotComeBack) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // nothing but exec here: the fork of a threaded process
    execl(WRITE_BEHIND_PRIORITY_CHILD_PATH, "write_behind_priority_child", nullptr);
    _exit(3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "could not drop CAP_SYS_NICE";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the store's thread flushed at the lowest priority";
}

}  // namespace
}  // namespace tandem::test
