// The RocksDB-backed EventLog. Appends are queued to a single writer thread that drains the
// queue into one WriteBatch per round (group commit): this gives commit-ordered, gap-free
// positions and one WAL sync for all appends that arrived while the previous write ran.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <rocksdb/options.h>

#include "log_metrics.h"
#include "log_store.h"
#include "tandem/event_log.h"

namespace tandem {

class EventLogImpl : public EventLog {
 public:
  EventLogImpl(const EventLogOptions& options, std::unique_ptr<LogStore> store,
               uint64_t last_position, int64_t last_recorded_at_us);
  ~EventLogImpl() override;

  Status Append(const StreamId& stream, ExpectedVersion expected,
                const std::vector<NewEvent>& events, const std::string& idempotency_key,
                AppendResult* result) override;
  Status ReadStreamForward(const StreamId& stream, uint64_t from_version,
                           const ReadOptions& options, std::vector<RecordedEvent>* events) override;
  Status ReadStreamBackward(const StreamId& stream, uint64_t from_version,
                            const ReadOptions& options,
                            std::vector<RecordedEvent>* events) override;
  Status ReadAll(uint64_t from_position, const ReadOptions& options,
                 std::vector<RecordedEvent>* events) override;
  Status ReadTenant(const std::string& tenant, uint64_t from_position, const ReadOptions& options,
                    std::vector<RecordedEvent>* events) override;
  Status Get(uint64_t position, RecordedEvent* event) override;
  Status StreamHead(const StreamId& stream, uint64_t* version) override;
  uint64_t LastPosition() const override { return last_position_.load(std::memory_order_acquire); }
  Status PositionAtTime(int64_t recorded_at_us, uint64_t* position) override;
  Status Subscribe(const SubscriptionOptions& options,
                   std::unique_ptr<Subscription>* subscription) override;

  // Blocks until a position after `position` is committed (true), or until `deadline` or the
  // log closes (false; `closing` tells which).
  bool WaitForCommitAfter(uint64_t position, std::chrono::steady_clock::time_point deadline,
                          bool* closing);

 private:
  struct PendingAppend {
    const StreamId* stream;
    ExpectedVersion expected;
    const std::string* idempotency_key;
    std::vector<std::string> records;
    Status status;
    AppendResult result;
    std::binary_semaphore done{0};
  };
  // What one group commit changes, applied to the caches only once the write succeeded.
  struct GroupState;

  void WriterLoop();
  void CommitGroup(const std::vector<PendingAppend*>& group);
  // Stages one append into the group's batch, or sets its status to why it cannot be.
  void StageAppend(PendingAppend* p, GroupState* group);
  Status LoadStreamHead(const StreamId& stream, uint64_t* version) const;
  Status ReadRecord(uint64_t position, RecordedEvent* event) const;
  uint64_t ReadBound(const ReadOptions& options) const;

  const EventLogOptions options_;
  std::unique_ptr<LogStore> store_;
  LogMetrics metrics_;
  rocksdb::WriteOptions write_options_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<PendingAppend*> queue_;
  bool stopping_ = false;

  // Owned by the writer thread.
  std::unordered_map<std::string, uint64_t> head_cache_;
  int64_t last_recorded_at_us_;

  std::atomic<uint64_t> last_position_;
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  bool closing_ = false;

  std::thread writer_;
};

}  // namespace tandem
