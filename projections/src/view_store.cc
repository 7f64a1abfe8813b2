#include "tandem/projections/view_store.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <tuple>

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/metadata.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include "batch_ingest.h"
#include "pending_rows.h"
#include "rocks_status.h"
#include "tandem/basics/logger.h"
#include "tandem/rocks/info_log.h"
#include "tandem/rocks/read_only_open.h"
#include "tandem/rocks/table_checksums.h"
#include "write_behind.h"
#include "written_keys.h"

namespace tandem {
namespace {

// The view's own bookkeeping lives in its column family under keys beginning with 0x00 0x02, so
// dropping the view drops it too. No ViewKey starts so (a 0x00 in a key part is followed by 0xFF,
// a part's end is 0x00 0x01): these keys never mix with rows, and no row read ever sees them.
constexpr std::string_view kMetaPrefix{"\x00\x02", 2};
constexpr std::string_view kCheckpointKey{
    "\x00\x02"
    "checkpoint",
    12};
// The log's record at the checkpoint's position: the position and the record's digest. A key of
// its own, so that a checkpoint reads the same in builds before digests (a rollback keeps the
// views); a digest standing at another position than the checkpoint (moved on by such a build)
// says nothing.
constexpr std::string_view kRecordKey{
    "\x00\x02"
    "record",
    8};
// Followed by the partition (4 bytes, big-endian) and the topic.
constexpr std::string_view kOffsetPrefix{
    "\x00\x02"
    "offset",
    8};

bool IsMetaKey(std::string_view key) { return key.substr(0, kMetaPrefix.size()) == kMetaPrefix; }

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetFixed(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// position, version, and the position's complement: a damaged checkpoint is detected rather
// than taken for another position; then, for a view being folded again, its ready_at and that
// one's complement (without it the checkpoint reads as it did before ready_at existed).
std::string EncodeCheckpoint(const ViewCheckpoint& c) {
  std::string out;
  PutFixed(&out, c.position, 8);
  PutFixed(&out, c.version, 4);
  PutFixed(&out, ~c.position, 8);
  if (c.ready_at != 0) {
    PutFixed(&out, c.ready_at, 8);
    PutFixed(&out, ~c.ready_at, 8);
  }
  return out;
}

Status DecodeCheckpoint(std::string_view in, ViewCheckpoint* c) {
  const bool sized = in.size() == 20 || in.size() == 36;
  if (!sized || GetFixed(in.substr(12), 8) != ~GetFixed(in, 8) ||
      (in.size() == 36 && GetFixed(in.substr(28), 8) != ~GetFixed(in.substr(20), 8))) {
    return Status::Corruption("view.bad_checkpoint", "a view checkpoint is damaged");
  }
  c->position = GetFixed(in, 8);
  c->version = static_cast<uint32_t>(GetFixed(in.substr(8), 4));
  c->ready_at = in.size() == 36 ? GetFixed(in.substr(20), 8) : 0;
  return Status::OK();
}

constexpr size_t kDigestChars = 64;

bool IsDigest(std::string_view s) {
  return s.size() == kDigestChars && std::all_of(s.begin(), s.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
         });
}

// position, then the digest's 64 lowercase hex digits.
std::string EncodeRecord(uint64_t position, std::string_view digest) {
  std::string out;
  PutFixed(&out, position, 8);
  out += digest;
  return out;
}

// The digest in `*c` when the record stands at the checkpoint's position. One that does not read
// as this build writes it (damaged, or a later build's) says nothing: the view is then taken as
// a checkpoint without a digest is, rather than refused to every reader.
void ReadRecord(std::string_view in, ViewCheckpoint* c) {
  if (in.size() == 8 + kDigestChars && IsDigest(in.substr(8)) && GetFixed(in, 8) == c->position) {
    c->record_sha256 = std::string(in.substr(8));
  }
}

std::string SourceOffsetKey(const SourceOffset& o) {
  std::string key(kOffsetPrefix);
  PutFixed(&key, static_cast<uint32_t>(o.partition), 4);
  key += o.topic;
  return key;
}

constexpr uint32_t kUnfinishedMark = 0x756e6669;  // "unfi"

// next offset, last position, and a check of both: damage is detected, never taken for an
// offset (which would skip records or fold them twice); then, for an unfinished partition, a
// marker and its complement (without them the offset reads as before `unfinished` existed).
// The marker is in the check too: a value cut back to 24 bytes is damage, never "finished".
uint64_t OffsetCheck(uint64_t next, uint64_t last_position, bool unfinished) {
  return ~(next ^ last_position ^ (unfinished ? kUnfinishedMark : 0));
}

std::string EncodeSourceOffset(const SourceOffset& o) {
  std::string out;
  const auto next = static_cast<uint64_t>(o.next_offset);
  PutFixed(&out, next, 8);
  PutFixed(&out, o.last_position, 8);
  PutFixed(&out, OffsetCheck(next, o.last_position, o.unfinished), 8);
  if (o.unfinished) {
    PutFixed(&out, kUnfinishedMark, 4);
    PutFixed(&out, ~kUnfinishedMark, 4);
  }
  return out;
}

Status DecodeSourceOffset(std::string_view key, std::string_view value, SourceOffset* o) {
  const size_t topic_at = kOffsetPrefix.size() + 4;
  const bool marked = value.size() == 32;
  if (key.size() <= topic_at || (value.size() != 24 && !marked) ||
      GetFixed(value.substr(16), 8) !=
          OffsetCheck(GetFixed(value, 8), GetFixed(value.substr(8), 8), marked) ||
      static_cast<int64_t>(GetFixed(value, 8)) < 0 ||
      (marked && (GetFixed(value.substr(24), 4) != kUnfinishedMark ||
                  GetFixed(value.substr(28), 4) != (~kUnfinishedMark & 0xffffffffu)))) {
    return Status::Corruption("view.bad_source_offset", "a view's source offset is damaged");
  }
  o->partition = static_cast<int32_t>(GetFixed(key.substr(kOffsetPrefix.size()), 4));
  o->topic = std::string(key.substr(topic_at));
  o->next_offset = static_cast<int64_t>(GetFixed(value, 8));
  o->last_position = GetFixed(value.substr(8), 8);
  o->unfinished = marked;
  return Status::OK();
}

using Family = std::shared_ptr<rocksdb::ColumnFamilyHandle>;

// ViewRows::Append: a merge operand is the bytes added, and merging concatenates. Its name is
// stored with the tables, so it never changes. All operands are joined in one pass (the pairwise
// AssociativeMergeOperator copies the growing value once per operand: a Get of a 64-line chunk
// built by 64 appends copied it 64 times).
class AppendOperator : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    Join(in.existing_value, in.operand_list, &out->new_value);
    return true;
  }
  bool PartialMergeMulti(const rocksdb::Slice&, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger*) const override {
    Join(nullptr, operands, new_value);
    return true;
  }
  const char* Name() const override { return "tandem.append"; }

 private:
  template <class Operands>
  static void Join(const rocksdb::Slice* existing, const Operands& operands, std::string* out) {
    size_t size = existing != nullptr ? existing->size() : 0;
    for (const rocksdb::Slice& o : operands) size += o.size();
    out->clear();
    out->reserve(size);
    if (existing != nullptr) out->append(existing->data(), existing->size());
    for (const rocksdb::Slice& o : operands) out->append(o.data(), o.size());
  }
};

// Where a row key's insert hint is kept: its first three parts (the project, and the kind of row:
// a thread's "t" row, its comments' "m" chunks, the "c" comment index, ...), or its first two
// (the project's root row), each part ending with 0x00 0x01; a view's own bookkeeping (its
// checkpoint) has a hint per key. A live round writes a project's rows of a few kinds, and each
// kind's next row lies next to its last one (a newer version of the same row, the next operand
// of the same chunk): with one hint per kind the memtable finds the place in a step or two,
// where one hint per project sent every row of another kind up the skiplist and down again
// (2026-12-05: runner busy 0.49-0.56 of the time against 0.57-0.60 at 10k appends/s).
class HintOfKey : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "tandem.HintOfKey"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), End(key));
  }
  bool InDomain(const rocksdb::Slice& key) const override { return End(key) != 0; }

 private:
  // The length of the first three parts, else of the first two, or 0 when the key has fewer.
  static size_t End(const rocksdb::Slice& key) {
    if (IsMetaKey(std::string_view(key.data(), key.size()))) return key.size();
    int parts = 0;
    size_t second = 0;
    for (size_t i = 0; i + 1 < key.size(); ++i) {
      if (key[i] != '\0') continue;
      if (key[i + 1] == '\x01') {
        if (++parts == 3) return i + 2;
        if (parts == 2) second = i + 2;
      }
      ++i;  // an escaped 0x00 (0x00 0xFF), or a separator
    }
    return second;
  }
};

// Reads through the rows a store writing behind holds in memory (`pending`): as of `moment`
// through the RocksDB snapshot in `options`, or, without a moment, as the latest commit left
// them (then through a snapshot of its own when RocksDB's value is needed under appended bytes:
// see pending_rows.h).
class PendingRead {
 public:
  PendingRead(rocksdb::DB* db, const rocksdb::ReadOptions& options, const PendingRows* pending,
              const PendingRows::Moment* moment)
      : db_(db), options_(options), pending_(pending) {
    if (pending_ == nullptr) return;
    if (moment != nullptr) {
      moment_ = *moment;
    } else {
      moment_ = pending_->Latest();
    }
    latest_ = moment == nullptr;
  }
  PendingRead(const PendingRead&) = delete;  // it may own a snapshot and a registered moment
  PendingRead& operator=(const PendingRead&) = delete;
  ~PendingRead() {
    if (own_ == nullptr) return;
    db_->ReleaseSnapshot(own_);
    pending_->Release(moment_);
  }

  // Meta keys included.
  Status Get(rocksdb::ColumnFamilyHandle* family, std::string_view key, std::string* value) {
    if (pending_ == nullptr) return FromRocks(db_->Get(options_, family, key, value));
    std::string bytes;
    PendingRows::Found found = pending_->Read(moment_, family->GetID(), key, &bytes);
    if (found == PendingRows::Found::kAppend && latest_) {
      Pin();
      found = pending_->Read(moment_, family->GetID(), key, &bytes);
    }
    switch (found) {
      case PendingRows::Found::kValue:
        *value = std::move(bytes);
        return Status::OK();
      case PendingRows::Found::kDeleted:
        return Status::NotFound("no such row");
      case PendingRows::Found::kNo:
        return FromRocks(db_->Get(options_, family, key, value));
      case PendingRows::Found::kAppend:
        break;
    }
    rocksdb::Status s = db_->Get(options_, family, key, value);
    if (s.IsNotFound()) value->clear();
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s);
    value->append(bytes);
    return Status::OK();
  }

  // Visits the rows under `prefix` in key order (meta keys only when `meta`), the rows held in
  // memory merged into RocksDB's.
  Status Scan(rocksdb::ColumnFamilyHandle* family, std::string_view prefix, bool meta,
              const std::function<bool(std::string_view, std::string_view)>& visit) {
    std::vector<PendingRows::Row> held;
    if (pending_ != nullptr) {
      if (latest_) Pin();
      pending_->Collect(moment_, family->GetID(), prefix, &held);
    }
    auto shown = [&](std::string_view key) { return meta || !IsMetaKey(key); };
    size_t next = 0;
    bool more = true;
    std::string joined;
    // The held rows before `until` (all when null): only they know these rows.
    auto visit_held = [&](const std::string_view* until) {
      for (; more && next < held.size(); ++next) {
        const PendingRows::Row& row = held[next];
        if (until != nullptr && std::string_view(row.key) >= *until) return;
        if (row.found != PendingRows::Found::kDeleted && shown(row.key)) {
          more = visit(row.key, row.bytes);  // kAppend to nothing: the bytes alone
        }
      }
    };
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options_, family));
    for (it->Seek(prefix); more && it->Valid(); it->Next()) {
      const std::string_view key(it->key().data(), it->key().size());
      if (key.substr(0, prefix.size()) != prefix) break;
      visit_held(&key);
      if (!more) break;
      const std::string_view stored(it->value().data(), it->value().size());
      if (next < held.size() && held[next].key == key) {
        const PendingRows::Row& row = held[next++];
        if (row.found == PendingRows::Found::kDeleted || !shown(key)) continue;
        if (row.found == PendingRows::Found::kValue) {
          more = visit(key, row.bytes);
        } else {
          joined.assign(stored);
          joined.append(row.bytes);
          more = visit(key, joined);
        }
        continue;
      }
      if (shown(key)) more = visit(key, stored);
    }
    if (!it->status().ok()) return FromRocks(it->status());
    visit_held(nullptr);
    return Status::OK();
  }

 private:
  // The latest read through a snapshot of its own, taken with the moment, registered: a flush
  // ending before the read would otherwise forget rows that snapshot does not hold.
  void Pin() {
    if (own_ != nullptr) return;
    moment_ = pending_->At(
        [this] {
          own_ = db_->GetSnapshot();
          return own_->GetSequenceNumber();
        },
        true);
    options_.snapshot = own_;
  }

  rocksdb::DB* db_;
  rocksdb::ReadOptions options_;
  const PendingRows* pending_;
  PendingRows::Moment moment_;
  bool latest_ = false;
  const rocksdb::Snapshot* own_ = nullptr;
};

// A view's rows in a batch. `written` (null when not known) holds every key written to the
// family since it was created empty (written_keys.h); the batch's own are added by
// AddWrittenKeys, which its commit calls before it writes.
class DbRows : public ViewRows {
 public:
  DbRows(rocksdb::DB* db, Family family, std::shared_ptr<WrittenKeys> written,
         rocksdb::WriteBatch* batch, const PendingRows* pending)
      : db_(db),
        family_(std::move(family)),
        written_(std::move(written)),
        batch_(batch),
        pending_(pending) {}

  Status Get(std::string_view key, std::string* value) const override {
    if (IsMetaKey(key)) return Status::NotFound("no such row");
    if (written_ != nullptr && !written_->MayHave(key)) return Status::NotFound("no such row");
    return PendingRead(db_, rocksdb::ReadOptions(), pending_, nullptr)
        .Get(family_.get(), key, value);
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return PendingRead(db_, rocksdb::ReadOptions(), pending_, nullptr)
        .Scan(family_.get(), prefix, false, visit);
  }
  void Put(std::string_view key, std::string_view value) override {
    Written(key);
    batch_->Put(family_.get(), key, value);
  }
  void Delete(std::string_view key) override {
    Written(key);
    batch_->Delete(family_.get(), key);
  }
  void Append(std::string_view key, std::string_view bytes) override {
    Written(key);
    batch_->Merge(family_.get(), key, bytes);
  }

  void AddWrittenKeys() {
    if (written_ != nullptr) written_->Add(written_hashes_);
    written_hashes_.clear();
  }

 private:
  void Written(std::string_view key) {
    if (written_ != nullptr) written_hashes_.push_back(WrittenKeys::Hash(key));
  }

  rocksdb::DB* db_;
  Family family_;
  std::shared_ptr<WrittenKeys> written_;
  std::vector<size_t> written_hashes_;  // of this batch's keys, until AddWrittenKeys
  rocksdb::WriteBatch* batch_;
  const PendingRows* pending_;
};

// The database's snapshots still held. A ViewSnapshot is shared and easily kept by mistake past
// its store: the store then releases what is left as it closes, and a snapshot released later
// touches nothing that is gone (RocksDB would release it into a freed database).
class SnapshotKeeper {
 public:
  explicit SnapshotKeeper(rocksdb::DB* db) : db_(db) {}
  // Null when the database is closed or cannot take snapshots.
  const rocksdb::Snapshot* Take() {
    std::lock_guard<std::mutex> lock(mu_);
    if (db_ == nullptr) return nullptr;
    const rocksdb::Snapshot* s = db_->GetSnapshot();
    if (s != nullptr) held_.insert(s);
    return s;
  }
  void Release(const rocksdb::Snapshot* s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (db_ != nullptr && held_.erase(s) > 0) db_->ReleaseSnapshot(s);
  }
  // Releases every snapshot still held; returns how many there were.
  size_t Close() {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t n = held_.size();
    for (const rocksdb::Snapshot* s : held_) db_->ReleaseSnapshot(s);
    held_.clear();
    db_ = nullptr;
    return n;
  }

 private:
  std::mutex mu_;
  rocksdb::DB* db_;
  std::set<const rocksdb::Snapshot*> held_;
};

class RocksViewSnapshot : public ViewSnapshot {
 public:
  // `pending`: the rows of a store writing behind, of which the snapshot sees those up to
  // `moment` (registered with them, released here).
  RocksViewSnapshot(std::shared_ptr<SnapshotKeeper> keeper, const rocksdb::Snapshot* snapshot,
                    std::shared_ptr<PendingRows> pending, const PendingRows::Moment& moment)
      : keeper_(std::move(keeper)),
        snapshot_(snapshot),
        pending_(std::move(pending)),
        moment_(moment) {}
  ~RocksViewSnapshot() override {
    keeper_->Release(snapshot_);
    if (pending_ != nullptr) pending_->Release(moment_);
  }
  const SnapshotKeeper* keeper() const { return keeper_.get(); }
  const rocksdb::Snapshot* get() const { return snapshot_; }
  const PendingRows* pending() const { return pending_.get(); }
  const PendingRows::Moment& moment() const { return moment_; }

 private:
  std::shared_ptr<SnapshotKeeper> keeper_;
  const rocksdb::Snapshot* snapshot_;
  std::shared_ptr<PendingRows> pending_;
  PendingRows::Moment moment_;
};

class RocksViewReader : public ViewReader {
 public:
  RocksViewReader(rocksdb::DB* db, Family family, std::shared_ptr<const RocksViewSnapshot> snapshot)
      : db_(db), family_(std::move(family)), snapshot_(std::move(snapshot)) {
    options_.snapshot = snapshot_->get();
  }

  Status Load() {
    if (family_ == nullptr) return Status::OK();
    std::string value;
    Status s = Read().Get(family_.get(), kCheckpointKey, &value);
    if (s.IsNotFound()) return Status::OK();
    return s.ok() ? DecodeCheckpoint(value, &checkpoint_) : s;
  }

  // The checkpoint's record digest (ViewCheckpoint::record_sha256): only the runner's open asks
  // for it (GetCheckpoint), not every read.
  Status LoadRecord() {
    if (family_ == nullptr || checkpoint_.position == 0) return Status::OK();
    std::string value;
    Status s = Read().Get(family_.get(), kRecordKey, &value);
    if (s.ok()) ReadRecord(value, &checkpoint_);
    return s.IsNotFound() ? Status::OK() : s;
  }

  const ViewCheckpoint& checkpoint() const override { return checkpoint_; }
  Status Get(std::string_view key, std::string* value) const override {
    if (family_ == nullptr || IsMetaKey(key)) return Status::NotFound("no such row");
    return Read().Get(family_.get(), key, value);
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    if (family_ == nullptr) return Status::OK();
    return Read().Scan(family_.get(), prefix, false, visit);
  }

 private:
  PendingRead Read() const {
    return PendingRead(db_, options_, snapshot_->pending(), &snapshot_->moment());
  }

  rocksdb::DB* db_;
  Family family_;
  std::shared_ptr<const RocksViewSnapshot> snapshot_;
  rocksdb::ReadOptions options_;
  ViewCheckpoint checkpoint_;
};

class RocksViewBatch : public ViewBatch {
 public:
  // `family_of` gives a view's family, and the keys written to it when they are known.
  using FamilyOf = std::function<Status(std::string_view, Family*, std::shared_ptr<WrittenKeys>*)>;
  RocksViewBatch(FamilyOf family_of, rocksdb::DB* db, const PendingRows* pending,
                 size_t reserve_bytes)
      : family_of_(std::move(family_of)), db_(db), pending_(pending), batch_(reserve_bytes) {}

  ViewRows* Rows(std::string_view view) override {
    auto it = rows_.find(std::string(view));
    if (it != rows_.end()) return it->second.get();
    Family family;
    std::shared_ptr<WrittenKeys> written;
    Status s = family_of_(view, &family, &written);
    if (!s.ok()) {
      if (status_.ok()) status_ = s;  // a later view's success must not hide it from Commit
      return &failed_;
    }
    auto rows = std::make_unique<DbRows>(db_, family, std::move(written), &batch_, pending_);
    ViewRows* out = rows.get();
    families_[std::string(view)] = family;
    rows_.emplace(std::string(view), std::move(rows));
    return out;
  }
  void SetCheckpoint(std::string_view view, const ViewCheckpoint& checkpoint) override {
    Rows(view);
    auto it = families_.find(std::string(view));
    if (it == families_.end()) return;
    batch_.Put(it->second.get(), kCheckpointKey, EncodeCheckpoint(checkpoint));
    assert(checkpoint.record_sha256.empty() || IsDigest(checkpoint.record_sha256));
    if (IsDigest(checkpoint.record_sha256)) {
      batch_.Put(it->second.get(), kRecordKey,
                 EncodeRecord(checkpoint.position, checkpoint.record_sha256));
    } else {
      batch_.Delete(it->second.get(), kRecordKey);
    }
    if (checkpoint.ready_at == 0) served_.insert(std::string(view));
  }
  void SetSourceOffset(std::string_view view, const SourceOffset& offset) override {
    Rows(view);
    auto it = families_.find(std::string(view));
    if (it != families_.end() && !offset.topic.empty())
      batch_.Put(it->second.get(), SourceOffsetKey(offset), EncodeSourceOffset(offset));
  }
  size_t ApproximateBytes() const override { return batch_.GetDataSize(); }

  rocksdb::WriteBatch* batch() { return &batch_; }
  // Before the batch is written: its keys to the views' WrittenKeys.
  void AddWrittenKeys() {
    for (auto& [view, rows] : rows_) rows->AddWrittenKeys();
  }
  // The views this batch marks as served (caught up with the log): their known keys go.
  const std::set<std::string>& served() const { return served_; }
  const Status& status() const { return status_; }
  std::vector<rocksdb::ColumnFamilyHandle*> Families() const {
    std::vector<rocksdb::ColumnFamilyHandle*> out;
    for (const auto& [name, family] : families_) out.push_back(family.get());
    return out;
  }
  rocksdb::ColumnFamilyHandle* FamilyWithId(uint32_t id) const {
    for (const auto& [name, family] : families_) {
      if (family->GetID() == id) return family.get();
    }
    return nullptr;
  }

 private:
  // Absorbs a failed view's writes; Commit then reports the failure.
  class FailedRows : public ViewRows {
   public:
    Status Get(std::string_view, std::string*) const override {
      return Status::IOError("the view's column family could not be opened");
    }
    Status Scan(std::string_view,
                const std::function<bool(std::string_view, std::string_view)>&) const override {
      return Status::IOError("the view's column family could not be opened");
    }
    void Put(std::string_view, std::string_view) override {}
    void Delete(std::string_view) override {}
    void Append(std::string_view, std::string_view) override {}
  };

  FamilyOf family_of_;
  rocksdb::DB* db_;
  const PendingRows* pending_;
  rocksdb::WriteBatch batch_;
  std::map<std::string, std::unique_ptr<DbRows>> rows_;
  std::map<std::string, Family> families_;
  std::set<std::string> served_;
  FailedRows failed_;
  Status status_;
};

class RocksViewStore : public ViewStore {
 public:
  Status OpenDb(const ViewStoreOptions& options, const std::string& path) {
    rocksdb::Options db_options;
    if (options.file_system != nullptr) {
      env_ = rocksdb::NewCompositeEnv(options.file_system);
      db_options.env = env_.get();
    }
    db_options.create_if_missing = options.create_if_missing;
    db_options.info_log = NewRocksInfoLog();  // not RocksDB's LOG file: see info_log.h
    db_options.create_missing_column_families = true;
    db_options.write_buffer_size = 64 << 20;
    db_options.db_write_buffer_size = options.write_buffer_bytes;
    db_options.max_total_wal_size = options.max_wal_bytes;
    // Commits reach the write-ahead log file when they return, or at FlushCommits when
    // buffered (CommitOptions). RocksDB writes the buffer out itself before it switches
    // memtables, so no table ever holds a row whose log record is still in the process.
    db_options.manual_wal_flush = true;
    db_options.merge_operator = std::make_shared<AppendOperator>();
    // LZ4 compresses and decompresses faster than Snappy, RocksDB's default, for about the same
    // size: a rebuild compresses every table it writes, and a fold reads back what it misses.
    const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
    if (std::count(supported.begin(), supported.end(), rocksdb::kLZ4Compression) > 0) {
      db_options.compression = rocksdb::kLZ4Compression;
    }
    if (!options.read_only) {
      // Two compactions at a time, whatever else the process opened (Compact runs two manual
      // ones; RocksDB sizes the pool from max_background_jobs, 2, to one).
      (db_options.env != nullptr ? db_options.env : rocksdb::Env::Default())
          ->IncBackgroundThreadsIfNeeded(2, rocksdb::Env::LOW);
    }
    if (options.low_priority_compactions && !options.read_only) {
      rocksdb::Env::Default()->LowerThreadPoolCPUPriority(rocksdb::Env::LOW,
                                                          rocksdb::CpuPriority::kLow);
    }
    // Folds look rows up before they exist (a new milestone, comment, card): bloom filters, in
    // the memtable and in the tables, answer most of those misses without a search.
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    db_options.memtable_prefix_bloom_size_ratio = 0.05;
    db_options.memtable_whole_key_filtering = true;
    db_options.memtable_insert_with_hint_prefix_extractor = std::make_shared<HintOfKey>();
    read_only_ = options.read_only;
    ingest_batch_bytes_ = options.ingest_batch_bytes;
    ingest_.scratch_dir = path + "/ingest-scratch";
    // Every view is a column family: open all that are there.
    const auto describe = [&](const std::vector<std::string>& names) {
      std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
      for (const std::string& name : names) {
        descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(db_options));
      }
      return descriptors;
    };
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    rocksdb::Status s;
    if (options.read_only) {
      s = OpenForReadOnlyConsistently(db_options, path, describe, &handles, &db);
    } else {
      std::vector<std::string> names;
      if (!rocksdb::DB::ListColumnFamilies(db_options, path, &names).ok()) {
        names = {rocksdb::kDefaultColumnFamilyName};  // a new database
      }
      s = rocksdb::DB::Open(db_options, path, describe(names), &handles, &db);
    }
    if (!s.ok()) {
      rocksdb::Env* env = db_options.env != nullptr ? db_options.env : rocksdb::Env::Default();
      if (options.read_only && !options.create_if_missing &&
          env->FileExists(path + "/CURRENT").IsNotFound()) {
        return Status::NotFound("no views database at " + path);
      }
      return FromRocks(s);
    }
    db_.reset(db);
    snapshots_ = std::make_shared<SnapshotKeeper>(db);
    family_options_ = rocksdb::ColumnFamilyOptions(db_options);
    ingest_.table_options = db_options;
    for (auto* h : handles) {
      if (h->GetName() == rocksdb::kDefaultColumnFamilyName) {
        default_.reset(h);
      } else {
        families_[h->GetName()] = Wrap(h);
      }
    }
    // After the open: its lock is what keeps another writer's tables out of reach. Garbage that
    // cannot be removed costs disk, not correctness; this open then writes every batch.
    if (!read_only_) {
      Status cleared = RemoveIngestLeftovers(ingest_.scratch_dir);
      if (!cleared.ok()) {
        LogWarn("views", "tables will not be ingested: " + cleared.message());
        ingest_batch_bytes_ = 0;
      }
      if (options.write_behind.count() > 0) {
        write_behind_ = std::make_unique<WriteBehind>(
            db_.get(), options.write_behind, options.write_behind_at_lowest_priority,
            [this] { return FamiliesById(); }, [this](const Status& s) { SetWalFailure(s); });
      }
    }
    return Status::OK();
  }

  ~RocksViewStore() override {
    // So that the next open, readers' above all, replays no write-ahead log. Rows not flushed
    // are still in the write-ahead log: a failure costs the next open time only.
    // After a failed write of the log nothing more is written: the next open goes back to what
    // the log held then (FlushCommits).
    if (write_behind_ != nullptr) {
      if (WalFailure().ok()) {
        Status flushed = write_behind_->Flush();
        if (!flushed.ok())
          LogWarn("views", "rows held in memory not written at close: " + flushed.message());
      }
      write_behind_.reset();
    }
    if (db_ != nullptr && !read_only_ && WalFailure().ok()) {
      rocksdb::Status written = db_->FlushWAL(false);  // buffered commits nobody flushed
      if (!written.ok()) LogWarn("views", "log not written at close: " + written.ToString());
      std::vector<rocksdb::ColumnFamilyHandle*> all{db_->DefaultColumnFamily()};
      for (auto& [name, family] : families_) all.push_back(family.get());
      rocksdb::FlushOptions flush;
      flush.allow_write_stall = true;  // not waiting for compactions to catch up
      rocksdb::Status flushed = db_->Flush(flush, all);
      if (!flushed.ok()) LogWarn("views", "not flushed at close: " + flushed.ToString());
    }
    if (snapshots_ != nullptr && snapshots_->Close() > 0) {
      LogWarn("views", "closed with snapshots still held; they read nothing more");
    }
    families_.clear();
    default_.reset();
    if (db_) db_->Close();
  }

  Status GetCheckpoint(std::string_view view, ViewCheckpoint* checkpoint) override {
    std::unique_ptr<RocksViewReader> reader;
    Status s = OpenReader(view, ReaderOptions(), &reader);
    if (s.ok()) s = reader->LoadRecord();
    if (s.ok()) *checkpoint = reader->checkpoint();
    return s;
  }

  Status GetSourceOffsets(std::string_view view, std::vector<SourceOffset>* offsets) override {
    offsets->clear();
    Family family;
    Status s = FamilyFor(view, false, &family);
    if (!s.ok() || family == nullptr) return s;
    Status decoded;
    s = PendingRead(db_.get(), rocksdb::ReadOptions(), Pending(), nullptr)
            .Scan(family.get(), kOffsetPrefix, true,
                  [&](std::string_view key, std::string_view value) {
                    SourceOffset o;
                    decoded = DecodeSourceOffset(key, value, &o);
                    if (decoded.ok()) offsets->push_back(std::move(o));
                    return decoded.ok();
                  });
    if (!decoded.ok()) return decoded;
    std::sort(offsets->begin(), offsets->end(), [](const SourceOffset& a, const SourceOffset& b) {
      return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
    });
    return s;
  }

  Status Drop(std::string_view view) override {
    if (read_only_) return Status::InvalidArgument("the views database is open read-only");
    // Written behind: what is held goes first, and no flush writes to the family while it goes.
    std::unique_lock<std::mutex> flushing;
    if (write_behind_ != nullptr) {
      flushing = write_behind_->LockFlushes();
      Status failed = WalFailure();
      if (failed.ok()) failed = write_behind_->FlushLocked();
      if (!failed.ok()) {
        SetWalFailure(failed);
        return failed;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = families_.find(std::string(view));
    if (it == families_.end()) return Status::OK();
    Status s = FromRocks(db_->DropColumnFamily(it->second.get()));
    if (s.ok()) {
      families_.erase(it);
      written_.erase(std::string(view));
    }
    return s;
  }

  using ViewStore::NewBatch;
  std::unique_ptr<ViewBatch> NewBatch(const BatchOptions& options) override {
    return std::make_unique<RocksViewBatch>(
        [this](std::string_view view, Family* family, std::shared_ptr<WrittenKeys>* written) {
          return FamilyFor(view, true, family, written);
        },
        db_.get(), Pending(), options.reserve_bytes);
  }

  using ViewStore::Commit;
  Status Commit(ViewBatch* batch, const CommitOptions& commit) override {
    if (read_only_) return Status::InvalidArgument("the views database is open read-only");
    auto* b = static_cast<RocksViewBatch*>(batch);
    if (!b->status().ok()) return b->status();
    Status failed = WalFailure();
    if (!failed.ok()) return failed;
    b->AddWrittenKeys();  // before any of it can be read back
    ForgetWrittenKeys(b->served());
    const bool ingest = ingest_batch_bytes_ > 0 && b->batch()->GetDataSize() >= ingest_batch_bytes_;
    if (write_behind_ == nullptr) return WriteNow(b, ingest, commit.buffered);
    if (!ingest) {
      Status s = write_behind_->Defer(*b->batch());
      if (!s.ok()) return s;
      return commit.buffered ? Status::OK() : FlushCommits();
    }
    // Too big to hold in memory: written at once, after the rows held (which it may change),
    // with no flush writing meanwhile (readers tell flushes apart by sequence number).
    std::unique_lock<std::mutex> flushing = write_behind_->LockFlushes();
    Status s = write_behind_->FlushLocked();
    if (!s.ok()) {
      SetWalFailure(s);
      return s;
    }
    return WriteNow(b, ingest, false);
  }

  Status FlushCommits() override {
    if (read_only_) return Status::OK();
    Status s = WalFailure();
    if (!s.ok()) return s;
    s = write_behind_ != nullptr ? write_behind_->Flush() : FromRocks(db_->FlushWAL(false));
    if (!s.ok()) SetWalFailure(s);
    return s;
  }

  bool writes_behind() const override { return write_behind_ != nullptr; }

  // Writes the batch to RocksDB: ingested as tables when `ingest` allows, else through the log.
  Status WriteNow(RocksViewBatch* b, bool ingest, bool buffered) {
    if (ingest && Ingestible(b->Families(), b->batch()->GetDataSize())) {
      // An ingested table is durable and seen by other processes at once: the commits buffered
      // before it (a round's directory, which gates reads) must reach the log first, or a reader
      // elsewhere, and the database a kill leaves, would hold this view ahead of them. Synced,
      // not only written: else a power loss could keep the table and lose them.
      Status written = FlushLog(/*sync=*/true);
      if (!written.ok()) return written;
      Status s = IngestBatch(
          db_.get(), ingest_, [b](uint32_t id) { return b->FamilyWithId(id); }, *b->batch());
      if (s.ok()) {
        for (rocksdb::ColumnFamilyHandle* family : b->Families()) BoundLevel0(family);
      }
      return s;
    }
    rocksdb::WriteOptions options;
    options.sync = false;
    // Unsynced, but through the WAL: a killed process keeps every committed batch (the OS has
    // it), so a view's checkpoint never goes back; a power loss may lose the tail, which the
    // runner folds again from the log.
    Status s = FromRocks(db_->Write(options, b->batch()));
    if (!s.ok() || buffered) return s;
    return FlushLog();
  }

  // The write-ahead log's buffer to the operating system, and with `sync` to the disk.
  Status FlushLog(bool sync = false) {
    Status s = FromRocks(db_->FlushWAL(sync));
    if (!s.ok()) SetWalFailure(s);
    return s;
  }

  void SetWalFailure(const Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!wal_failure_.ok()) return;
    wal_failure_ = Status::IOError("the views database could not write its log (" + s.message() +
                                   "); it takes no more commits until it is opened again");
    LogError("views", wal_failure_.message());
  }

  const PendingRows* Pending() const {
    return write_behind_ != nullptr ? write_behind_->pending().get() : nullptr;
  }

  std::map<uint32_t, rocksdb::ColumnFamilyHandle*> FamiliesById() {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<uint32_t, rocksdb::ColumnFamilyHandle*> out;
    for (const auto& [name, family] : families_) out[family->GetID()] = family.get();
    return out;
  }

  Status WalFailure() {
    std::lock_guard<std::mutex> lock(mu_);
    return wal_failure_;
  }

  // Whether a batch of `bytes` to `families` is better ingested than written. Not into a view
  // whose memtables hold more rows than the batch: the ingestion first flushes them, holding every
  // writer of the database meanwhile (a view followed live that falls behind takes the
  // memtable path until its rows are flushed; a view whose first catch-up round was small
  // flushes those few rows once). Nor into one whose level 0 the committing threads could not
  // keep short (BoundLevel0: background compactions hold its tables): RocksDB slows writes
  // down as level 0 grows, not ingestions, which would make it grow past where every write of
  // the database stops.
  bool Ingestible(const std::vector<rocksdb::ColumnFamilyHandle*>& families, size_t bytes) {
    constexpr size_t kMaxLevel0TablesToIngestInto = 12;
    for (rocksdb::ColumnFamilyHandle* family : families) {
      uint64_t active = 0, immutable = 0, memtable_bytes = 0;
      if (!db_->GetIntProperty(family, "rocksdb.num-entries-active-mem-table", &active) ||
          !db_->GetIntProperty(family, "rocksdb.num-entries-imm-mem-tables", &immutable) ||
          !db_->GetIntProperty(family, "rocksdb.cur-size-all-mem-tables", &memtable_bytes)) {
        return false;
      }
      // Memtables count the memory they took, about twice the rows they hold.
      if (active + immutable > 0 && memtable_bytes > 2 * bytes) return false;
      rocksdb::ColumnFamilyMetaData meta;  // one per catch-up round: cheap beside the round
      db_->GetColumnFamilyMetaData(family, &meta);
      if (!meta.levels.empty() && meta.levels[0].files.size() >= kMaxLevel0TablesToIngestInto) {
        return false;
      }
    }
    return true;
  }

  // Ingested tables land in level 0 (each round's overlaps the last), and RocksDB does not slow
  // ingestions down as it slows writes: with the compactions starved by the folds (they run at
  // the lowest priority), a long catch-up would pile up level-0 tables that every read
  // searches, and that stall the live writes after it. Past a few, the committing thread
  // compacts them into level 1 itself. A failure (tables already being compacted) leaves
  // them to the background.
  void BoundLevel0(rocksdb::ColumnFamilyHandle* family) {
    constexpr size_t kMaxLevel0Tables = 8;  // RocksDB slows writes from 20
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(family, &meta);
    if (meta.levels.size() < 2 || meta.levels[0].files.size() < kMaxLevel0Tables) return;
    std::vector<std::string> inputs;
    for (int level : {0, 1}) {
      for (const rocksdb::SstFileMetaData& table : meta.levels[level].files) {
        if (table.being_compacted) return;
        inputs.push_back(table.name);
      }
    }
    rocksdb::CompactionOptions options;
    options.compression = rocksdb::kDisableCompressionOption;  // the family's own
    db_->CompactFiles(options, family, inputs, 1);
  }

  Status NewSnapshot(std::shared_ptr<const ViewSnapshot>* snapshot) override {
    const rocksdb::Snapshot* taken = nullptr;
    std::shared_ptr<PendingRows> pending;
    PendingRows::Moment moment;
    if (write_behind_ != nullptr) {
      pending = write_behind_->pending();
      moment = pending->At(
          [&] {
            taken = snapshots_->Take();
            return taken != nullptr ? taken->GetSequenceNumber() : 0;
          },
          true);
    } else {
      taken = snapshots_->Take();
    }
    auto made = std::make_shared<RocksViewSnapshot>(snapshots_, taken, pending, moment);
    if (taken == nullptr) return Status::IOError("the views database cannot take snapshots");
    *snapshot = std::move(made);
    return Status::OK();
  }

  using ViewStore::NewReader;
  Status NewReader(std::string_view view, const ReaderOptions& options,
                   std::unique_ptr<ViewReader>* reader) override {
    std::unique_ptr<RocksViewReader> opened;
    Status s = OpenReader(view, options, &opened);
    if (s.ok()) *reader = std::move(opened);
    return s;
  }

  Status OpenReader(std::string_view view, const ReaderOptions& options,
                    std::unique_ptr<RocksViewReader>* reader) {
    std::shared_ptr<const ViewSnapshot> own = options.snapshot;
    if (own == nullptr) {
      Status s = NewSnapshot(&own);
      if (!s.ok()) return s;
    }
    auto snapshot = std::dynamic_pointer_cast<const RocksViewSnapshot>(own);
    if (snapshot == nullptr || snapshot->keeper() != snapshots_.get()) {
      return Status::InvalidArgument("the snapshot is not one of this views database");
    }
    Family family;
    Status s = FamilyFor(view, false, &family);
    if (!s.ok()) return s;
    auto r = std::make_unique<RocksViewReader>(db_.get(), family, std::move(snapshot));
    s = r->Load();
    if (s.ok()) *reader = std::move(r);
    return s;
  }

  Status VerifyChecksums() override {
    std::vector<rocksdb::ColumnFamilyHandle*> families;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [name, family] : families_) families.push_back(family.get());
    }
    families.push_back(db_->DefaultColumnFamily());
    return FromRocks(VerifyTableChecksums(db_.get(), families));
  }

  Status Compact(const std::vector<std::string>& views) override {
    if (read_only_) return Status::InvalidArgument("the views are open read-only");
    if (write_behind_ != nullptr) {
      Status flushed = FlushCommits();
      if (!flushed.ok()) return flushed;
    }
    std::vector<Family> families;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [name, family] : families_) {
        if (views.empty() || std::find(views.begin(), views.end(), name) != views.end()) {
          families.push_back(family);
        }
      }
    }
    // A manual compaction of one view runs on one thread: two views at a time keep both cores of
    // a small machine busy at the end of a rebuild (the benchmark's 14 views: 1.1-1.3 s one at a
    // time, 0.8-0.95 s two at a time).
    std::atomic<size_t> next{0};
    std::mutex failed_mu;
    rocksdb::Status failed;
    // Not exclusive (RocksDB 7.8's default, said here since older releases differed): the two
    // manual compactions run side by side, on the LOW pool's two threads (OpenDb).
    rocksdb::CompactRangeOptions options;
    options.exclusive_manual_compaction = false;
    auto compact = [&] {
      for (size_t i; (i = next++) < families.size();) {
        rocksdb::Status s;
        try {
          s = db_->Flush(rocksdb::FlushOptions(), families[i].get());
          if (s.ok()) s = db_->CompactRange(options, families[i].get(), nullptr, nullptr);
        } catch (const std::exception& e) {  // on the second thread it would end the process
          s = rocksdb::Status::Aborted(e.what());
        }
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(failed_mu);
          if (failed.ok()) failed = s;
          next = families.size();  // the others are left as they are
        }
      }
    };
    std::thread second;
    try {
      second = std::thread(compact);
    } catch (const std::system_error&) {
      // No second thread: this one compacts them all.
    }
    compact();
    if (second.joinable()) second.join();
    return FromRocks(failed);
  }

  Status CopyTo(const std::string& dir) override {
    if (read_only_) return Status::InvalidArgument("the views are open read-only");
    rocksdb::Checkpoint* raw = nullptr;
    rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
    if (!s.ok()) return FromRocks(s);
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    return FromRocks(checkpoint->CreateCheckpoint(dir));
  }

  uint64_t ApproximateKnownKeysBytes(std::string_view view) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = written_.find(std::string(view));
    return it == written_.end() ? 0 : it->second->ApproximateBytes();
  }

  uint64_t ApproximateSize(std::string_view view) override {
    Family family;
    if (!FamilyFor(view, false, &family).ok() || family == nullptr) return 0;
    uint64_t size = 0;
    db_->GetIntProperty(family.get(), "rocksdb.estimate-live-data-size", &size);
    uint64_t memtables = 0;
    db_->GetIntProperty(family.get(), "rocksdb.cur-size-all-mem-tables", &memtables);
    return size + memtables;
  }

 private:
  Family Wrap(rocksdb::ColumnFamilyHandle* h) {
    rocksdb::DB* db = db_.get();
    return Family(h, [db](rocksdb::ColumnFamilyHandle* p) { db->DestroyColumnFamilyHandle(p); });
  }

  // The view's family; created when `create` (otherwise nullptr when it does not exist). With
  // `written`, the keys written to it when this process created it (else null).
  Status FamilyFor(std::string_view view, bool create, Family* family,
                   std::shared_ptr<WrittenKeys>* written = nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string name(view);
    auto it = families_.find(name);
    if (it != families_.end()) {
      *family = it->second;
      if (written != nullptr) {
        auto known = written_.find(name);
        *written = known != written_.end() ? known->second : nullptr;
      }
      return Status::OK();
    }
    family->reset();
    if (!create) return Status::OK();
    if (read_only_) return Status::InvalidArgument("the views database is open read-only");
    rocksdb::ColumnFamilyHandle* h = nullptr;
    Status s = FromRocks(db_->CreateColumnFamily(family_options_, name, &h));
    if (!s.ok()) return s;
    *family = families_[name] = Wrap(h);
    // Created empty: from here on every row it holds was written through a DbRows.
    auto& keys = written_[name] = std::make_shared<WrittenKeys>(kMostWrittenKeysKnown);
    if (written != nullptr) *written = keys;
    return Status::OK();
  }

  // A view caught up with the log looks up few keys, while its known keys would be held (and
  // grow) for the process's life: they go, also from the batches open with them.
  void ForgetWrittenKeys(const std::set<std::string>& views) {
    if (views.empty()) return;
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& view : views) {
      auto it = written_.find(view);
      if (it == written_.end()) continue;
      it->second->Forget();
      written_.erase(it);
    }
  }

  // Keys known per view created by this process: about 17 bytes each (measured), 17 MB per
  // view at most (a view of 1M rows; a 1M-event history's largest has about 0.3M). Past it, its
  // misses are read.
  static constexpr size_t kMostWrittenKeysKnown = size_t{1} << 20;

  std::unique_ptr<rocksdb::Env> env_;  // over ViewStoreOptions::file_system; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<SnapshotKeeper> snapshots_;  // set once db_ is open
  std::unique_ptr<rocksdb::ColumnFamilyHandle> default_;
  rocksdb::ColumnFamilyOptions family_options_;
  bool read_only_ = false;
  size_t ingest_batch_bytes_ = 0;
  Status wal_failure_;  // set when buffered commits could not reach the log (FlushCommits)
  BatchIngestOptions ingest_;
  std::mutex mu_;
  std::map<std::string, Family> families_;
  std::map<std::string, std::shared_ptr<WrittenKeys>> written_;  // of families created here
  std::unique_ptr<WriteBehind> write_behind_;  // with ViewStoreOptions::write_behind
};

}  // namespace

Status ViewStore::Open(const ViewStoreOptions& options, const std::string& path,
                       std::unique_ptr<ViewStore>* store) {
  auto s = std::make_unique<RocksViewStore>();
  Status status = s->OpenDb(options, path);
  if (status.IsCorruption() && !options.read_only && options.create_if_missing &&
      options.set_aside_if_damaged) {
    // The views are derived data: folded again from the log (or the topic) rather than keeping
    // every process that needs them from starting.
    const std::string aside = path + ".damaged";
    std::error_code error;
    std::filesystem::remove_all(aside, error);
    if (!error) std::filesystem::rename(path, aside, error);
    if (error) return status;
    LogError("views", "views database damaged, set aside to be folded again path=" + aside +
                          " error=" + status.message());
    s = std::make_unique<RocksViewStore>();
    status = s->OpenDb(options, path);
  }
  if (status.ok()) *store = std::move(s);
  return status;
}

}  // namespace tandem
