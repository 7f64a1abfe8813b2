#include "event_log_impl.h"

#include <algorithm>
#include <functional>

#include <pthread.h>

#include "journal_recovery.h"
#include "log_keys.h"
#include "log_subscription.h"
#include "tandem/basics/logger.h"
#include "tandem/events/event_record.h"

namespace tandem {
namespace {

// Named threads show up by role in `top -H`, perf and gdb (names are at most 15 characters).
std::thread NamedThread(const char* name, std::function<void()> body) {
  std::thread t(std::move(body));
  pthread_setname_np(t.native_handle(), name);
  return t;
}

}  // namespace

Status EventLog::Open(const EventLogOptions& options, const std::string& path,
                      std::unique_ptr<EventLog>* log) {
  EventLogImpl::Opened opened;
  Status s = LogStore::Open(path, options.create_if_missing && !options.read_only,
                            options.read_only, &opened.store, options.file_system);
  if (!s.ok()) return s;
  LogStore* store = opened.store.get();
  if (!options.read_only) {
    s = RecoverFromJournal(options, store, &opened.journal, &opened.journal_recovered_events);
    if (!s.ok()) return s;
  }
  uint64_t& last = opened.last_position;
  s = store->LastEventPosition(&last);
  if (!s.ok()) return s;
  if (last > 0) {
    // The writer continues the recorded-time sequence from the last event, so that sequence
    // never goes backwards even if the clock does.
    std::string bytes;
    s = FromRocks(
        store->db()->Get(rocksdb::ReadOptions(), store->events(), log_keys::EventKey(last), &bytes),
        "reading the last event");
    if (s.ok()) s = event_record::Verify(bytes, last);
    if (!s.ok()) return Status::Corruption(s.message() + " (run `tandem verify`)");
    opened.last_recorded_at_us = schema::GetEvent(bytes.data())->recorded_at_us();
  }
  LogInfo("event_log",
          "opened path=" + path + " last_position=" + std::to_string(last) +
              " durability=" + (options.durability == Durability::kSynced ? "synced" : "buffered") +
              (options.read_only ? " read_only=true" : ""));
  log->reset(new EventLogImpl(options, std::move(opened)));
  return Status::OK();
}

EventLogImpl::EventLogImpl(const EventLogOptions& options, Opened opened)
    : options_(options),
      store_(std::move(opened.store)),
      metrics_(options.metrics),
      last_recorded_at_us_(opened.last_recorded_at_us),
      last_written_(opened.last_position),
      inserted_through_(opened.last_position),
      journal_(std::move(opened.journal)),
      last_position_(opened.last_position) {
  // Durability comes from the syncer's journal write, not from the write itself.
  write_options_.sync = false;
  metrics_.LastPosition(opened.last_position);
  metrics_.JournalRecovered(opened.journal_recovered_events);
  completer_ = NamedThread("tandem-callback", [this] { CompletionLoop(); });
  if (!options_.read_only) {
    writer_ = NamedThread("tandem-writer", [this] { WriterLoop(); });
    if (options_.durability == Durability::kSynced) {
      syncer_ = NamedThread("tandem-journal", [this] { SyncerLoop(); });
    }
  }
}

EventLogImpl::~EventLogImpl() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync_stopping_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  {
    std::lock_guard<std::mutex> lock(completion_mu_);
    completion_stopping_ = true;
  }
  completion_cv_.notify_all();
  completer_.join();
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    closing_ = true;
  }
  commit_cv_.notify_all();
  LogInfo("event_log", "closed last_position=" + std::to_string(LastPosition()));
}

uint64_t EventLogImpl::ReadBound(const ReadOptions& options) const {
  uint64_t last = LastPosition();
  return options.as_of_position == 0 ? last : std::min(options.as_of_position, last);
}

Status EventLogImpl::ReadRecord(uint64_t position, RecordedEvent* event) const {
  std::string bytes;
  rocksdb::Status rs = store_->db()->Get(rocksdb::ReadOptions(), store_->events(),
                                         log_keys::EventKey(position), &bytes);
  if (rs.IsNotFound()) {
    return Status::Corruption("event at position " + std::to_string(position) +
                              " is missing from the log");
  }
  if (!rs.ok()) return FromRocks(rs, "reading position " + std::to_string(position));
  Status s = event_record::Verify(bytes, position);
  if (!s.ok()) return s;
  *event = RecordedEvent(std::move(bytes));
  return Status::OK();
}

Status EventLogImpl::Get(uint64_t position, RecordedEvent* event) {
  if (position == 0 || position > LastPosition()) {
    return Status::NotFound("no event at position " + std::to_string(position) +
                            " (last position is " + std::to_string(LastPosition()) + ")");
  }
  return ReadRecord(position, event);
}

Status EventLogImpl::LoadStreamHead(const StreamId& stream, uint64_t bound, uint64_t* version,
                                    rocksdb::Iterator* reuse) const {
  const std::string prefix = log_keys::StreamPrefix(stream);
  std::unique_ptr<rocksdb::Iterator> owned;
  if (reuse == nullptr) {
    owned.reset(store_->db()->NewIterator(rocksdb::ReadOptions(), store_->streams()));
  }
  rocksdb::Iterator* it = reuse != nullptr ? reuse : owned.get();
  *version = 0;
  for (it->SeekForPrev(log_keys::StreamVersionKey(stream, kEndOfStream));
       it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (it->value().size() != 8) return Status::Corruption("malformed stream index entry");
    if (log_keys::ReadBigEndian64(it->value().data()) <= bound) {
      *version = log_keys::ReadBigEndian64(it->key().data() + it->key().size() - 8);
      break;
    }
  }
  return FromRocks(it->status(), "reading the head of stream " + stream.ToString());
}

Status EventLogImpl::StreamHead(const StreamId& stream, uint64_t* version) {
  *version = 0;
  Status s = stream.Validate();
  if (!s.ok()) return s;
  // The index may already hold written-but-unsynced versions; report the last visible one.
  return LoadStreamHead(stream, LastPosition(), version);
}

Status EventLogImpl::FindIdempotentAppend(const std::string& tenant,
                                          const std::string& idempotency_key,
                                          std::string* stream_name, AppendResult* result) {
  *result = AppendResult();
  Status s = ValidateTenant(tenant);
  if (!s.ok()) return s;
  if (idempotency_key.empty()) return Status::InvalidArgument("empty idempotency key");
  std::string value;
  rocksdb::Status rs = store_->db()->Get(rocksdb::ReadOptions(), store_->idempotency(),
                                         log_keys::IdempotencyKey(tenant, idempotency_key), &value);
  if (rs.IsNotFound()) return Status::NotFound("idempotency key not used");
  if (!rs.ok()) return FromRocks(rs, "reading idempotency key");
  log_keys::IdempotencyRecord record;
  if (!record.Decode(value)) {
    return Status::Corruption("malformed idempotency record for key '" + idempotency_key + "'");
  }
  // Written but not yet synced is not committed: the caller's own append will find out.
  if (record.last_position > LastPosition()) return Status::NotFound("idempotency key pending");
  *stream_name = record.stream_name;
  *result = {record.first_version, record.last_version, record.first_position, record.last_position,
             /*deduplicated=*/true};
  return Status::OK();
}

Status EventLogImpl::ReadStream(const StreamId& stream, uint64_t from_version, bool forward,
                                const ReadOptions& options, std::vector<RecordedEvent>* events) {
  events->clear();
  Status s = stream.Validate();
  if (!s.ok()) return s;
  const uint64_t bound = ReadBound(options);
  const std::string prefix = log_keys::StreamPrefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->streams()));
  const std::string start = log_keys::StreamVersionKey(stream, from_version);
  forward ? it->Seek(start) : it->SeekForPrev(start);
  for (; it->Valid() && it->key().starts_with(prefix) && events->size() < options.max_count;
       forward ? it->Next() : it->Prev()) {
    if (it->value().size() != 8) return Status::Corruption("malformed stream index entry");
    uint64_t position = log_keys::ReadBigEndian64(it->value().data());
    if (position > bound) {
      // Within a stream positions grow with versions: going forward nothing further is
      // visible; going backward, older versions may be.
      if (forward) break;
      continue;
    }
    RecordedEvent e;
    s = ReadRecord(position, &e);
    if (!s.ok()) return s;
    events->push_back(std::move(e));
  }
  s = FromRocks(it->status(), "reading stream " + stream.ToString());
  if (!s.ok() || !events->empty()) return s;
  // An empty page is normal past a stream's end; a stream with no visible event is a mistake
  // (a mistyped name, another tenant's stream) that the caller should hear about.
  uint64_t head = 0;
  s = LoadStreamHead(stream, bound, &head, it.get());
  if (s.ok() && head == 0)
    return Status::NotFound("stream " + stream.ToString() + " does not exist");
  return s;
}

Status EventLogImpl::ReadStreamForward(const StreamId& stream, uint64_t from_version,
                                       const ReadOptions& options,
                                       std::vector<RecordedEvent>* events) {
  return ReadStream(stream, std::max<uint64_t>(from_version, 1), true, options, events);
}

Status EventLogImpl::ReadStreamBackward(const StreamId& stream, uint64_t from_version,
                                        const ReadOptions& options,
                                        std::vector<RecordedEvent>* events) {
  return ReadStream(stream, from_version, false, options, events);
}

Status EventLogImpl::ReadAll(uint64_t from_position, const ReadOptions& options,
                             std::vector<RecordedEvent>* events) {
  events->clear();
  const uint64_t bound = ReadBound(options);
  uint64_t expected = std::max<uint64_t>(from_position, 1);
  if (expected > bound) return Status::OK();
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->events()));
  for (it->Seek(log_keys::EventKey(expected));
       it->Valid() && events->size() < options.max_count && expected <= bound;
       it->Next(), expected++) {
    uint64_t position = 0;
    if (!log_keys::ParseEventKey(it->key().ToStringView(), &position) || position != expected) {
      return Status::Corruption("event at position " + std::to_string(expected) +
                                " is missing from the log");
    }
    Status s = event_record::Verify(it->value().ToStringView(), position);
    if (!s.ok()) return s;
    events->emplace_back(it->value().ToString());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading $all");
  if (events->size() < options.max_count && expected <= bound) {
    return Status::Corruption("event at position " + std::to_string(expected) +
                              " is missing from the log");
  }
  return Status::OK();
}

Status EventLogImpl::ReadTenant(const std::string& tenant, uint64_t from_position,
                                const ReadOptions& options, std::vector<RecordedEvent>* events) {
  events->clear();
  Status s = ValidateTenant(tenant);
  if (!s.ok()) return s;
  const uint64_t bound = ReadBound(options);
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  const std::string prefix = log_keys::TenantPrefix(tenant);
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->tenants()));
  // The run that covers `from`, if any, starts at or before it.
  const std::string start = log_keys::TenantPositionKey(tenant, from);
  it->SeekForPrev(start);
  if (!it->Valid() || !it->key().starts_with(prefix)) it->Seek(start);
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const uint64_t first = log_keys::ReadBigEndian64(it->key().data() + it->key().size() - 8);
    uint64_t length = 0;
    if (!log_keys::ParseTenantRunValue(it->value().ToStringView(), &length)) {
      return Status::Corruption("malformed tenant index entry of '" + tenant + "' at position " +
                                std::to_string(first));
    }
    for (uint64_t position = std::max(first, from); position - first < length; position++) {
      if (position > bound || events->size() >= options.max_count) return Status::OK();
      RecordedEvent e;
      s = ReadRecord(position, &e);
      if (!s.ok()) return s;
      // The index is derived data; the record itself has the last word on whose event it is.
      if (e.event().tenant()->string_view() != tenant) {
        return Status::Corruption("tenant index of '" + tenant + "' points at position " +
                                  std::to_string(position) + " of another tenant");
      }
      events->push_back(std::move(e));
    }
  }
  return FromRocks(it->status(), "reading tenant " + tenant);
}

Status EventLogImpl::PositionAtTime(int64_t recorded_at_us, uint64_t* position) {
  // Recorded times never decrease along the log, so the answer is a binary search.
  uint64_t lo = 0, hi = LastPosition();  // invariant: time(lo) <= t < time(hi + 1)
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    RecordedEvent e;
    Status s = ReadRecord(mid, &e);
    if (!s.ok()) return s;
    if (e.event().recorded_at_us() <= recorded_at_us) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  *position = lo;
  return Status::OK();
}

Status EventLogImpl::Subscribe(const SubscriptionOptions& options,
                               std::unique_ptr<Subscription>* subscription) {
  if (!options.tenant.empty()) {
    Status s = ValidateTenant(options.tenant);
    if (!s.ok()) return s;
  }
  if (options.page_size == 0) return Status::InvalidArgument("page_size must be positive");
  subscription->reset(new LogSubscription(this, options));
  return Status::OK();
}

bool EventLogImpl::WaitForCommitAfter(uint64_t position,
                                      std::chrono::steady_clock::time_point deadline,
                                      bool* closing) {
  std::unique_lock<std::mutex> lock(commit_mu_);
  commit_cv_.wait_until(lock, deadline, [&] { return closing_ || LastPosition() > position; });
  *closing = closing_;
  return LastPosition() > position;
}

}  // namespace tandem
