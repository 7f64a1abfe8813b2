// ChunkedList: an append-only list (a thread's comments, a feed, a file's versions) stored in
// rows of up to `chunk_items` items, so appending costs the same whatever the list's length.
//
// A chunk's value is its items as JSON lines (one serialised object and '\n' each). An append
// adds its line to the chunk through ViewRows::Append and never reads the chunk: a batch writes
// only the bytes of the items it added, not the chunk again, and folding a comment costs the
// same in a chunk of 1 item or 63 (JsonLine escapes every control character, so a line never
// holds a raw '\n').
//
// The list's length is kept by the caller (in its own row); item i lives in the row
// `base` + OrderedNumber(i / chunk_items).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include "json_line.h"
#include "key_hash.h"
#include "tandem/projections/projection.h"

namespace tandem {

class ChunkedList {
 public:
  static constexpr uint64_t kDefaultChunkItems = 64;
  explicit ChunkedList(uint64_t chunk_items = kDefaultChunkItems) : chunk_items_(chunk_items) {}

  // Appends the object `write` writes (given a JsonLine, which the list closes) as the list's
  // item number `count` (its length before the append). Written straight into the chunk's
  // pending lines: no string, no JSON object per item. A line is counted only once it is
  // whole: an exception part-way leaves the lines as they were.
  template <class Write>
  void Append(const std::string& base, uint64_t count, Write&& write) {
    Pending& chunk = PendingFor(base, count);
    std::string& lines = chunk.lines;
    const size_t start = lines.size();
    try {
      JsonLine line(&lines);
      write(line);
      line.Close();
      lines += '\n';
    } catch (...) {
      lines.resize(start);
      throw;
    }
    chunk.added++;
  }
  // Writes the items appended since the last Flush; Corruption when a chunk they go to does not
  // hold exactly the items before them (cut short, lines lost): the view must be folded again.
  // A chunk is checked when this list first appends to it; after that the list trusts what it
  // wrote itself until Forget (a failed commit).
  Status Flush(ViewRows* rows);
  void Forget();

  // Items [first, first + n) of a list of `count` items, in order (`newest_first` counts from
  // the end instead: first = 0 is the last item). A chunk that is missing, holds fewer items
  // than the list's length or a line that is not a JSON object is Corruption.
  static Status Read(const RowReader& rows, const std::string& base, uint64_t count, uint64_t first,
                     uint64_t n, bool newest_first, std::vector<boost::json::object>* items,
                     uint64_t chunk_items = kDefaultChunkItems);

 private:
  struct Pending {
    uint64_t first = 0;  // the chunk's index of the first line added
    uint64_t added = 0;
    std::string lines;
  };
  // What this batch adds to item `count`'s chunk.
  Pending& PendingFor(const std::string& base, uint64_t count);

  uint64_t chunk_items_;
  // Chunk key -> lines added this batch. Hashed, and sorted once by Flush (which writes in key
  // order): an ordered map compared keys on every append, a cache miss each in a rebuild round.
  boost::unordered_flat_map<std::string, Pending, KeyHash, std::equal_to<>> pending_;
  // How many lines each chunk not yet full holds, as this list last wrote it: a chunk is read
  // back and checked when first appended to, not again on every batch (a live batch appends to
  // a chunk or two per thread; reading them back merged their operands every time). A flat
  // table: a node per chunk made each lookup a chain of cache misses (half a live flush's time).
  boost::unordered_flat_map<std::string, uint64_t, KeyHash, std::equal_to<>> known_lines_;
};

}  // namespace tandem
