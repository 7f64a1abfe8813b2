#include "log_store.h"

#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "log_keys.h"
#include "tandem/rocks/info_log.h"
#include "tandem/rocks/read_only_open.h"

namespace tandem {
namespace {

// Order matters: the handle accessors index into it. RocksDB requires the default family.
const char* const kColumnFamilies[] = {"default", "events", "streams", "tenants", "idempotency"};

// Streams and tenants keys are "prefix + be64(number)" and each prefix's numbers only grow, so
// every insert lands right after the previous one with the same prefix. Telling the memtable
// the prefix lets it keep an insert hint per prefix instead of searching the skiplist from the
// top: on the append path this halves the CPU spent inserting index entries.
class NumberedKeyPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "tandem.NumberedKeyPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() > 8; }
};

rocksdb::ColumnFamilyOptions PointLookupOptions() {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  // Stream heads and idempotency keys are looked up on the append path; bloom filters keep
  // misses off the disk.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

}  // namespace

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return Status::OK();
  std::string msg = context + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsBusy()) return Status::TimedOut(msg);  // a read-only open beside a writer
  return Status::IOError(msg);
}

Status LogStore::Open(const std::string& path, bool create_if_missing, bool read_only,
                      std::unique_ptr<LogStore>* store,
                      std::shared_ptr<rocksdb::FileSystem> file_system, uint64_t max_wal_bytes) {
  std::unique_ptr<LogStore> s(new LogStore());
  rocksdb::DBOptions db_options;
  if (file_system != nullptr) {
    s->env_ = rocksdb::NewCompositeEnv(file_system);
    db_options.env = s->env_.get();
  }
  db_options.create_if_missing = create_if_missing;
  db_options.info_log = NewRocksInfoLog();  // not RocksDB's LOG file: see info_log.h
  db_options.create_missing_column_families = create_if_missing;
  db_options.IncreaseParallelism(2);
  // A torn WAL tail after a crash holds only unacknowledged writes; anything before it must be
  // intact, so stop at the first bad record rather than skipping over it.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.max_total_wal_size = max_wal_bytes;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  auto numbered_prefix = std::make_shared<NumberedKeyPrefix>();
  for (const char* name : kColumnFamilies) {
    rocksdb::ColumnFamilyOptions cf = PointLookupOptions();
    if (std::string(name) == "streams" || std::string(name) == "tenants") {
      cf.memtable_insert_with_hint_prefix_extractor = numbered_prefix;
    }
    descriptors.emplace_back(name, cf);
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status rs =
      read_only ? OpenForReadOnlyConsistently(db_options, path, descriptors, &s->handles_, &db)
                : rocksdb::DB::Open(db_options, path, descriptors, &s->handles_, &db);
  if (!rs.ok()) return FromRocks(rs, "opening event log at " + path);
  s->db_.reset(db);
  *store = std::move(s);
  return Status::OK();
}

LogStore::~LogStore() {
  for (auto* h : handles_) {
    if (db_) db_->DestroyColumnFamilyHandle(h);
  }
  handles_.clear();
  if (db_) db_->Close();
}

Status LogStore::FlushAll() {
  rocksdb::FlushOptions options;
  options.allow_write_stall = true;  // not waiting for compactions to catch up
  return FromRocks(db_->Flush(options, handles_), "flushing the event log");
}

Status LogStore::LastEventPosition(uint64_t* position) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events()));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "finding the last event");
  *position = 0;
  if (it->Valid() && !log_keys::ParseEventKey(it->key().ToStringView(), position)) {
    return Status::Corruption("malformed event key of " + std::to_string(it->key().size()) +
                              " bytes at the end of the log");
  }
  return Status::OK();
}

}  // namespace tandem
