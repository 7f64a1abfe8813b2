// WriteBehind: the part of the views database that takes commits into memory (PendingRows) and
// writes them to RocksDB later, every `interval`, on a thread of its own (ViewStoreOptions::
// write_behind). A live round's rows are then visible to this process's readers as soon as they
// are committed, and the memtable inserts (the dearest part of a live round on a small machine)
// leave the path from an append to the views: a row many commits change is written once per
// flush, in key order, with one checkpoint per view.
//
// Contract:
//  - Defer resolves a batch (an appended row against the value it has: in memory, else in
//    RocksDB) and makes it visible at once. Only the view that commits changes its rows, so a
//    row resolved here cannot be changed meanwhile by another commit.
//  - Flush writes every deferred row to RocksDB in one unsynced write through its log, then
//    writes the log out: a killed process keeps what was flushed, and loses what was not, rows
//    and checkpoints together (each view is folded again from the checkpoint RocksDB holds).
//  - Flushes are serialised with each other and with whatever holds LockFlushes() (dropping a
//    view: no flush writes to a family being dropped).
//  - A failed flush, whichever thread made it, is reported to `on_failure` once, and no flush is
//    made again (the rows it could not write stay held for readers): the store must refuse
//    commits from then on, which would otherwise be folded again on top of rows held.
//  - Asked to (`lowest_priority`), the thread writes at the lowest priority (SCHED_IDLE), where
//    the system allows it to come back: it runs on a core nobody else wants, so a live round never
//    waits for a core behind it. It is raised to the normal priority whenever someone waits for it
//    (another thread needing the flush lock it holds, rows past the bound) or it is late by far (a
//    machine busy with other work), and lowered again after that flush.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "pending_rows.h"
#include "tandem/basics/status.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace tandem {

class WriteBehind {
 public:
  using Families = std::function<std::map<uint32_t, rocksdb::ColumnFamilyHandle*>()>;
  // At the lowest priority only when `lowest_priority` (ViewStoreOptions::
  // write_behind_at_lowest_priority).
  WriteBehind(rocksdb::DB* db, std::chrono::milliseconds interval, bool lowest_priority,
              Families families, std::function<void(const Status&)> on_failure);
  // Stops the thread; flushes nothing (the store flushes first when it closes).
  ~WriteBehind();

  Status Defer(const rocksdb::WriteBatch& batch);
  Status Flush();
  // The lock a flush holds while it writes (no other write reaches RocksDB meanwhile), the
  // thread hurried first if it holds it.
  std::unique_lock<std::mutex> LockFlushes();
  // Flush with LockFlushes() held by the caller.
  Status FlushLocked();

  const std::shared_ptr<PendingRows>& pending() const { return pending_; }
  // Past this many bytes in memory, commits flush themselves (a flusher that cannot keep up
  // slows the folds down instead of growing without bound).
  static constexpr size_t kMaxPendingBytes = 64 << 20;
  // Rows written and still kept for readers' snapshots past this are logged (once until they
  // fall below): a snapshot held long keeps every row written since it was taken.
  static constexpr size_t kWarnKeptBytes = 256 << 20;
  // Whether a thread of this process may leave SCHED_IDLE once there (sched(7): an
  // unprivileged one only within its RLIMIT_NICE, 0 by default; a container may drop
  // CAP_SYS_NICE). The store's thread goes there only then.
  static bool CanComeBackFromIdle();
  // A flush this many intervals late is made at the normal priority.
  static constexpr int kLateIntervals = 20;

 private:
  void Run();
  // The thread at the normal priority until its next flush ends.
  void Hurry();
  // The thread back at the lowest priority unless hurried (before a flush), or if it was
  // hurried (after one).
  void Lower(bool after_flush);

  rocksdb::DB* const db_;
  const std::chrono::milliseconds interval_;
  const bool lowest_priority_;
  const Families families_;
  const std::function<void(const Status&)> on_failure_;
  std::shared_ptr<PendingRows> pending_ = std::make_shared<PendingRows>();
  std::mutex flush_mu_;
  Status failed_;                           // under flush_mu_
  bool warned_ = false;                     // of kept rows, under flush_mu_
  std::atomic<bool> idle_{false};           // the thread runs at SCHED_IDLE between hurries
  std::atomic<bool> hurried_{false};        // raised to the normal priority for its next flush
  std::atomic<int64_t> last_flush_end_ns_;  // steady clock, for telling a late flush
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tandem
