// IdIndex: the value of each id of a scope that gathers ids without end (a project's comments),
// stored so that a batch writes about one row per bucket it touched, not one row per id.
//
// Linear hashing. The rows of a scope extend its base key:
//   base + "h"        the level L and the split pointer s (absent: L = 0, s = 0)
//   base + "b" + n    bucket n (0 <= n < 2^L + s): records appended through ViewRows::Append
//   base + "o" + id   an id a full bucket could not take (below)
// An id's bucket is h mod 2^L, or h mod 2^(L+1) when that is below s (h: a fixed 64-bit hash of
// the id, so that a rebuild and an as-of fold lay the rows out as the live fold did; a bucket's
// bytes never depend on how the additions were batched). When an addition leaves its bucket
// holding `split_at` ids or more, bucket s is split in two (its ids with bit L set move to
// bucket s + 2^L; both are written whole) and s moves on: the header changes once per split,
// and with random ids no bucket holds much more than split_at ids, however many the scope has.
//
// Ids are chosen by whoever posts them, and ids made to hash alike would fill one bucket faster
// than splits reach it. A bucket takes at most `max_bucket` ids; an id for a full bucket is a
// row of its own, and the bucket is marked so that a lookup of an id it lacks reads that row.
// An id of more than 256 bytes (past the domain's rules) is such a row and in no bucket (a lookup
// of a long id reads that row alone); a value of more than 256 bytes is such a row, with a redirect
// of the id in its bucket.
// So a lookup reads the header, one bucket of at most max_bucket ids and at most one more row,
// and an addition appends one record (at a split or a mark, rewrites a bucket or two and the
// header), whatever the scope's size.
//
// Every record carries a check of its bytes: a record cut short or overwritten is Corruption,
// never a different value. What the check cannot tell is a bucket that lost whole records (cut
// at a record's end): those ids read as never added, as a lost row per id did before buckets.
//
// Buckets and headers stay decoded between batches, charged to a RowCacheBudget like
// DocCache's rows and forgotten like them. A rebuild's round of 200,000 events touches nearly
// every bucket of the projects it folds, and all of them stay until its flush: the record's
// bytes and 12 more per id of those projects, about 70 bytes per comment (reads do not see a
// batch's writes before its commit).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "key_hash.h"
#include "row_cache_budget.h"
#include "tandem/projections/projection.h"

namespace tandem {

struct IdIndexOptions {
  size_t split_at = 128;
  size_t max_bucket = 512;
};

class IdIndex {
 public:
  explicit IdIndex(RowCacheBudget* budget, IdIndexOptions options = {});
  IdIndex(const IdIndex&) = delete;
  IdIndex& operator=(const IdIndex&) = delete;
  ~IdIndex();

  // The value of `id` in the scope `base`; `*found` false when the scope has no such id.
  Status Find(const RowReader& rows, const std::string& base, std::string_view id,
              std::string* value, bool* found);
  // Gives `id` its value unless it has one: an id keeps the value it was first given. `*added`
  // says which.
  Status Add(const RowReader& rows, const std::string& base, std::string_view id,
             std::string_view value, bool* added);

  // Writes what the additions since the last Flush changed.
  void Flush(ViewRows* rows);
  // Drops every cached row and change (a failed commit).
  void Forget();

  // The fixed hash that places an id (exposed for tests that make ids hash alike).
  static uint64_t HashOf(std::string_view id);

 private:
  struct Bucket {
    uint64_t number = 0;
    // The row as stored, with this batch's records after `flushed` bytes (or the whole row
    // to write when `rewrite`): each id's bytes once, no string per record.
    std::string bytes;
    size_t flushed = 0;
    std::vector<uint64_t> hashes;   // of the records' ids: a lookup scans these 8 bytes each
    std::vector<uint32_t> offsets;  // where each record starts in `bytes`
    // A bit per hash's top bits: most lookups are of new ids, and most of those stop here
    // instead of scanning `hashes` (a cache line instead of several).
    uint64_t filter[8] = {};
    bool marked = false;   // ids beyond max_bucket are rows of their own
    bool rewrite = false;  // split or marked this batch: written whole
    bool dirty = false;
    uint64_t used = 0;
    int64_t charged = 0;
    size_t size() const { return hashes.size(); }
  };
  struct Scope {
    std::string base;
    uint32_t level = 0;
    uint64_t split = 0;
    bool dirty = false;
    uint64_t used = 0;
    boost::unordered_flat_map<uint64_t, std::unique_ptr<Bucket>> buckets;
  };
  struct Place {
    Scope* scope = nullptr;
    Bucket* bucket = nullptr;
    uint64_t hash = 0;
    // The record of the id in the bucket, or size() when the bucket has none.
    size_t at = 0;
  };

  Status LoadScope(const RowReader& rows, const std::string& base, Scope** scope);
  Status LoadBucket(const RowReader& rows, Scope* scope, uint64_t n, Bucket** bucket);
  Status Locate(const RowReader& rows, const std::string& base, std::string_view id, Place* place);
  // The id's own row (from this batch or the store); `*found` false when it has none.
  Status ReadOverflow(const RowReader& rows, const std::string& base, std::string_view id,
                      std::string* value, bool* found);
  // Find, leaving in `*place` the id's bucket (none for a long id) for an addition.
  Status Lookup(const RowReader& rows, const std::string& base, std::string_view id, Place* place,
                std::string* value, bool* found);
  Status Split(const RowReader& rows, Scope* scope);
  // Adds a record (`tag`: an entry, or a redirect whose value is a row of its own) to `b`: its
  // bytes, then Index.
  static void Hold(Bucket* b, uint64_t hash, char tag, std::string_view id, std::string_view value);
  // Makes the record at `offset` of `b` found by lookups (its hash, offset and filter bit).
  static void Index(Bucket* b, uint64_t hash, size_t offset);
  static std::string_view IdAt(const Bucket& b, size_t i);
  static std::string ValueAt(const Bucket& b, size_t i);
  void Changed(Scope* scope, Bucket* b);
  void Charge(Bucket* b);
  void Discharge(const Scope& scope);

  RowCacheBudget* budget_;
  IdIndexOptions options_;
  // Boxed: dirty_ points at scopes and buckets, and a split loads a second bucket while the
  // caller holds the first.
  boost::unordered_flat_map<std::string_view, std::unique_ptr<Scope>, KeyHash> scopes_;
  std::vector<std::pair<Scope*, Bucket*>> dirty_;
  std::vector<Scope*> dirty_scopes_;  // split since the last Flush
  // Rows of ids a full bucket could not take, until Flush writes them.
  boost::unordered_flat_map<std::string, std::string, KeyHash, std::equal_to<>> overflow_;
  CacheGenerations generations_;
};

}  // namespace tandem
