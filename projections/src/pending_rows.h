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
//  - A commit's keys and bytes are copied once, into one buffer its rows then point into
//    (Commit): a live round's commit is a few dozen small rows, and an allocation for each key
//    and value, then a node for each row, cost the runner more than its folds' reads.
//  - A flush seals the rows committed so far into a layer no commit changes again, and reads
//    it without the lock: commits and reads wait for the flush only while it swaps layers
//    (a live round committed during a flush of 10,000 rows would otherwise wait for all of it).
//    A sealed layer is kept while a reader's moment may read it.
//  - Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include "key_hash.h"

namespace tandem {

class PendingRows {
 public:
  enum class Op : uint8_t { kPut, kDelete, kAppend };
  // A commit's changes, in order; their keys and bytes are copied into one buffer.
  class Commit {
   public:
    void Reserve(size_t bytes) { buffer_.reserve(bytes); }
    Commit& Add(uint32_t family, std::string_view key, Op op, std::string_view bytes);

   private:
    friend class PendingRows;
    struct Entry {
      uint32_t family;
      Op op;
      size_t key_at, key_size, bytes_at, bytes_size;  // in buffer_
    };
    std::string buffer_;
    std::vector<Entry> entries_;
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
  // What a flush writes: each row's key and bytes point into memory the flush keeps until it
  // is destroyed.
  struct FlushRow {
    uint32_t family;
    std::string_view key;
    Found found;
    std::string_view bytes;
  };
  class Flush {
   public:
    Flush() = default;
    // Its rows may point into its own joined values: moved, never copied.
    Flush(const Flush&) = delete;
    Flush& operator=(const Flush&) = delete;
    Flush(Flush&&) = default;
    Flush& operator=(Flush&&) = default;
    const std::vector<FlushRow>& rows() const { return rows_; }
    uint64_t upto() const { return upto_; }
    size_t bytes() const { return bytes_; }  // keys and values

   private:
    friend class PendingRows;
    std::vector<FlushRow> rows_;
    uint64_t upto_ = 0;
    size_t bytes_ = 0;
    std::deque<std::string> joined_;  // values made of several versions
    std::shared_ptr<const void> layer_;
  };

  void Apply(Commit commit);

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
  // then key, into `*flush`.
  void BeginFlush(uint64_t first_sequence, Flush* flush);
  // The flush's write is done (`written`), or failed: then nothing more is written.
  void EndFlush(const Flush& flush, bool written);

  bool empty() const;  // nothing pending
  // Memory held by rows committed since the last flush began (what the next one writes):
  // the commits' buffers and an estimate of the maps' and versions' own.
  size_t unflushed_bytes() const;
  // Memory held by rows flushed and still kept for readers.
  size_t kept_bytes() const;

 private:
  struct Version {
    uint64_t sequence;
    std::string_view bytes;  // in its layer's buffers
    Op op;
  };
  using Versions = boost::container::small_vector<Version, 1>;  // oldest first

  // Keys point into the layer's buffers.
  using Rows = boost::unordered_flat_map<std::string_view, Versions, KeyHash, std::equal_to<>>;
  struct Layer {
    boost::unordered_flat_map<uint32_t, Rows> families;
    std::deque<std::string> buffers;  // a deque: what rows point into never moves
  };
  struct Sealed {
    uint64_t upto;  // its versions follow the previous layer's, up to here
    std::shared_ptr<const Layer> rows;
    size_t bytes;
  };
  using Chains = std::vector<const Versions*>;  // one row's versions, newest layer first
  // The versions that make a row's value in a window: the newest put or delete (base) and the
  // appends after it, newest first.
  struct Parts {
    const Version* base = nullptr;
    boost::container::small_vector<const Version*, 4> appends;
  };
  // Memory a row and a version take besides their bytes (the table's slot with its key view
  // and one version inline; a further version in a vector of its own). Estimates.
  static constexpr size_t kRowOverhead = 100;
  static constexpr size_t kVersionOverhead = 40;
  // A catch-up's flush may write a million rows: the next layer's tables are not made that
  // large for the live commits after it (at most about 0.6 MB a family, not counted in
  // unflushed_bytes: most of it is never touched).
  static constexpr size_t kMostRowsReserved = 8192;

  // The row as the versions in (after, upto] leave it.
  static Found Gather(const Chains& chains, uint64_t after, uint64_t upto, Parts* parts);
  static void Join(const Parts& parts, std::string* bytes);
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
  // Each family's rows in the last flush, by family; touched by flushes alone (one at a time).
  std::vector<std::pair<uint32_t, size_t>> last_flush_rows_;
};

}  // namespace tandem
