#include "write_behind.h"

#include <pthread.h>
#include <sched.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "rocks_status.h"
#include "tandem/basics/logger.h"
#include "tandem/basics/named_thread.h"

namespace tandem {
namespace {

// A batch's changes, in order, copied into one commit.
class Changes : public rocksdb::WriteBatch::Handler {
 public:
  explicit Changes(PendingRows::Commit* commit) : commit_(commit) {}
  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return Add(family, key, PendingRows::Op::kPut, value);
  }
  rocksdb::Status DeleteCF(uint32_t family, const rocksdb::Slice& key) override {
    return Add(family, key, PendingRows::Op::kDelete, rocksdb::Slice());
  }
  rocksdb::Status MergeCF(uint32_t family, const rocksdb::Slice& key,
                          const rocksdb::Slice& bytes) override {
    return Add(family, key, PendingRows::Op::kAppend, bytes);
  }

 private:
  rocksdb::Status Add(uint32_t family, const rocksdb::Slice& key, PendingRows::Op op,
                      const rocksdb::Slice& bytes) {
    commit_->Add(family, key.ToStringView(), op, bytes.ToStringView());
    return rocksdb::Status::OK();
  }

  PendingRows::Commit* commit_;
};

}  // namespace

WriteBehind::WriteBehind(rocksdb::DB* db, std::chrono::milliseconds interval, bool lowest_priority,
                         Families families, std::function<void(const Status&)> on_failure)
    : db_(db),
      interval_(interval),
      lowest_priority_(lowest_priority),
      families_(std::move(families)),
      on_failure_(std::move(on_failure)),
      last_flush_end_ns_(std::chrono::steady_clock::now().time_since_epoch().count()),
      thread_(NamedThread("tandem-behind", [this] { Run(); })) {}

WriteBehind::~WriteBehind() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  Hurry();  // a flush in progress ends at the normal priority
  thread_.join();
}

Status WriteBehind::Defer(const rocksdb::WriteBatch& batch) {
  PendingRows::Commit commit;
  commit.Reserve(batch.GetDataSize());  // a little more than its keys and values
  Changes changes(&commit);
  Status s = FromRocks(batch.Iterate(&changes));
  if (!s.ok()) return s;
  pending_->Apply(std::move(commit));
  if (pending_->unflushed_bytes() > kMaxPendingBytes) return Flush();
  const int64_t late = std::chrono::nanoseconds(interval_ * kLateIntervals).count();
  if (std::chrono::steady_clock::now().time_since_epoch().count() - last_flush_end_ns_ > late) {
    Hurry();
  }
  return Status::OK();
}

Status WriteBehind::Flush() {
  std::unique_lock<std::mutex> lock = LockFlushes();
  return FlushLocked();
}

std::unique_lock<std::mutex> WriteBehind::LockFlushes() {
  std::unique_lock<std::mutex> lock(flush_mu_, std::try_to_lock);
  if (lock.owns_lock()) return lock;
  Hurry();  // it holds the lock: at SCHED_IDLE on a busy machine it might never let go
  lock.lock();
  return lock;
}

void WriteBehind::Hurry() {
  if (!idle_ || hurried_.exchange(true)) return;
  sched_param normal{};
  pthread_setschedparam(thread_.native_handle(), SCHED_OTHER, &normal);
}

// Called by the thread itself, before each flush and after it. A Hurry may land between the
// flag's test and the lowering: the flag is read again after it, so a hurried flush is never
// made at the lowest priority. A raise that lands late leaves the thread at the normal
// priority until the next flush lowers it again (the cost is a flush at that priority).
void WriteBehind::Lower(bool after_flush) {
  if (!idle_) return;
  if (after_flush ? !hurried_.exchange(false) : hurried_.load()) return;
  sched_param param{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
  if (hurried_.load()) pthread_setschedparam(pthread_self(), SCHED_OTHER, &param);
}

// Tried on a thread of its own: the one asking must not be left there.
bool WriteBehind::CanComeBackFromIdle() {
  bool can = false;
  std::thread([&] {
    sched_param param{};
    can = pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) == 0 &&
          pthread_setschedparam(pthread_self(), SCHED_OTHER, &param) == 0;
  }).join();
  return can;
}

Status WriteBehind::FlushLocked() {
  if (!failed_.ok()) return failed_;
  if (pending_->empty()) {
    last_flush_end_ns_ = std::chrono::steady_clock::now().time_since_epoch().count();
    return Status::OK();  // on time: a quiet store is not a late one
  }
  PendingRows::Flush flush;
  // No other write reaches RocksDB meanwhile (flush_mu_): this one takes the next sequence
  // numbers, which is how readers tell whether their snapshot holds it (pending_rows.h).
  pending_->BeginFlush(db_->GetLatestSequenceNumber() + 1, &flush);
  // After sealing: a view created and committed to meanwhile has its family here.
  const std::map<uint32_t, rocksdb::ColumnFamilyHandle*> handles = families_();
  // Sized at once (its header, and at most 16 bytes of tag, family and lengths per row): a
  // flush of 100,000 rows would otherwise copy its batch a dozen times as it grows.
  rocksdb::WriteBatch batch(12 + flush.bytes() + 16 * flush.rows().size());
  for (const PendingRows::FlushRow& row : flush.rows()) {
    auto handle = handles.find(row.family);
    if (handle == handles.end()) continue;  // a view dropped since
    switch (row.found) {
      case PendingRows::Found::kValue:
        batch.Put(handle->second, rocksdb::Slice(row.key), rocksdb::Slice(row.bytes));
        break;
      case PendingRows::Found::kDeleted:
        batch.Delete(handle->second, rocksdb::Slice(row.key));
        break;
      case PendingRows::Found::kAppend:
        batch.Merge(handle->second, rocksdb::Slice(row.key), rocksdb::Slice(row.bytes));
        break;
      case PendingRows::Found::kNo:
        break;
    }
  }
  rocksdb::Status written;
  if (batch.Count() > 0) {
    // Unsynced, like every commit of the views: the log is the record (view_store.h).
    written = db_->Write(rocksdb::WriteOptions(), &batch);
  }
  // Written, readers of RocksDB see the rows even if its log cannot take them (the store then
  // takes no more commits).
  pending_->EndFlush(flush, written.ok());
  const size_t kept = pending_->kept_bytes();
  if ((kept > kWarnKeptBytes) != warned_) {
    warned_ = !warned_;
    if (warned_) {
      LogWarn("views", "rows written behind kept for readers' snapshots mb=" +
                           std::to_string(kept >> 20) + " (a snapshot held long keeps them)");
    }
  }
  if (written.ok() && batch.Count() > 0) written = db_->FlushWAL(false);
  last_flush_end_ns_ = std::chrono::steady_clock::now().time_since_epoch().count();
  if (!written.ok()) {
    failed_ = FromRocks(written);
    on_failure_(failed_);
  }
  return FromRocks(written);
}

void WriteBehind::Run() {
  // Only where the thread can also come back: one stuck at SCHED_IDLE would keep whoever waits
  // for its lock waiting on a busy machine.
  if (lowest_priority_) {
    idle_ = CanComeBackFromIdle();
    LogInfo("views", "rows written behind every " + std::to_string(interval_.count()) +
                         (idle_ ? " ms by a thread at the lowest priority"
                                : " ms by a thread at the normal priority (this process may not "
                                  "leave SCHED_IDLE: RLIMIT_NICE below 20 and no CAP_SYS_NICE)"));
  }
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, interval_, [this] { return stop_; });
    if (stop_) return;
    lock.unlock();
    Lower(false);
    if (!Flush().ok()) return;  // reported by the flush
    Lower(true);
    lock.lock();
  }
}

}  // namespace tandem
