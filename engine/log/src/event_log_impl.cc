#include "event_log_impl.h"

#include <algorithm>
#include <functional>

#include "journal_recovery.h"
#include "log_keys.h"
#include "log_subscription.h"
#include "tandem/basics/logger.h"
#include "tandem/basics/named_thread.h"
#include "tandem/events/event_record.h"
#include "tandem/rocks/table_checksums.h"

namespace tandem {

Status EventLog::Open(const EventLogOptions& options, const std::string& path,
                      std::unique_ptr<EventLog>* log) {
  EventLogImpl::Opened opened;
  // A read-only open sees only what the writer has acknowledged: RocksDB also holds groups
  // whose journal write is under way or failed. The published position is read before RocksDB
  // is opened, so everything it covers is in what the open sees.
  uint64_t published = 0;
  Status published_status;
  if (options.read_only) published_status = DurablePosition::Read(path, &published);
  Status s =
      LogStore::Open(path, options.create_if_missing && !options.read_only, options.read_only,
                     &opened.store, options.file_system, options.max_wal_bytes);
  if (!s.ok()) return s;
  if (published_status.IsNotFound()) {
    // Fail closed: without it nothing tells which of RocksDB's positions are durable.
    return Status::NotFound("the event log at " + path + " has no " + DurablePosition::kFileName +
                            " (every read-write open writes it): open it read-write once");
  }
  if (!published_status.ok()) return published_status;
  LogStore* store = opened.store.get();
  if (!options.read_only) {
    s = RecoverFromJournal(options, store, &opened.journal, &opened.journal_recovered_events);
    if (!s.ok()) return s;
  }
  uint64_t& last = opened.last_position;
  s = store->LastEventPosition(&last);
  if (!s.ok()) return s;
  if (options.read_only) {
    if (last < published) {
      // A power loss took what RocksDB held of the latest acknowledged appends (they are in the
      // journal, which only a read-write open replays). Read as it stands, the log would go
      // back in time: views folded further would look ahead of it and be dropped.
      return Status::NotFound(
          "log.recovery_pending",
          "the event log at " + path + " acknowledged events up to position " +
              std::to_string(published) + " but its database holds " + std::to_string(last) +
              " (a power loss took the rest from its database): a read-write open, such as "
              "starting tandem serve, recovers what its journal holds");
    }
    // Below RocksDB's last only while the writer's newest groups are unacknowledged, or after a
    // power loss took the file's latest updates (the next read-write open rewrites it).
    last = std::min(last, published);
  } else {
    s = DurablePosition::OpenForWriting(path, last, options.durability == Durability::kBuffered,
                                        &opened.durable);
    if (!s.ok()) return s;
  }
  if (last > 0) {
    // The writer continues the recorded-time sequence from the last event, so that sequence
    // never goes backwards even if the clock does.
    RecordedEvent event;
    std::string bytes;
    s = FromRocks(
        store->db()->Get(rocksdb::ReadOptions(), store->events(), log_keys::EventKey(last), &bytes),
        "reading the last event");
    if (s.ok()) {
      event = RecordedEvent(bytes);
      s = event_record::Verify(event.bytes(), last);
    }
    if (!s.ok()) return Status::Corruption(s.message() + " (run `tandem verify`)");
    opened.last_recorded_at_us = event.event().recorded_at_us();
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
      last_position_(opened.last_position),
      durable_(std::move(opened.durable)) {
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
    // Subscribers waiting in Next are woken with Shutdown, and the log is not torn down while
    // any is still inside.
    std::unique_lock<std::mutex> lock(commit_mu_);
    commit_->closing = true;
    commit_cv_.notify_all();
    commit_cv_.wait(lock, [&] { return commit_->subscribers_inside == 0; });
  }
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
  // So that the next open, read-only ones above all, replays no write-ahead log. What is not
  // flushed is still in the (synced) write-ahead log: a failure costs the next open time only.
  if (!options_.read_only && !broken_.load()) {
    Status flushed = store_->FlushAll();
    if (!flushed.ok()) LogWarn("event_log", "not flushed at close: " + flushed.message());
  }
  LogInfo("event_log", "closed last_position=" + std::to_string(LastPosition()));
}

uint64_t EventLogImpl::ReadBound(const ReadOptions& options) const {
  uint64_t last = LastPosition();
  return options.as_of_position == 0 ? last : std::min(options.as_of_position, last);
}

namespace {

// The event read at `position` (rs, bytes), verified.
Status CheckedRecord(uint64_t position, const rocksdb::Status& rs, const rocksdb::Slice& bytes,
                     RecordedEvent* event) {
  if (rs.IsNotFound()) {
    return Status::Corruption("event at position " + std::to_string(position) +
                              " is missing from the log");
  }
  if (!rs.ok()) return FromRocks(rs, "reading position " + std::to_string(position));
  // Copied into aligned storage before the verifier reads it in place.
  RecordedEvent e(bytes.ToStringView());
  Status s = event_record::Verify(e.bytes(), position);
  if (!s.ok()) return s;
  *event = std::move(e);
  return Status::OK();
}

// Whether the event the stream index gives for `stream`@`version` says the same.
Status CheckStreamEntry(const StreamId& stream, uint64_t version, uint64_t position,
                        const RecordedEvent& event) {
  const schema::Event& e = event.event();
  if (e.tenant()->string_view() != stream.tenant || e.stream_id()->string_view() != stream.name ||
      e.stream_version() != version) {
    return Status::Corruption("stream index " + stream.ToString() + "@" + std::to_string(version) +
                              " points at position " + std::to_string(position) +
                              ", which holds another stream's event");
  }
  return Status::OK();
}

Status PointsAtZero(const StreamId& stream, uint64_t version) {
  return Status::Corruption("stream index " + stream.ToString() + "@" + std::to_string(version) +
                            " points at position 0");
}

}  // namespace

Status EventLogImpl::ReadRecord(uint64_t position, RecordedEvent* event) const {
  rocksdb::PinnableSlice bytes;
  rocksdb::Status rs = store_->db()->Get(rocksdb::ReadOptions(), store_->events(),
                                         log_keys::EventKey(position), &bytes);
  return CheckedRecord(position, rs, bytes, event);
}

Status EventLogImpl::ReadStreamRecord(const StreamId& stream, uint64_t version, uint64_t position,
                                      RecordedEvent* event) const {
  if (position == 0) return PointsAtZero(stream, version);
  Status s = ReadRecord(position, event);
  return s.ok() ? CheckStreamEntry(stream, version, position, *event) : s;
}

Status EventLogImpl::ReadStreamRecords(const StreamId& stream,
                                       const std::vector<uint64_t>& versions,
                                       const std::vector<uint64_t>& positions,
                                       std::vector<RecordedEvent>* events) const {
  const size_t n = positions.size();
  std::vector<std::string> keys(n);
  std::vector<rocksdb::Slice> slices(n);
  for (size_t i = 0; i < n; ++i) {
    if (positions[i] == 0) return PointsAtZero(stream, versions[i]);
    keys[i] = log_keys::EventKey(positions[i]);
    slices[i] = keys[i];
  }
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  store_->db()->MultiGet(rocksdb::ReadOptions(), store_->events(), n, slices.data(), values.data(),
                         statuses.data());
  for (size_t i = 0; i < n; ++i) {
    RecordedEvent e;
    Status s = CheckedRecord(positions[i], statuses[i], values[i], &e);
    if (s.ok()) s = CheckStreamEntry(stream, versions[i], positions[i], e);
    if (!s.ok()) return s;
    events->push_back(std::move(e));
  }
  return Status::OK();
}

Status EventLogImpl::Get(uint64_t position, RecordedEvent* event) {
  if (position == 0 || position > LastPosition()) {
    return Status::NotFound("no event at position " + std::to_string(position) +
                            " (last position is " + std::to_string(LastPosition()) + ")");
  }
  return ReadRecord(position, event);
}

namespace {

// The version at the end of a streams-family key under `prefix`: false if the key is not
// exactly the prefix and eight bytes, or names version 0.
bool StreamKeyVersion(const rocksdb::Slice& key, const std::string& prefix, uint64_t* version) {
  if (key.size() != prefix.size() + 8) return false;
  *version = log_keys::ReadBigEndian64(key.data() + prefix.size());
  return *version != 0;
}

Status MalformedStreamEntry(const StreamId& stream) {
  return Status::Corruption("malformed stream index entry of " + stream.ToString());
}

}  // namespace

Status EventLogImpl::LoadStreamHead(const StreamId& stream, uint64_t bound, uint64_t* version,
                                    rocksdb::Iterator* reuse) const {
  const std::string prefix = log_keys::StreamPrefix(stream);
  std::unique_ptr<rocksdb::Iterator> owned;
  if (reuse == nullptr) {
    owned.reset(store_->db()->NewIterator(rocksdb::ReadOptions(), store_->streams()));
  }
  rocksdb::Iterator* it = reuse != nullptr ? reuse : owned.get();
  *version = 0;
  uint64_t head = 0, position = 0;
  for (it->SeekForPrev(log_keys::StreamVersionKey(stream, kEndOfStream));
       it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (!StreamKeyVersion(it->key(), prefix, &head) || it->value().size() != 8) {
      return MalformedStreamEntry(stream);
    }
    position = log_keys::ReadBigEndian64(it->value().data());
    if (position <= bound) break;
    head = 0;
  }
  Status s = FromRocks(it->status(), "reading the head of stream " + stream.ToString());
  if (!s.ok() || head == 0) return s;
  // Appends continue from the head, so a damaged entry must not pass for it.
  RecordedEvent e;
  s = ReadStreamRecord(stream, head, position, &e);
  if (s.ok()) *version = head;
  return s;
}

Status EventLogImpl::StreamHead(const StreamId& stream, uint64_t* version) {
  *version = 0;
  Status s = stream.Validate();
  if (!s.ok()) return s;
  // The index may already hold written-but-unsynced versions; report the last visible one.
  return LoadStreamHead(stream, LastPosition(), version);
}

Status EventLogImpl::CheckIdempotencyRecord(const std::string& tenant,
                                            const log_keys::IdempotencyRecord& record) const {
  const StreamId stream{tenant, record.stream_name};
  if (!stream.Validate().ok() || record.first_version == 0 || record.first_position == 0 ||
      record.last_version < record.first_version || record.last_position < record.first_position ||
      record.last_position - record.first_position != record.last_version - record.first_version) {
    return Status::Corruption("malformed idempotency record of tenant '" + tenant + "'");
  }
  for (auto [version, position] : {std::pair{record.first_version, record.first_position},
                                   std::pair{record.last_version, record.last_position}}) {
    RecordedEvent e;
    Status s = ReadRecord(position, &e);
    if (!s.ok()) return s;
    const schema::Event& event = e.event();
    if (event.tenant()->string_view() != tenant ||
        event.stream_id()->string_view() != record.stream_name ||
        event.stream_version() != version) {
      return Status::Corruption("an idempotency record of tenant '" + tenant + "' names position " +
                                std::to_string(position) + ", which holds another stream's event");
    }
  }
  return Status::OK();
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
  s = CheckIdempotencyRecord(tenant, record);
  if (!s.ok()) return s;
  *stream_name = record.stream_name;
  *result = {record.first_version, record.last_version, record.first_position, record.last_position,
             /*deduplicated=*/true};
  return Status::OK();
}

// When it does, no version after the entries a read looked at can be visible unless the index
// is damaged between them, which `tandem verify` finds.
bool EventLogImpl::LastEntryIsPast(const StreamId& stream, const std::string& prefix,
                                   uint64_t bound, rocksdb::Iterator* it) const {
  uint64_t version = 0;
  it->SeekForPrev(log_keys::StreamVersionKey(stream, kEndOfStream));
  return it->Valid() && it->key().starts_with(prefix) &&
         StreamKeyVersion(it->key(), prefix, &version) && it->value().size() == 8 &&
         log_keys::ReadBigEndian64(it->value().data()) > bound;
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
  // Versions are checked to follow each other from the first one found; reading forward, that
  // one must be from_version itself unless the stream ends before it.
  uint64_t expected = forward ? from_version : 0;
  if (forward) {
    it->Seek(start);
  } else {
    it->SeekForPrev(start);
    uint64_t found = 0;
    if (it->Valid() && it->key().starts_with(prefix) &&
        StreamKeyVersion(it->key(), prefix, &found) && found < from_version) {
      // Reading backward from beyond the stream's end is normal; from beyond a hole is not.
      it->Next();
      if (it->Valid() && it->key().starts_with(prefix)) {
        return Status::Corruption("stream index of " + stream.ToString() + " is missing version " +
                                  std::to_string(found + 1));
      }
      it->SeekForPrev(start);
    }
  }
  uint64_t previous_position = forward ? 0 : kEndOfStream;
  bool past_bound = false;  // reading forward, a version past the bound ended the page
  std::vector<uint64_t> versions, positions;
  // A damaged index entry is reported after the events before it are read and checked: the
  // first problem in version order is the one named.
  Status index;
  for (; it->Valid() && it->key().starts_with(prefix) && positions.size() < options.max_count;
       forward ? it->Next() : it->Prev()) {
    uint64_t version = 0;
    if (!StreamKeyVersion(it->key(), prefix, &version) || it->value().size() != 8) {
      index = MalformedStreamEntry(stream);
      break;
    }
    if (expected == 0) expected = version;  // the first entry read backward
    if (version != expected) {
      index = Status::Corruption("stream index of " + stream.ToString() + " is missing version " +
                                 std::to_string(expected));
      break;
    }
    expected = forward ? version + 1 : version - 1;
    uint64_t position = log_keys::ReadBigEndian64(it->value().data());
    if (forward ? position <= previous_position : position >= previous_position) {
      index = Status::Corruption("stream index of " + stream.ToString() + " gives version " +
                                 std::to_string(version) + " position " + std::to_string(position) +
                                 " out of order");
      break;
    }
    previous_position = position;
    if (position > bound) {
      // Within a stream positions grow with versions: going forward nothing further is
      // visible; going backward, older versions may be.
      if (!forward) continue;
      past_bound = true;
      break;
    }
    if (position == 0) {
      index = PointsAtZero(stream, version);
      break;
    }
    versions.push_back(version);
    positions.push_back(position);
  }
  s = ReadStreamRecords(stream, versions, positions, events);
  if (s.ok()) s = index;
  if (s.ok()) s = FromRocks(it->status(), "reading stream " + stream.ToString());
  if (!s.ok() || !events->empty()) return s;
  if (past_bound && from_version > 1 && LastEntryIsPast(stream, prefix, bound, it.get())) {
    // The stream goes on past the bound from `from_version` and its last entry is past it too:
    // when the version before is visible, it is the head as of the bound, found with two reads
    // instead of a walk back over every later version (which made a read of the past cost what
    // was appended since). Anything else (a visible entry past a gap, a damaged last entry)
    // takes the walk, which names the damage.
    uint64_t version = 0;
    it->Seek(log_keys::StreamVersionKey(stream, from_version - 1));
    if (it->Valid() && it->key().starts_with(prefix) &&
        StreamKeyVersion(it->key(), prefix, &version) && version == from_version - 1 &&
        it->value().size() == 8) {
      const uint64_t position = log_keys::ReadBigEndian64(it->value().data());
      RecordedEvent head;
      if (position != 0 && position <= bound) {
        return ReadStreamRecord(stream, version, position, &head);
      }
    }
  }
  // An empty page is normal past a stream's end; a stream with no visible event is a mistake
  // (a mistyped name, another tenant's stream) that the caller should hear about.
  uint64_t head = 0;
  s = LoadStreamHead(stream, bound, &head, it.get());
  if (s.ok() && head == 0)
    return Status::NotFound("stream " + stream.ToString() + " does not exist");
  if (s.ok() && forward && head >= from_version) {
    return Status::Corruption("stream index of " + stream.ToString() + " is missing version " +
                              std::to_string(from_version));
  }
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
    // Copied into aligned storage before the verifier reads it in place.
    RecordedEvent e(it->value().ToStringView());
    Status s = event_record::Verify(e.bytes(), position);
    if (!s.ok()) return s;
    events->push_back(std::move(e));
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
  uint64_t next_free = 1;  // runs must not overlap: each starts at or after this
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    uint64_t length = 0;
    if (it->key().size() != prefix.size() + 8 ||
        !log_keys::ParseTenantRunValue(it->value().ToStringView(), &length)) {
      return Status::Corruption("malformed tenant index entry of '" + tenant + "'" +
                                (it->key().size() == prefix.size() + 8
                                     ? " at position " + std::to_string(log_keys::ReadBigEndian64(
                                                             it->key().data() + prefix.size()))
                                     : std::string()));
    }
    const uint64_t first = log_keys::ReadBigEndian64(it->key().data() + prefix.size());
    if (first < next_free || length > kEndOfStream - first) {
      return Status::Corruption("tenant index of '" + tenant + "' has a run at position " +
                                std::to_string(first) + " overlapping the one before it");
    }
    next_free = first + length;
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

Status EventLogImpl::CheckEventTables() {
  std::vector<rocksdb::LiveFileMetaData> tables;
  store_->db()->GetLiveFilesMetaData(&tables);
  uint64_t count = 0, bytes = 0;
  for (const rocksdb::LiveFileMetaData& table : tables) {
    if (table.column_family_name != store_->events()->GetName()) continue;
    count++;
    bytes += table.size;
  }
  LogInfo("event_log", "checking the events' tables tables=" + std::to_string(count) +
                           " mb=" + std::to_string(bytes >> 20));
  // A line per tenth on a log big enough to take a while (about a second per GB here, cold).
  constexpr uint64_t kProgressFromBytes = 1ull << 30;
  uint64_t next_tenth = 1;
  const auto progress = [&](uint64_t done, uint64_t total) {
    for (; total >= kProgressFromBytes && next_tenth <= done * 10 / total; ++next_tenth) {
      LogInfo("event_log",
              "checking the events' tables percent=" + std::to_string(next_tenth * 10) +
                  " mb=" + std::to_string(done >> 20) + "/" + std::to_string(total >> 20));
    }
  };
  return FromRocks(VerifyTableChecksums(store_->db(), {store_->events()}, progress),
                   "checking the events' tables");
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

bool EventLogImpl::CommitSignal::Enter() {
  std::lock_guard<std::mutex> lock(mu);
  if (closing) return false;
  subscribers_inside++;
  return true;
}

void EventLogImpl::CommitSignal::Leave() {
  {
    std::lock_guard<std::mutex> lock(mu);
    subscribers_inside--;
  }
  cv.notify_all();  // a closing log waits on it for the last subscriber to leave
}

bool EventLogImpl::WaitForCommitAfter(uint64_t position,
                                      std::chrono::steady_clock::time_point deadline,
                                      bool* closing) {
  std::unique_lock<std::mutex> lock(commit_mu_);
  commit_cv_.wait_until(lock, deadline,
                        [&] { return commit_->closing || LastPosition() > position; });
  *closing = commit_->closing;
  return !*closing && LastPosition() > position;
}

}  // namespace tandem
