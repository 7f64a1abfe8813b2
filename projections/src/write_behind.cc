#include "write_behind.h"

#include <string>
#include <utility>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "rocks_status.h"
#include "tandem/basics/logger.h"

namespace tandem {
namespace {

// A batch's changes, in order.
class Changes : public rocksdb::WriteBatch::Handler {
 public:
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
  std::vector<PendingRows::Change> Take() { return std::move(changes_); }

 private:
  rocksdb::Status Add(uint32_t family, const rocksdb::Slice& key, PendingRows::Op op,
                      const rocksdb::Slice& bytes) {
    changes_.push_back({family, key.ToString(), op, bytes.ToString()});
    return rocksdb::Status::OK();
  }

  std::vector<PendingRows::Change> changes_;
};

}  // namespace

WriteBehind::WriteBehind(rocksdb::DB* db, std::chrono::milliseconds interval, Families families,
                         std::function<void(const Status&)> on_failure)
    : db_(db),
      interval_(interval),
      families_(std::move(families)),
      on_failure_(std::move(on_failure)),
      thread_([this] { Run(); }) {}

WriteBehind::~WriteBehind() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

Status WriteBehind::Defer(const rocksdb::WriteBatch& batch) {
  Changes changes;
  Status s = FromRocks(batch.Iterate(&changes));
  if (!s.ok()) return s;
  pending_->Apply(changes.Take());
  if (pending_->unflushed_bytes() > kMaxPendingBytes) return Flush();
  return Status::OK();
}

Status WriteBehind::Flush() {
  std::lock_guard<std::mutex> lock(flush_mu_);
  return FlushLocked();
}

Status WriteBehind::FlushLocked() {
  if (!failed_.ok()) return failed_;
  if (pending_->empty()) return Status::OK();
  rocksdb::WriteBatch batch;
  std::vector<PendingRows::Row> rows;
  // No other write reaches RocksDB meanwhile (flush_mu_): this one takes the next sequence
  // numbers, which is how readers tell whether their snapshot holds it (pending_rows.h).
  const uint64_t upto = pending_->BeginFlush(db_->GetLatestSequenceNumber() + 1, &rows);
  // After sealing: a view created and committed to meanwhile has its family here.
  const std::map<uint32_t, rocksdb::ColumnFamilyHandle*> handles = families_();
  for (const PendingRows::Row& row : rows) {
    auto handle = handles.find(row.family);
    if (handle == handles.end()) continue;  // a view dropped since
    switch (row.found) {
      case PendingRows::Found::kValue:
        batch.Put(handle->second, row.key, row.bytes);
        break;
      case PendingRows::Found::kDeleted:
        batch.Delete(handle->second, row.key);
        break;
      case PendingRows::Found::kAppend:
        batch.Merge(handle->second, row.key, row.bytes);
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
  pending_->EndFlush(upto, written.ok());
  const size_t kept = pending_->kept_bytes();
  if ((kept > kWarnKeptBytes) != warned_) {
    warned_ = !warned_;
    if (warned_) {
      LogWarn("views", "rows written behind kept for readers' snapshots mb=" +
                           std::to_string(kept >> 20) + " (a snapshot held long keeps them)");
    }
  }
  if (written.ok() && batch.Count() > 0) written = db_->FlushWAL(false);
  if (!written.ok()) {
    failed_ = FromRocks(written);
    on_failure_(failed_);
  }
  return FromRocks(written);
}

void WriteBehind::Run() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, interval_, [this] { return stop_; });
    if (stop_) return;
    lock.unlock();
    if (!Flush().ok()) return;  // reported by the flush
    lock.lock();
  }
}

}  // namespace tandem
