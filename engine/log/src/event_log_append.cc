// The append path of EventLogImpl: validation and encoding on the caller's thread, then the
// single writer thread that group-commits.
#include <chrono>
#include <memory>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rocksdb/write_batch.h>

#include "event_log_impl.h"
#include "log_keys.h"
#include "tandem/basics/clock.h"
#include "tandem/basics/logger.h"
#include "tandem/events/event_record.h"

namespace tandem {
namespace {

// libstdc++'s atomic wait spins and yields before sleeping; with many waiters on few cores that
// spinning steals the CPU the writer needs, so waiters sleep on the futex directly.
void FutexWait(std::atomic<uint32_t>* word, uint32_t seen) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, seen, nullptr, nullptr,
          0);
}

void FutexWakeOne(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

void PutTenantRun(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                  const std::string& tenant, uint64_t first, uint64_t length) {
  batch->Put(cf, log_keys::TenantPositionKey(tenant, first), log_keys::TenantRunValue(length));
}

// Bounds the writer's memory; a miss only costs one index lookup.
constexpr size_t kMaxCachedStreamHeads = 1 << 20;

// What an append written but not known to be durable is answered.
Status OutcomeUnknown(const Status& failure) {
  return Status::IOError(failure.message() +
                         "; the append may or may not have been kept, retry it with the same "
                         "idempotency key");
}

}  // namespace

struct EventLogImpl::GroupState {
  rocksdb::WriteBatch batch;
  uint64_t next_position;
  int64_t recorded_at_us;
  // Idempotency keys as they will be once this group is written, with their owners.
  std::unordered_map<std::string, std::pair<log_keys::IdempotencyRecord, std::string>> keys;
  std::vector<PendingAppend*> staged;
  // The open tenant-index run of each tenant in this group: first position and length.
  std::unordered_map<std::string, std::pair<uint64_t, uint64_t>> tenant_runs;

  // Records that `tenant` owns positions [first, first + n): extends the tenant's open run
  // when they follow it, otherwise puts that run into the batch and opens a new one.
  void AddTenantPositions(rocksdb::ColumnFamilyHandle* cf, const std::string& tenant,
                          uint64_t first, uint64_t n) {
    auto [it, opened] = tenant_runs.try_emplace(tenant, first, n);
    if (opened) return;
    auto& [run_first, run_length] = it->second;
    if (run_first + run_length == first) {
      run_length += n;
      return;
    }
    PutTenantRun(&batch, cf, tenant, run_first, run_length);
    it->second = {first, n};
  }

  // Puts every open run into the batch; called once the group is fully staged.
  void CloseTenantRuns(rocksdb::ColumnFamilyHandle* cf) {
    for (const auto& [tenant, run] : tenant_runs) {
      PutTenantRun(&batch, cf, tenant, run.first, run.second);
    }
    tenant_runs.clear();
  }
};

Status EventLogImpl::Submit(const StreamId& stream, ExpectedVersion expected,
                            const std::vector<NewEvent>& events, const std::string& idempotency_key,
                            PendingAppend* p) {
  if (options_.read_only) return Status::InvalidArgument("the event log was opened read-only");
  if (broken_.load()) return BrokenError();
  Status s = stream.Validate();
  if (!s.ok()) return s;
  if (events.empty()) return Status::InvalidArgument("an append needs at least one event");
  if (events.size() > options_.max_events_per_append) {
    return Status::InvalidArgument("an append may carry at most " +
                                   std::to_string(options_.max_events_per_append) +
                                   " events, got " + std::to_string(events.size()));
  }
  if (idempotency_key.size() > options_.max_idempotency_key_bytes) {
    return Status::InvalidArgument("idempotency key is longer than " +
                                   std::to_string(options_.max_idempotency_key_bytes) + " bytes");
  }

  p->stream = stream;
  p->expected = expected;
  p->idempotency_key = idempotency_key;
  p->owner = events.front().actor;
  p->records.reserve(events.size());
  for (size_t i = 0; i < events.size(); i++) {
    if (events[i].payload.type == schema::Payload::NONE) {
      return Status::InvalidArgument("event " + std::to_string(i) + " has no payload");
    }
    p->records.push_back(event_record::Encode(stream, events[i]));
    if (p->records.back().size() > options_.max_event_bytes) {
      return Status::InvalidArgument(
          "event " + std::to_string(i) + " encodes to " + std::to_string(p->records.back().size()) +
          " bytes, more than the limit of " + std::to_string(options_.max_event_bytes));
    }
  }

  bool wake_writer = false;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (stopping_) return Status::Shutdown("the event log is closing");
    queue_.push_back(p);
    wake_writer = writer_idle_;
  }
  if (wake_writer) queue_cv_.notify_one();
  return Status::OK();
}

Status EventLogImpl::Append(const StreamId& stream, ExpectedVersion expected,
                            const std::vector<NewEvent>& events, const std::string& idempotency_key,
                            AppendResult* result) {
  return AppendIf({}, stream, expected, events, idempotency_key, result);
}

Status EventLogImpl::AppendIf(const std::vector<AppendCondition>& conditions,
                              const StreamId& stream, ExpectedVersion expected,
                              const std::vector<NewEvent>& events,
                              const std::string& idempotency_key, AppendResult* result) {
  *result = AppendResult();
  PendingAppend p;
  for (const AppendCondition& c : conditions) {
    Status s = c.stream.Validate();
    if (!s.ok()) return s;
  }
  p.conditions = conditions;
  Status s = Submit(stream, expected, events, idempotency_key, &p);
  if (!s.ok()) return s;
  while (p.done.load(std::memory_order_acquire) == 0) FutexWait(&p.done, 0);
  *result = p.result;
  return p.status;
}

void EventLogImpl::AppendAsync(const StreamId& stream, ExpectedVersion expected,
                               const std::vector<NewEvent>& events,
                               const std::string& idempotency_key, AppendCallback done) {
  auto p = std::make_unique<PendingAppend>();
  // An empty callback would make the append look like a blocking one that nobody waits for.
  if (!done) done = [](const Status&, const AppendResult&) {};
  p->callback = std::move(done);
  Status s = Submit(stream, expected, events, idempotency_key, p.get());
  if (s.ok()) {
    p.release();  // the writer owns it now; Complete passes it to the completion thread
    return;
  }
  p->status = s;
  std::vector<PendingAppend*> refused{p.release()};
  Complete(&refused);
}

void EventLogImpl::WriterLoop() {
  std::vector<PendingAppend*> group;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      writer_idle_ = true;
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has been written
      writer_idle_ = false;
      size_t events = 0;
      while (!queue_.empty() && (group.empty() || events + queue_.front()->records.size() <=
                                                      options_.max_group_commit_events)) {
        events += queue_.front()->records.size();
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    WriteGroup(std::move(group));
    group = {};
  }
}

bool EventLogImpl::StagedHead(const StreamId& stream, PendingAppend* p, uint64_t** head) {
  // The cache already holds the heads staged by earlier appends of this group.
  auto [cached, missed] = head_cache_.try_emplace(log_keys::StreamPrefix(stream), 0);
  if (missed) {
    Status s = LoadStreamHead(stream, kEndOfStream, &cached->second);
    if (!s.ok()) {
      head_cache_.erase(cached);
      p->status = s;
      return false;
    }
  }
  *head = &cached->second;
  return true;
}

bool EventLogImpl::MayDeduplicate(PendingAppend* p, const log_keys::IdempotencyRecord& first,
                                  const std::string* staged_owner) {
  std::string owner;
  if (staged_owner != nullptr) {
    owner = *staged_owner;
  } else {
    // Committed by an earlier group: its owner is the actor of the first event it wrote.
    RecordedEvent e;
    Status s = ReadRecord(first.first_position, &e);
    if (!s.ok()) {
      p->status = s;
      return false;
    }
    if (e.event().actor() != nullptr) owner = e.event().actor()->str();
  }
  if (first.stream_name == p->stream.name && owner == p->owner) return true;
  // Names neither the other stream nor the other actor: the key may be someone else's.
  p->status =
      Status::InvalidArgument("idempotency.key_reused", "idempotency key '" + p->idempotency_key +
                                                            "' was already used by another append");
  metrics_.AppendFailed();
  return false;
}

void EventLogImpl::StageAppend(PendingAppend* p, GroupState* g) {
  const StreamId& stream = p->stream;
  std::string idem_key;
  if (!p->idempotency_key.empty()) {
    idem_key = log_keys::IdempotencyKey(stream.tenant, p->idempotency_key);
    if (auto it = g->keys.find(idem_key); it != g->keys.end()) {
      if (!MayDeduplicate(p, it->second.first, &it->second.second)) return;
      const log_keys::IdempotencyRecord& first = it->second.first;
      p->result = {first.first_version, first.last_version, first.first_position,
                   first.last_position, /*deduplicated=*/true};
      metrics_.AppendDeduplicated();
      return;
    }
    std::string value;
    rocksdb::Status rs =
        store_->db()->Get(rocksdb::ReadOptions(), store_->idempotency(), idem_key, &value);
    if (!rs.ok() && !rs.IsNotFound()) {
      p->status = FromRocks(rs, "reading idempotency key");
      return;
    }
    if (rs.ok()) {
      log_keys::IdempotencyRecord first;
      if (!first.Decode(value)) {
        p->status =
            Status::Corruption("malformed idempotency record for key '" + p->idempotency_key + "'");
        return;
      }
      // Never answer a retry from a record its events do not confirm.
      if (Status c = CheckIdempotencyRecord(stream.tenant, first); !c.ok()) {
        p->status = c;
        return;
      }
      if (!MayDeduplicate(p, first, nullptr)) return;
      p->result = {first.first_version, first.last_version, first.first_position,
                   first.last_position, /*deduplicated=*/true};
      metrics_.AppendDeduplicated();
      return;
    }
  }

  for (const AppendCondition& c : p->conditions) {
    uint64_t* condition_head = nullptr;
    if (!StagedHead(c.stream, p, &condition_head)) return;
    if (!c.expected.IsSatisfiedBy(*condition_head)) {
      p->status = Status::WrongExpectedVersion(
          "stream " + c.stream.ToString() + ": expected version " + c.expected.ToString() +
          ", but the stream is at " +
          (*condition_head == 0 ? std::string("no_stream") : std::to_string(*condition_head)));
      metrics_.AppendConflicted();
      return;
    }
  }

  uint64_t* head_entry_ptr = nullptr;
  if (!StagedHead(stream, p, &head_entry_ptr)) return;
  uint64_t& head_entry = *head_entry_ptr;
  const uint64_t head = head_entry;
  if (!p->expected.IsSatisfiedBy(head)) {
    p->status = Status::WrongExpectedVersion(
        "stream " + stream.ToString() + ": expected version " + p->expected.ToString() +
        ", but the stream is at " + (head == 0 ? std::string("no_stream") : std::to_string(head)));
    metrics_.AppendConflicted();
    return;
  }

  const uint64_t n = p->records.size();
  for (uint64_t i = 0; i < n; i++) {
    const uint64_t version = head + 1 + i;
    const uint64_t position = g->next_position + i;
    event_record::Stamp(&p->records[i], version, position, g->recorded_at_us);
    std::string position_value = log_keys::EventKey(position);
    g->batch.Put(store_->events(), position_value, p->records[i]);
    g->batch.Put(store_->streams(), log_keys::StreamVersionKey(stream, version), position_value);
  }
  g->AddTenantPositions(store_->tenants(), stream.tenant, g->next_position, n);
  p->result = {head + 1, head + n, g->next_position, g->next_position + n - 1, false};
  if (!idem_key.empty()) {
    log_keys::IdempotencyRecord record{stream.name, p->result.first_version, p->result.last_version,
                                       p->result.first_position, p->result.last_position};
    g->batch.Put(store_->idempotency(), idem_key, record.Encode());
    g->keys.emplace(std::move(idem_key), std::make_pair(std::move(record), p->owner));
  }
  head_entry = head + n;
  g->next_position += n;
  g->staged.push_back(p);
}

void EventLogImpl::WriteGroup(std::vector<PendingAppend*> group) {
  // Bounded only between groups: mid-group, the cache holds the heads this group has staged.
  if (head_cache_.size() >= kMaxCachedStreamHeads) head_cache_.clear();
  GroupState g;
  g.next_position = last_written_ + 1;
  g.recorded_at_us = std::max(SystemNowMicros(), last_recorded_at_us_);
  for (PendingAppend* p : group) StageAppend(p, &g);
  g.CloseTenantRuns(store_->tenants());
  const uint64_t last = g.next_position - 1;  // last_written_ if nothing was staged

  const bool synced = options_.durability == Durability::kSynced;
  std::vector<PendingAppend*> staged = std::move(g.staged);
  if (synced) {
    // Handed over before the insert, so that the journal write and the memtable inserts
    // overlap. Even a group that writes nothing goes through the syncer: its answers
    // (deduplicated positions, conflicts seen against unsynced heads) may depend on groups
    // still syncing.
    WrittenGroup handed{std::move(group), last_written_ + 1, last,
                        staged.empty() ? std::string() : g.batch.Data()};
    {
      std::lock_guard<std::mutex> lock(sync_mu_);
      sync_queue_.push_back(std::move(handed));
    }
    sync_cv_.notify_one();
  }
  Status failure;
  if (!staged.empty()) {
    rocksdb::Status rs = broken_.load() ? rocksdb::Status::IOError("an earlier write failed")
                                        : store_->db()->Write(write_options_, &g.batch);
    failure = FromRocks(rs, "writing to the event log");
    if (failure.ok()) {
      last_recorded_at_us_ = g.recorded_at_us;
      last_written_ = last;
    } else {
      head_cache_.clear();  // it holds the heads of what was just not written
      LogError("event_log", "group write failed appends=" + std::to_string(staged.size()) +
                                " error=" + failure.ToString());
      // RocksDB's WAL writer keeps the error and must not be written or synced again.
      MarkBroken(failure);
    }
    if (synced) {
      // The journal may already hold this group, so after a failure its outcome is unknown
      // until a reopen recovers: refuse appends until then.
      {
        std::lock_guard<std::mutex> lock(sync_mu_);
        if (failure.ok()) {
          inserted_through_ = last;
        } else if (insert_failure_.ok()) {
          insert_failure_ = failure;
        }
      }
      sync_cv_.notify_one();
    }
  }
  if (synced) return;  // the syncer owns the appends now

  if (!failure.ok()) {
    // Part of the batch may have reached the WAL file and come back on reopen.
    for (PendingAppend* p : staged) {
      p->status = OutcomeUnknown(failure);
      p->result = AppendResult();
      metrics_.AppendFailed();
    }
  }
  std::vector<WrittenGroup> answered{{std::move(group), last_written_ + 1, last_written_, {}}};
  Acknowledge(&answered, last_written_, Status::OK());
}

void EventLogImpl::SyncerLoop() {
  std::vector<WrittenGroup> groups;
  std::string records;
  for (;;) {
    groups.clear();
    {
      std::unique_lock<std::mutex> lock(sync_mu_);
      sync_cv_.wait(lock, [&] { return sync_stopping_ || !sync_queue_.empty(); });
      if (sync_queue_.empty()) return;  // stopping, and every written group is answered
      groups.swap(sync_queue_);
    }
    uint64_t target = 0;
    for (const auto& g : groups) target = std::max(target, g.last_position);
    const uint64_t synced = LastPosition();
    Status failure;
    if (target > synced && broken_.load()) {
      // An earlier round failed between `synced` and `target`: nothing after it may be
      // acknowledged, even if this round's own write would succeed.
      failure = Status::IOError("an earlier group commit failed");
    } else if (target > synced) {
      auto start = std::chrono::steady_clock::now();
      records.clear();
      for (const auto& g : groups) {
        if (!g.batch.empty()) {
          journal_->EncodeRecord(g.first_position, g.last_position, g.batch, &records);
        }
      }
      failure = MakeDurable(records, target);
      metrics_.GroupCommit(
          target - synced,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (!failure.ok()) {
        MarkBroken(failure);
        LogError("event_log", "group commit sync failed; refusing appends until reopened error=" +
                                  failure.ToString());
      } else {
        failure = WaitForInserts(target);
      }
    }
    Acknowledge(&groups, failure.ok() ? target : synced, failure);
  }
}

Status EventLogImpl::MakeDurable(const std::string& records, uint64_t target) {
  if (journal_->Fits(records.size())) return journal_->Write(records);
  // The journal is full. Before it overwrites its start, everything it holds must be durable in
  // RocksDB: once this round's groups are inserted, one WAL sync covers them and all before.
  Status s = WaitForInserts(target);
  if (s.ok()) s = SyncWal();
  if (s.ok()) s = journal_->Rewind(target + 1);
  if (!s.ok()) return s;
  metrics_.JournalWrapped();
  LogInfo("event_log", "journal wrapped position=" + std::to_string(target));
  return Status::OK();
}

Status EventLogImpl::SyncWal() {
  // Not DB::SyncWAL: it syncs the WAL file beside the writer's inserts, and once one of them has
  // failed, RocksDB 7.8 trips an assertion in its WAL file writer (WritableFileWriter::
  // SyncWithoutFlush) instead of returning the error: builds with assertions, as Debian's,
  // abort. An empty synced write queues behind the writer's inserts in RocksDB's write queue,
  // syncs everything written before it, and after a failed insert is refused with RocksDB's
  // stored error before it touches the file.
  rocksdb::WriteOptions synced;
  synced.sync = true;
  rocksdb::WriteBatch empty;
  return FromRocks(store_->db()->Write(synced, &empty), "syncing the WAL before the journal wraps");
}

void EventLogImpl::MarkBroken(const Status& failure) {
  std::lock_guard<std::mutex> lock(broken_mu_);
  if (broken_reason_.ok()) broken_reason_ = failure;
  broken_.store(true);
}

Status EventLogImpl::BrokenError() {
  std::lock_guard<std::mutex> lock(broken_mu_);
  return Status::IOError("the event log refuses appends since an I/O error (" +
                         broken_reason_.message() + "); reopen it to recover");
}

Status EventLogImpl::WaitForInserts(uint64_t target) {
  std::unique_lock<std::mutex> lock(sync_mu_);
  sync_cv_.wait(lock, [&] { return inserted_through_ >= target || !insert_failure_.ok(); });
  return inserted_through_ >= target ? Status::OK() : insert_failure_;
}

void EventLogImpl::Acknowledge(std::vector<WrittenGroup>* groups, uint64_t last,
                               const Status& failure) {
  if (last > LastPosition()) {
    if (durable_) durable_->Publish(last);  // for readers in other processes
    {
      std::lock_guard<std::mutex> lock(commit_mu_);
      last_position_.store(last, std::memory_order_release);
    }
    commit_cv_.notify_all();
    metrics_.LastPosition(last);
  }
  std::vector<PendingAppend*> answered;
  for (auto& g : *groups) {
    for (PendingAppend* p : g.appends) {
      if (!failure.ok() && p->status.ok()) {
        // Written but not known to be durable: the outcome is unknown, so say so.
        p->status = OutcomeUnknown(failure);
        p->result = AppendResult();
      }
      if (p->status.ok() && !p->result.deduplicated) metrics_.AppendCommitted(p->records.size());
      if (p->callback) {
        answered.push_back(p);
      } else {
        // Each waiter sleeps on its own word, so only appenders whose answer is in are woken:
        // a shared word woke every blocked appender each round, half of them for nothing.
        // Once `done` is set the caller may return and free its PendingAppend; the wake then
        // hits a dead address, which at worst wakes a later futex there spuriously (as glibc's
        // mutex unlock may), and every futex waiter re-checks its condition.
        std::atomic<uint32_t>* done = &p->done;
        done->store(1, std::memory_order_release);
        FutexWakeOne(done);
      }
    }
  }
  if (!answered.empty()) Complete(&answered);
}

void EventLogImpl::Complete(std::vector<PendingAppend*>* answered) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(completion_mu_);
    wake = completion_queue_.empty();
    completion_queue_.insert(completion_queue_.end(), answered->begin(), answered->end());
  }
  answered->clear();
  if (wake) completion_cv_.notify_one();
}

void EventLogImpl::CompletionLoop() {
  std::vector<PendingAppend*> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(completion_mu_);
      completion_cv_.wait(lock, [&] { return completion_stopping_ || !completion_queue_.empty(); });
      if (completion_queue_.empty()) return;  // closing, and every callback has run
      batch.swap(completion_queue_);
    }
    for (PendingAppend* p : batch) {
      std::unique_ptr<PendingAppend> owned(p);
      try {
        owned->callback(owned->status, owned->result);
      } catch (const std::exception& e) {
        LogError("event_log", std::string("append callback threw: ") + e.what());
      } catch (...) {
        LogError("event_log", "append callback threw a non-standard exception");
      }
    }
    batch.clear();
  }
}

}  // namespace tandem
