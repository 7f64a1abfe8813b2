// PendingRows: rows the views database has committed and not yet written to RocksDB (a store
// that writes behind, ViewStoreOptions::write_behind). This process's readers read through them
// at once; a flush writes them to RocksDB a little later, each row once however many commits
// changed it (an appended row as one append of everything added).
//
// Contract:
//  - Apply makes a commit's changes (puts, deletes, appends) visible at once, as one step of a
//    sequence.
//  - Every write to RocksDB while rows are pending is a flush (BeginFlush, EndFlush), made by
//    one writer at a time: a flush's batch then takes RocksDB's sequence numbers from the one
//    recorded at BeginFlush, and a RocksDB snapshot tells by its sequence number alone which
//    flushes it holds. That is what makes an appended row exact: a reader adds to the value
//    its snapshot holds only what was appended after the last flush that snapshot holds.
//  - A Moment is what a reader sees: commits up to `sequence`, of which those up to `flushed`
//    are in its snapshot. A reader kept across commits and flushes registers its moment
//    (Capture, Release): what it reads is kept until it is released.
//  - Rows are kept by view (its column family's id) in hash maps: a commit's changes are found
//    without comparing long keys that share their beginnings (a tenant, a project); the few
//    readers that need order (Collect, a flush) sort what they take.
//  - A flush seals the rows committed so far into a layer no commit changes again, and reads
//    it without the lock: commits and reads wait for the flush only while it swaps layers
//    (a live round committed during a flush of 10,000 rows would otherwise wait for all of it).
//    A sealed layer is kept while a reader's moment may read it.
//  - Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tandem {

class PendingRows {
 public:
  enum class Op : uint8_t { kPut, kDelete, kAppend };
  struct Change {
    uint32_t family;
    std::string key;
    Op op;
    std::string bytes;  // the value put, or the bytes appended
  };
  struct Moment {
    uint64_t sequence = 0;
    uint64_t flushed = 0;
  };
  // A read's answer. kNo: nothing pending, read the snapshot; kAppend: `bytes` go after the
  // value the snapshot holds (an absent row is empty).
  enum class Found { kNo, kValue, kDeleted, kAppend };
  struct Row {
    uint32_t family;
    std::string key;
    Found found;
    std::string bytes;
  };

  void Apply(std::vector<Change> changes);

  // The moment of a read through the RocksDB snapshot `take_snapshot` takes (returning its
  // sequence number), seeing every commit made so far. It is taken under the lock that ends
  // flushes, so that only a flush in progress can be in doubt, and its first sequence number
  // settles it. Registered when `registered` (then Release it).
  Moment At(const std::function<uint64_t()>& take_snapshot, bool registered) const;
  void Release(const Moment& moment) const;
  // The latest commits, with nothing of a flush in progress counted as flushed: Read answers
  // kNo only for a row with nothing pending, which RocksDB's latest value then answers (a
  // kAppend must be read again through a snapshot and At).
  Moment Latest() const;

  Found Read(const Moment& moment, uint32_t family, std::string_view key, std::string* bytes) const;
  // The rows of `family` under `prefix` that Read answers other than kNo, in key order.
  void Collect(const Moment& moment, uint32_t family, std::string_view prefix,
               std::vector<Row>* rows) const;

  // Starts a flush whose write will take RocksDB's sequence numbers from `first_sequence`:
  // each pending row's collapsed change (kAppend: appended to what RocksDB holds), by family
  // then key. Returns the sequence it reaches, for EndFlush.
  uint64_t BeginFlush(uint64_t first_sequence, std::vector<Row>* rows);
  // The flush's write is done (`written`), or failed: then nothing more is written.
  void EndFlush(uint64_t upto, bool written);

  bool empty() const;  // nothing pending
  // Memory held by rows committed since the last flush began (what the next one writes):
  // keys, values and an estimate of the maps' and versions' own.
  size_t unflushed_bytes() const;
  // Memory held by rows flushed and still kept for readers.
  size_t kept_bytes() const;

 private:
  struct Version {
    uint64_t sequence;
    Op op;
    std::string bytes;
  };
  using Versions = std::vector<Version>;  // oldest first

  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };
  using Rows = std::unordered_map<std::string, Versions, KeyHash, std::equal_to<>>;
  using Layer = std::unordered_map<uint32_t, Rows>;  // by family
  struct Sealed {
    uint64_t upto;  // its versions follow the previous layer's, up to here
    std::shared_ptr<const Layer> rows;
    size_t bytes;
  };
  using Chains = std::vector<const Versions*>;  // one row's versions, newest layer first
  // Memory a row and a version take besides their bytes (hash node, key string, vector,
  // version): about 200 bytes for a live-sized row with one version (a 26-byte key, 24 bytes
  // appended), measured with the heap in review.
  static constexpr size_t kRowOverhead = 150;
  static constexpr size_t kVersionOverhead = 50;

  // The row as the versions in (after, upto] leave it.
  static Found Resolve(const Chains& chains, uint64_t after, uint64_t upto, std::string* bytes);
  Chains ChainsOf(uint32_t family, std::string_view key, uint64_t after) const;
  void ForgetUnneeded() const;  // frees memory only: readers release it too

  mutable std::mutex mu_;
  Layer active_;
  size_t active_bytes_ = 0;
  mutable std::vector<Sealed> sealed_;  // oldest first
  uint64_t sequence_ = 0;
  uint64_t flushed_ = 0;  // every version up to here is in RocksDB
  // The flush in progress: RocksDB's first sequence number for it, and the version it reaches.
  bool flushing_ = false;
  uint64_t flushing_first_ = 0;
  uint64_t flushing_upto_ = 0;
  mutable std::multiset<uint64_t> readers_;  // registered moments' `flushed`
};

}  // namespace tandem
