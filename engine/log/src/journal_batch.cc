#include "journal_batch.h"

#include <string>
#include <vector>

#include "log_keys.h"
#include "tandem/events/event_record.h"

namespace tandem {
namespace {

struct StoredPut {
  uint32_t family;
  std::string key, value;
};

// Collects the batch's puts; any other operation makes the batch one the writer never builds.
class PutCollector : public rocksdb::WriteBatch::Handler {
 public:
  std::vector<StoredPut> puts;
  std::string refused;  // the first operation that is not a put, if any

  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    puts.push_back({family, key.ToString(), value.ToString()});
    return rocksdb::Status::OK();
  }
  rocksdb::Status PutEntityCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Refuse("an entity put");
  }
  rocksdb::Status DeleteCF(uint32_t, const rocksdb::Slice&) override { return Refuse("a delete"); }
  rocksdb::Status SingleDeleteCF(uint32_t, const rocksdb::Slice&) override {
    return Refuse("a single delete");
  }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Refuse("a range delete");
  }
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Refuse("a merge");
  }
  rocksdb::Status PutBlobIndexCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Refuse("a blob index");
  }
  void LogData(const rocksdb::Slice&) override { Refuse("log data"); }
  rocksdb::Status MarkBeginPrepare(bool) override { return Refuse("a transaction marker"); }
  rocksdb::Status MarkEndPrepare(const rocksdb::Slice&) override {
    return Refuse("a transaction marker");
  }
  rocksdb::Status MarkNoop(bool) override { return Refuse("a transaction marker"); }
  rocksdb::Status MarkRollback(const rocksdb::Slice&) override {
    return Refuse("a transaction marker");
  }
  rocksdb::Status MarkCommit(const rocksdb::Slice&) override {
    return Refuse("a transaction marker");
  }
  rocksdb::Status MarkCommitWithTimestamp(const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Refuse("a transaction marker");
  }
  bool Continue() override { return refused.empty(); }

 private:
  rocksdb::Status Refuse(const char* what) {
    if (refused.empty()) refused = what;
    return rocksdb::Status::Corruption(what);
  }
};

// What one event of the batch says about itself, and which index entries have claimed it.
struct EventFacts {
  StreamId stream;
  uint64_t version = 0;
  bool indexed = false, in_tenant_run = false, in_idempotency = false;
};

class BatchChecker {
 public:
  BatchChecker(const LogStore& store, uint64_t first, uint64_t last)
      : store_(store), first_(first), last_(last) {}

  Status Check(const std::vector<StoredPut>& puts) {
    const uint32_t events = store_.events()->GetID();
    // Events first: every index entry is checked against them.
    uint64_t event_puts = 0;
    for (const StoredPut& p : puts) event_puts += p.family == events;
    if (event_puts != last_ - first_ + 1) {
      return Fail("it holds " + std::to_string(event_puts) + " events");
    }
    facts_.resize(event_puts);
    for (const StoredPut& p : puts) {
      if (p.family != events) continue;
      Status s = CheckEvent(p);
      if (!s.ok()) return s;
    }
    for (const StoredPut& p : puts) {
      Status s;
      if (p.family == events) continue;
      if (p.family == store_.streams()->GetID()) {
        s = CheckStreamEntry(p);
      } else if (p.family == store_.tenants()->GetID()) {
        s = CheckTenantRun(p);
      } else if (p.family == store_.idempotency()->GetID()) {
        s = CheckIdempotencyRecord(p);
      } else {
        s = Fail("it writes to column family " + std::to_string(p.family));
      }
      if (!s.ok()) return s;
    }
    for (uint64_t i = 0; i < facts_.size(); i++) {
      if (!facts_[i].indexed || !facts_[i].in_tenant_run) {
        return Fail("position " + std::to_string(first_ + i) + " is missing from " +
                    (facts_[i].indexed ? "the tenant index" : "the stream index"));
      }
    }
    return Status::OK();
  }

  const std::vector<EventFacts>& facts() const { return facts_; }
  const std::vector<std::string>& idempotency_keys() const { return idempotency_keys_; }

  Status Fail(const std::string& why) const {
    return Status::Corruption("the journal's record of positions " + std::to_string(first_) + ".." +
                              std::to_string(last_) + " is not a batch of its events: " + why);
  }

 private:
  bool InRecord(uint64_t position) const { return position >= first_ && position <= last_; }
  EventFacts& Facts(uint64_t position) { return facts_[position - first_]; }

  Status CheckEvent(const StoredPut& p) {
    uint64_t position = 0;
    if (!log_keys::ParseEventKey(p.key, &position) || !InRecord(position)) {
      return Fail("an event key is not a position of the record");
    }
    EventFacts& f = Facts(position);
    if (f.version != 0) return Fail("position " + std::to_string(position) + " is written twice");
    Status s = event_record::Verify(p.value, position);
    if (!s.ok()) return Fail(s.message());
    const schema::Event* e = schema::GetEvent(p.value.data());
    f.stream = {e->tenant()->str(), e->stream_id()->str()};
    f.version = e->stream_version();
    if (f.version == 0) return Fail("the event at " + std::to_string(position) + " has no version");
    return Status::OK();
  }

  Status CheckStreamEntry(const StoredPut& p) {
    StreamId stream;
    uint64_t version = 0, position = 0;
    if (!log_keys::ParseStreamVersionKey(p.key, &stream, &version) ||
        !log_keys::ParseEventKey(p.value, &position) || !InRecord(position)) {
      return Fail("a stream index entry does not name a position of the record");
    }
    EventFacts& f = Facts(position);
    if (f.indexed || !(f.stream == stream) || f.version != version) {
      return Fail("the stream index entry " + stream.ToString() + "@" + std::to_string(version) +
                  " does not match the event at " + std::to_string(position));
    }
    f.indexed = true;
    return Status::OK();
  }

  Status CheckTenantRun(const StoredPut& p) {
    std::string tenant;
    uint64_t run_first = 0, length = 0;
    if (!log_keys::ParseTenantPositionKey(p.key, &tenant, &run_first) ||
        !log_keys::ParseTenantRunValue(p.value, &length) || !InRecord(run_first) ||
        length > last_ - run_first + 1) {
      return Fail("a tenant index run does not lie within the record");
    }
    for (uint64_t position = run_first; position - run_first < length; position++) {
      EventFacts& f = Facts(position);
      if (f.in_tenant_run || f.stream.tenant != tenant) {
        return Fail("the tenant index run of '" + tenant + "' does not match the event at " +
                    std::to_string(position));
      }
      f.in_tenant_run = true;
    }
    return Status::OK();
  }

  Status CheckIdempotencyRecord(const StoredPut& p) {
    log_keys::IdempotencyRecord r;
    const size_t separator = p.key.find('\0');
    if (separator == std::string::npos || separator == 0 || separator + 1 == p.key.size() ||
        !r.Decode(p.value) || !InRecord(r.first_position) || !InRecord(r.last_position) ||
        r.last_position < r.first_position || r.first_version > r.last_version ||
        r.last_position - r.first_position != r.last_version - r.first_version) {
      return Fail("an idempotency record does not name positions of the record");
    }
    const StreamId stream{p.key.substr(0, separator), r.stream_name};
    for (uint64_t position = r.first_position; position <= r.last_position; position++) {
      EventFacts& f = Facts(position);
      if (f.in_idempotency || !(f.stream == stream) ||
          f.version != r.first_version + (position - r.first_position)) {
        return Fail("an idempotency record of '" + stream.tenant +
                    "' does not match the event at " + std::to_string(position));
      }
      f.in_idempotency = true;
    }
    idempotency_keys_.push_back(p.key);
    return Status::OK();
  }

  const LogStore& store_;
  const uint64_t first_, last_;
  std::vector<EventFacts> facts_;
  std::vector<std::string> idempotency_keys_;
};

// Checks the batch on its own, leaving its facts in `checker` and its puts in `puts`.
Status ParseBatch(std::string_view payload, BatchChecker* checker, std::vector<StoredPut>* puts) {
  rocksdb::WriteBatch stored{std::string(payload)};
  PutCollector collector;
  rocksdb::Status rs = stored.Iterate(&collector);
  if (!collector.refused.empty()) return checker->Fail("it holds " + collector.refused);
  if (!rs.ok()) return checker->Fail(rs.ToString());
  if (collector.puts.size() != stored.Count()) return checker->Fail("its count is wrong");
  *puts = std::move(collector.puts);
  return checker->Check(*puts);
}

}  // namespace

JournalBatchChecker::JournalBatchChecker(const LogStore& store)
    : store_(store), streams_(store.db()->NewIterator(rocksdb::ReadOptions(), store.streams())) {}

JournalBatchChecker::~JournalBatchChecker() = default;

Status JournalBatchChecker::StoredHead(const StreamId& stream, uint64_t* version) {
  const std::string prefix = log_keys::StreamPrefix(stream);
  *version = 0;
  streams_->SeekForPrev(log_keys::StreamVersionKey(stream, UINT64_MAX));
  if (streams_->Valid() && streams_->key().starts_with(prefix)) {
    if (streams_->key().size() != prefix.size() + 8) {
      return Status::Corruption("malformed stream index key of " + stream.ToString());
    }
    *version = log_keys::ReadBigEndian64(streams_->key().data() + prefix.size());
  }
  return FromRocks(streams_->status(), "reading the head of stream " + stream.ToString());
}

Status JournalBatchChecker::Check(uint64_t first, uint64_t last, std::string_view payload) {
  BatchChecker checker(store_, first, last);
  std::vector<StoredPut> puts;
  Status s = ParseBatch(payload, &checker, &puts);
  if (!s.ok()) return s;
  // Each stream continues where the store, or the record before, left it.
  for (uint64_t i = 0; i < checker.facts().size(); i++) {
    const EventFacts& f = checker.facts()[i];
    auto [head, missing] = heads_.try_emplace(log_keys::StreamPrefix(f.stream), 0);
    if (missing) {
      s = StoredHead(f.stream, &head->second);
      if (!s.ok()) return s;
    }
    if (f.version != head->second + 1) {
      return checker.Fail("stream " + f.stream.ToString() + " is at version " +
                          std::to_string(head->second) + ", but position " +
                          std::to_string(first + i) + " holds its version " +
                          std::to_string(f.version));
    }
    head->second = f.version;
  }
  // An idempotency key answers for the first append that used it, never for a later one.
  for (const std::string& key : checker.idempotency_keys()) {
    std::string value;
    rocksdb::Status rs =
        store_.db()->Get(rocksdb::ReadOptions(), store_.idempotency(), key, &value);
    if (!rs.ok() && !rs.IsNotFound()) return FromRocks(rs, "reading an idempotency key");
    if (rs.ok() || !idempotency_keys_.insert(key).second) {
      return checker.Fail("it reuses an idempotency key of an earlier append");
    }
  }
  return Status::OK();
}

Status RebuildJournalBatch(const LogStore& store, uint64_t first, uint64_t last,
                           std::string_view payload, rocksdb::WriteBatch* rebuilt) {
  BatchChecker checker(store, first, last);
  std::vector<StoredPut> puts;
  Status s = ParseBatch(payload, &checker, &puts);
  if (!s.ok()) return s;
  rebuilt->Clear();
  rocksdb::ColumnFamilyHandle* families[] = {store.events(), store.streams(), store.tenants(),
                                             store.idempotency()};
  for (const StoredPut& p : puts) {
    for (rocksdb::ColumnFamilyHandle* family : families) {
      if (family->GetID() != p.family) continue;
      rocksdb::Status rs = rebuilt->Put(family, p.key, p.value);
      if (!rs.ok()) return FromRocks(rs, "rebuilding the journal's batch");
    }
  }
  return Status::OK();
}

}  // namespace tandem
