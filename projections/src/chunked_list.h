// ChunkedList: an append-only list (a thread's comments, a feed, a file's versions) stored in
// rows of up to `chunk_items` items, so appending costs the same whatever the list's length,
// and a fold appending many items to one list writes one row per chunk per batch.
//
// The list's length is kept by the caller (in its own row); item i lives in the row
// `base` + OrderedNumber(i / chunk_items).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "doc_cache.h"

namespace tandem {

struct ListChunk {
  boost::json::array items;
  void ToJson(boost::json::object* out) const { (*out)["items"] = items; }
  // What ToJson gives, serialised without copying the items first (chunks are the largest rows).
  void Serialize(std::string* out) const {
    *out = "{\"items\":" + boost::json::serialize(items) + "}";
  }
  void FromJson(const boost::json::object& in);
};

class ChunkedList {
 public:
  static constexpr uint64_t kDefaultChunkItems = 64;
  explicit ChunkedList(uint64_t chunk_items = kDefaultChunkItems) : chunk_items_(chunk_items) {}

  // Appends `item` as the list's item number `count` (its length before the append).
  Status Append(const RowReader& rows, const std::string& base, uint64_t count,
                boost::json::object item);
  // Changes item number `index` in place (e.g. a file version's metadata); NotFound if absent.
  Status Update(const RowReader& rows, const std::string& base, uint64_t index,
                const std::function<void(boost::json::object*)>& change);
  void Flush(ViewRows* rows) { chunks_.Flush(rows); }
  void Forget() { chunks_.Forget(); }

  // Items [first, first + n) of a list of `count` items, in order (`newest_first` counts from
  // the end instead: first = 0 is the last item).
  static Status Read(const RowReader& rows, const std::string& base, uint64_t count, uint64_t first,
                     uint64_t n, bool newest_first, std::vector<boost::json::object>* items,
                     uint64_t chunk_items = kDefaultChunkItems);

 private:
  uint64_t chunk_items_;
  // Chunks are large (up to chunk_items items) and only the last one of a list is appended
  // to, so few are kept.
  DocCache<ListChunk> chunks_{8192};
};

}  // namespace tandem
