#include "tandem/log/log_verifier.h"

#include <filesystem>
#include <memory>
#include <set>

#include "log_keys.h"
#include "log_store.h"
#include "tandem/events/event_record.h"
#include "tandem/events/recorded_event.h"
#include "tandem/schema/tandem_events_generated.h"

namespace tandem {
namespace {

class FolderVerifier {
 public:
  FolderVerifier(const LogStore& store, const VerifyOptions& options, VerifyReport* report)
      : store_(store), options_(options), report_(report) {}

  Status Run() {
    Status s = CheckEvents();
    if (s.ok()) s = CheckStreamIndex();
    if (s.ok()) s = CheckTenantIndex();
    if (s.ok()) s = CheckIdempotencyKeys();
    return s;
  }

 private:
  void Progress(const std::string& pass, uint64_t done) {
    if (options_.progress && options_.progress_every && done % options_.progress_every == 0) {
      options_.progress(pass, done, last_);
    }
  }

  // Reads and verifies the event at `position`, which an index claims exists.
  Status LoadIndexed(uint64_t position, const std::string& index, const schema::Event** event) {
    if (position == 0 || position > last_) {
      return Status::Corruption(index + " points at position " + std::to_string(position) +
                                ", outside the log (1.." + std::to_string(last_) + ")");
    }
    rocksdb::PinnableSlice bytes;
    rocksdb::Status rs = store_.db()->Get(rocksdb::ReadOptions(), store_.events(),
                                          log_keys::EventKey(position), &bytes);
    if (!rs.ok()) return FromRocks(rs, index + " -> position " + std::to_string(position));
    // Records were verified in the first pass; read in place only from aligned storage.
    scratch_ = RecordedEvent(bytes.ToStringView());
    *event = &scratch_.event();
    return Status::OK();
  }

  Status CheckEvents() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_.db()->NewIterator(rocksdb::ReadOptions(), store_.events()));
    Status s = store_.LastEventPosition(&last_);
    if (!s.ok()) return s;
    uint64_t expected = 1;
    int64_t last_time = 0;
    std::set<std::string> tenants;
    for (it->SeekToFirst(); it->Valid(); it->Next(), expected++) {
      uint64_t position = 0;
      if (!log_keys::ParseEventKey(it->key().ToStringView(), &position)) {
        return Status::Corruption("malformed event key after position " +
                                  std::to_string(expected - 1));
      }
      if (position != expected) {
        return Status::Corruption("gap in the log: position " + std::to_string(expected) +
                                  " is missing (next present is " + std::to_string(position) + ")");
      }
      // RocksDB's slices have no alignment; the record is read in place from a copy.
      const RecordedEvent record(it->value().ToStringView());
      s = event_record::Verify(record.bytes(), position);
      if (!s.ok()) return s;
      const schema::Event* e = &record.event();
      if (e->stream_version() == 0) {
        return Status::Corruption("event at position " + std::to_string(position) +
                                  " has no stream version");
      }
      if (e->recorded_at_us() < last_time) {
        return Status::Corruption("event at position " + std::to_string(position) +
                                  " is recorded before its predecessor");
      }
      last_time = e->recorded_at_us();
      tenants.insert(e->tenant()->str());
      report_->events++;
      Progress("events", report_->events);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning events");
    report_->tenants = tenants.size();
    return Status::OK();
  }

  Status CheckStreamIndex() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_.db()->NewIterator(rocksdb::ReadOptions(), store_.streams()));
    StreamId previous;
    uint64_t previous_version = 0, entries = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      StreamId stream;
      uint64_t version = 0;
      if (!log_keys::ParseStreamVersionKey(it->key().ToStringView(), &stream, &version) ||
          it->value().size() != 8) {
        return Status::Corruption("malformed stream index entry");
      }
      const std::string name = "stream index " + stream.ToString() + "@" + std::to_string(version);
      if (!(stream == previous)) {
        report_->streams++;
        previous = stream;
        previous_version = 0;
      }
      if (version != previous_version + 1) {
        return Status::Corruption(name + ": expected version " +
                                  std::to_string(previous_version + 1));
      }
      previous_version = version;
      const schema::Event* e = nullptr;
      Status s = LoadIndexed(log_keys::ReadBigEndian64(it->value().data()), name, &e);
      if (!s.ok()) return s;
      if (e->tenant()->string_view() != stream.tenant ||
          e->stream_id()->string_view() != stream.name || e->stream_version() != version) {
        return Status::Corruption(name + " points at position " +
                                  std::to_string(e->global_position()) + " which is " +
                                  e->tenant()->str() + "/" + e->stream_id()->str() + "@" +
                                  std::to_string(e->stream_version()));
      }
      Progress("streams", ++entries);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning the stream index");
    // Each entry matched a distinct (stream, version) event, so equal counts mean every event
    // is indexed exactly once.
    if (entries != report_->events) {
      return Status::Corruption("stream index has " + std::to_string(entries) + " entries for " +
                                std::to_string(report_->events) + " events");
    }
    return Status::OK();
  }

  Status CheckTenantIndex() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_.db()->NewIterator(rocksdb::ReadOptions(), store_.tenants()));
    uint64_t entries = 0;
    std::string previous_tenant;
    uint64_t previous_end = 0;  // one past the previous run of previous_tenant
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string tenant;
      uint64_t first = 0, length = 0;
      if (!log_keys::ParseTenantPositionKey(it->key().ToStringView(), &tenant, &first) ||
          !log_keys::ParseTenantRunValue(it->value().ToStringView(), &length)) {
        return Status::Corruption("malformed tenant index entry");
      }
      const std::string name = "tenant index " + tenant + "@" + std::to_string(first);
      if (tenant == previous_tenant && first < previous_end) {
        return Status::Corruption(name + " overlaps the run before it, which ends at " +
                                  std::to_string(previous_end - 1));
      }
      if (length > last_) {
        return Status::Corruption(name + " claims " + std::to_string(length) +
                                  " positions, more than the log holds");
      }
      for (uint64_t position = first; position - first < length; position++) {
        const schema::Event* e = nullptr;
        Status s = LoadIndexed(position, name, &e);
        if (!s.ok()) return s;
        if (e->tenant()->string_view() != tenant) {
          return Status::Corruption(name + " covers position " + std::to_string(position) +
                                    ", an event of tenant " + e->tenant()->str());
        }
        Progress("tenants", ++entries);
      }
      previous_tenant = std::move(tenant);
      previous_end = first + length;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning the tenant index");
    if (entries != report_->events) {
      return Status::Corruption("tenant index covers " + std::to_string(entries) +
                                " positions for " + std::to_string(report_->events) + " events");
    }
    return Status::OK();
  }

  Status CheckIdempotencyKeys() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_.db()->NewIterator(rocksdb::ReadOptions(), store_.idempotency()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      log_keys::IdempotencyRecord record;
      std::string_view key = it->key().ToStringView();
      size_t sep = key.find('\0');
      if (sep == std::string_view::npos || !record.Decode(it->value().ToStringView())) {
        return Status::Corruption("malformed idempotency record");
      }
      const std::string name = "idempotency key " + std::string(key.substr(sep + 1));
      const schema::Event* e = nullptr;
      Status s = LoadIndexed(record.first_position, name, &e);
      if (!s.ok()) return s;
      if (e->tenant()->string_view() != key.substr(0, sep) ||
          e->stream_id()->string_view() != record.stream_name ||
          e->stream_version() != record.first_version) {
        return Status::Corruption(name + " does not match the event at position " +
                                  std::to_string(record.first_position));
      }
      report_->idempotency_keys++;
    }
    return FromRocks(it->status(), "scanning idempotency keys");
  }

  const LogStore& store_;
  const VerifyOptions& options_;
  VerifyReport* report_;
  uint64_t last_ = 0;
  RecordedEvent scratch_;
};

}  // namespace

Status VerifyEventLogFolder(const std::string& path, const VerifyOptions& options,
                            VerifyReport* report) {
  *report = VerifyReport();
  if (!std::filesystem::exists(path)) {
    return Status::NotFound("no event log at " + path);
  }
  std::unique_ptr<LogStore> store;
  Status s = LogStore::Open(path, /*create_if_missing=*/false, /*read_only=*/true, &store);
  if (!s.ok()) return s;
  return FolderVerifier(*store, options, report).Run();
}

}  // namespace tandem
