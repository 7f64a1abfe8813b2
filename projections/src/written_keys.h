// WrittenKeys: the keys written to a view's column family since this process created it empty,
// so that a fold's lookup of a key never written is answered without reading the store.
//
// Why: folds look up rows before they exist (every new comment, question, card or file is a
// lookup of an id not seen yet), and in a rebuild almost every such lookup is a miss that goes
// through the memtable and every table's filter (a rebuild ingests a table per round): about a
// tenth of a rebuild's time. One hash lookup in memory answers it instead.
//
// Contract:
//  - Only for a family created empty by this process, and every key written to it (Put,
//    Merge, Delete, of any batch) must be Added before the write can be read back: before the
//    batch is committed.
//  - MayHave is false only for a key never Added (keys are kept as 64-bit hashes: a collision
//    says "may have", and the store is read as without this).
//  - Past `max_keys` the set gives up (memory stays bounded by it): MayHave is true from then on.
//    Forget gives up at once (a view caught up with the log: its live lookups are few, and the
//    set would otherwise be held for the process's life).
//  - Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <span>
#include <string_view>

#include <boost/unordered/unordered_flat_set.hpp>

namespace tandem {

class WrittenKeys {
 public:
  explicit WrittenKeys(size_t max_keys) : max_keys_(max_keys) {}

  static size_t Hash(std::string_view key) { return std::hash<std::string_view>()(key); }

  // Keys by their Hash: a writer gathers those of a batch and adds them once, before the batch
  // is written (one lock a batch, not one a row).
  void Add(std::span<const size_t> hashes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (gave_up_) return;
    if (hashes_.size() + hashes.size() > max_keys_) {  // checked first: never past the bound
      gave_up_ = true;
      hashes_ = {};  // freed, not cleared
      return;
    }
    hashes_.insert(hashes.begin(), hashes.end());
  }

  void Forget() {
    std::lock_guard<std::mutex> lock(mu_);
    gave_up_ = true;
    hashes_ = {};  // freed, not cleared
  }

  bool MayHave(std::string_view key) const {
    const size_t hash = Hash(key);
    std::lock_guard<std::mutex> lock(mu_);
    return gave_up_ || hashes_.contains(hash);
  }

  // Memory held: the table's slots (a hash and a byte of metadata each).
  size_t ApproximateBytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return hashes_.bucket_count() * (sizeof(size_t) + 1);
  }

 private:
  const size_t max_keys_;
  mutable std::mutex mu_;
  bool gave_up_ = false;
  boost::unordered_flat_set<size_t> hashes_;
};

}  // namespace tandem
