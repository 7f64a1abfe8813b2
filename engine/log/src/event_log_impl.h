// The RocksDB-backed EventLog. Appends are queued to a single writer thread that drains the
// queue into one WriteBatch per round: this gives commit-ordered, gap-free positions. In synced
// mode the writer does not wait for the disk: it hands each batch to a syncer thread, which
// writes it to the journal (journal.h) while the writer inserts it into RocksDB; the syncer
// acknowledges a group once both are done, and one journal write acknowledges every group
// handed over since the previous one (group commit, pipelined with the next group's write).
// The journal is sequential, so a synced group implies every earlier group is synced too;
// readers only ever see positions up to the last acknowledged one: every read is capped at
// LastPosition(), which is published to other processes through DurablePosition, and a
// read-only open takes its LastPosition() from there, never from RocksDB. Blocking appenders
// sleep on a futex word of their own, set when their append is answered; asynchronous appends
// are answered by a completion thread, so the syncer never runs user code.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <rocksdb/iterator.h>
#include <rocksdb/options.h>

#include "durable_position.h"
#include "journal.h"
#include "log_keys.h"
#include "log_metrics.h"
#include "log_store.h"
#include "tandem/log/event_log.h"

namespace tandem {

class EventLogImpl : public EventLog {
 public:
  // What Open found and recovered. `journal` is required for Durability::kSynced.
  struct Opened {
    std::unique_ptr<LogStore> store;
    std::unique_ptr<Journal> journal;
    // Set for a read-write open: where acknowledged positions are published.
    std::unique_ptr<DurablePosition> durable;
    uint64_t last_position = 0;
    int64_t last_recorded_at_us = 0;
    uint64_t journal_recovered_events = 0;
  };
  EventLogImpl(const EventLogOptions& options, Opened opened);
  ~EventLogImpl() override;

  Status Append(const StreamId& stream, ExpectedVersion expected,
                const std::vector<NewEvent>& events, const std::string& idempotency_key,
                AppendResult* result) override;
  Status AppendIf(const std::vector<AppendCondition>& conditions, const StreamId& stream,
                  ExpectedVersion expected, const std::vector<NewEvent>& events,
                  const std::string& idempotency_key, AppendResult* result) override;
  void AppendAsync(const StreamId& stream, ExpectedVersion expected,
                   const std::vector<NewEvent>& events, const std::string& idempotency_key,
                   AppendCallback done) override;
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
  Status FindIdempotentAppend(const std::string& tenant, const std::string& idempotency_key,
                              std::string* stream_name, AppendResult* result) override;
  uint64_t LastPosition() const override { return last_position_.load(std::memory_order_acquire); }
  Status PositionAtTime(int64_t recorded_at_us, uint64_t* position) override;
  Status Subscribe(const SubscriptionOptions& options,
                   std::unique_ptr<Subscription>* subscription) override;
  Status CheckEventTables() override;

  // The commit signal, shared with subscriptions so that they can outlive the log.
  struct CommitSignal {
    std::mutex mu;
    std::condition_variable cv;  // notified on each commit, on close, and when a subscriber leaves
    bool closing = false;
    int subscribers_inside = 0;  // in Next; the log's destructor waits until there is none

    // A subscription's Next runs between Enter and Leave. Enter returns false once the log is
    // closing or gone (Next then returns Shutdown without touching it).
    bool Enter();
    void Leave();
  };
  const std::shared_ptr<CommitSignal>& commit_signal() const { return commit_; }
  // Blocks until a position after `position` is committed (true), or until `deadline` or the
  // log closes (false; `closing` tells which). Only between CommitSignal Enter and Leave.
  bool WaitForCommitAfter(uint64_t position, std::chrono::steady_clock::time_point deadline,
                          bool* closing);

 private:
  struct PendingAppend {
    StreamId stream;
    ExpectedVersion expected = ExpectedVersion::Any();
    std::string idempotency_key;
    // The actor of the first event: a de-duplication is granted only to the same actor.
    std::string owner;
    std::vector<AppendCondition> conditions;
    std::vector<std::string> records;
    Status status;
    AppendResult result;
    // Set for AppendAsync, which owns the PendingAppend until the callback ran; a blocking
    // Append waits on `done` instead.
    AppendCallback callback;
    std::atomic<uint32_t> done{0};  // a futex word: 1 once answered
  };
  // What one group commit stages: its batch, positions, idempotency keys and tenant runs.
  struct GroupState;
  // A group handed to the syncer, waiting for the journal write that acknowledges it.
  struct WrittenGroup {
    std::vector<PendingAppend*> appends;
    uint64_t first_position;
    uint64_t last_position;
    std::string batch;  // the group's WriteBatch contents; empty if it wrote nothing
  };

  // Validates and encodes an append into `p`, then queues it for the writer.
  Status Submit(const StreamId& stream, ExpectedVersion expected,
                const std::vector<NewEvent>& events, const std::string& idempotency_key,
                PendingAppend* p);
  // The writer's current head of `stream` (staged heads of this group included); false and
  // p->status set when it cannot be read.
  bool StagedHead(const StreamId& stream, PendingAppend* p, uint64_t** head);
  // Whether `p` may be answered with the append `first` (same stream, same actor); sets
  // p->status otherwise. `staged_owner` is the owner when `first` is staged in this group,
  // null when it was committed earlier (its owner is then read from its first event).
  bool MayDeduplicate(PendingAppend* p, const log_keys::IdempotencyRecord& first,
                      const std::string* staged_owner);
  void WriterLoop();
  void WriteGroup(std::vector<PendingAppend*> group);
  void SyncerLoop();
  // Makes the groups up to `target` durable: writes `records` to the journal or, when they do
  // not fit before its end, syncs RocksDB's WAL and starts the journal over.
  Status MakeDurable(const std::string& records, uint64_t target);
  // Blocks until the writer has inserted every group up to `target` into RocksDB; the error
  // if an insert failed first.
  Status WaitForInserts(uint64_t target);
  // Syncs RocksDB's WAL, or returns the error that stopped its writes.
  Status SyncWal();
  // Refuses appends from now on, repeating the first `failure` until the log is reopened.
  void MarkBroken(const Status& failure);
  Status BrokenError();
  // Makes positions up to `last` visible, then answers every append of `groups`.
  void Acknowledge(std::vector<WrittenGroup>* groups, uint64_t last, const Status& failure);
  // Hands answered asynchronous appends to the completion thread.
  void Complete(std::vector<PendingAppend*>* answered);
  void CompletionLoop();
  // Stages one append into the group's batch, or sets its status to why it cannot be.
  void StageAppend(PendingAppend* p, GroupState* group);
  // The stream's last version whose position is at most `bound` (0 if none), from the index,
  // checked against that version's record. The writer passes kEndOfStream to include
  // written-but-unsynced versions. `reuse`, if given, is an iterator over the streams family to
  // seek instead of opening a new one.
  Status LoadStreamHead(const StreamId& stream, uint64_t bound, uint64_t* version,
                        rocksdb::Iterator* reuse = nullptr) const;
  Status ReadStream(const StreamId& stream, uint64_t from_version, bool forward,
                    const ReadOptions& options, std::vector<RecordedEvent>* events);
  Status ReadRecord(uint64_t position, RecordedEvent* event) const;
  // Whether `stream`'s last index entry is well formed and lies past `bound` (`prefix` is the
  // stream's key prefix; `it` is repositioned).
  bool LastEntryIsPast(const StreamId& stream, const std::string& prefix, uint64_t bound,
                       rocksdb::Iterator* it) const;
  // Reads the event at `position`, which the stream index gives for `stream`@`version`, and
  // checks that the record says the same (indexes are derived data, never trusted alone).
  Status ReadStreamRecord(const StreamId& stream, uint64_t version, uint64_t position,
                          RecordedEvent* event) const;
  // The events at `positions` (the stream index's entries for `versions` of `stream`), checked
  // as ReadStreamRecord does, appended to `events`. One MultiGet: a stream's events lie
  // scattered over the log, and a batch of lookups walks the tables once instead of once each.
  Status ReadStreamRecords(const StreamId& stream, const std::vector<uint64_t>& versions,
                           const std::vector<uint64_t>& positions,
                           std::vector<RecordedEvent>* events) const;
  // Checks an idempotency record of `tenant` against the events it names: spans that agree,
  // and first and last events of that tenant's stream at those versions. The writer calls it
  // too, before answering a retry with the record.
  Status CheckIdempotencyRecord(const std::string& tenant,
                                const log_keys::IdempotencyRecord& record) const;
  uint64_t ReadBound(const ReadOptions& options) const;

  const EventLogOptions options_;
  std::unique_ptr<LogStore> store_;
  LogMetrics metrics_;
  rocksdb::WriteOptions write_options_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<PendingAppend*> queue_;
  bool stopping_ = false;
  // Only an idle writer needs waking; while it writes, appenders queue without a wake-up call.
  bool writer_idle_ = true;

  // Owned by the writer thread. Each cached stream's head counts every append staged so far,
  // including the group being staged; cleared when a group's write fails.
  std::unordered_map<std::string, uint64_t> head_cache_;
  int64_t last_recorded_at_us_;
  uint64_t last_written_;

  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::vector<WrittenGroup> sync_queue_;
  bool sync_stopping_ = false;
  // The last position the writer has inserted into RocksDB, and why an insert failed if one did.
  uint64_t inserted_through_;
  Status insert_failure_;
  std::unique_ptr<Journal> journal_;  // used by the syncer only
  // Set when a journal write, WAL sync or insert failed: what was written since is of unknown
  // durability, so the log refuses further appends until it is reopened (and recovery decides).
  // Once set, nothing writes to or syncs RocksDB's WAL again (see SyncWal).
  std::atomic<bool> broken_{false};
  std::mutex broken_mu_;
  Status broken_reason_;  // the first failure, which refusals repeat

  std::mutex completion_mu_;
  std::condition_variable completion_cv_;
  std::vector<PendingAppend*> completion_queue_;
  bool completion_stopping_ = false;

  std::atomic<uint64_t> last_position_;
  std::unique_ptr<DurablePosition> durable_;  // null for a read-only log
  const std::shared_ptr<CommitSignal> commit_ = std::make_shared<CommitSignal>();
  std::mutex& commit_mu_ = commit_->mu;
  std::condition_variable& commit_cv_ = commit_->cv;

  std::thread writer_;
  std::thread syncer_;
  std::thread completer_;
};

}  // namespace tandem
