#include "chunked_list.h"

#include <algorithm>

#include "batch_table.h"
#include "view_key.h"

namespace tandem {
namespace {

std::string ChunkKey(const std::string& base, uint64_t chunk) {
  std::string key = base;
  AppendKeyPart(&key, OrderedNumber(chunk));
  return key;
}

// The chunk's lines, each without its '\n'; a chunk not ending in '\n' was cut short.
Status SplitLines(std::string_view chunk, std::vector<std::string_view>* lines) {
  lines->clear();
  if (!chunk.empty() && chunk.back() != '\n') {
    return Status::Corruption("a view list chunk is damaged");
  }
  for (size_t at = 0; at < chunk.size();) {
    const size_t end = chunk.find('\n', at);
    lines->push_back(chunk.substr(at, end - at));
    at = end + 1;
  }
  return Status::OK();
}

}  // namespace

ChunkedList::Pending& ChunkedList::PendingFor(const std::string& base, uint64_t count) {
  auto [it, added] = pending_.try_emplace(ChunkKey(base, count / chunk_items_));
  if (added) it->second.first = count % chunk_items_;
  return it->second;
}

void ChunkedList::Forget() {
  EmptyAfterBatch(&pending_);
  known_lines_ = {};  // clear() would keep its table
}

Status ChunkedList::Flush(ViewRows* rows) {
  Status s;
  std::string stored;
  // Bounded: a rebuild appends to every chunk of every list, most of them once.
  if (known_lines_.size() > 100000) known_lines_ = {};
  std::vector<std::pair<const std::string, Pending>*> sorted;
  sorted.reserve(pending_.size());
  for (auto& entry : pending_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (auto* entry : sorted) {
    const std::string& key = entry->first;
    Pending& chunk = entry->second;
    auto known = known_lines_.find(key);
    if (known == known_lines_.end() || known->second != chunk.first) {
      // Appending to a chunk that was cut short or lost lines would hide the damage behind
      // lines one place off their items: the chunk must hold exactly the items before the
      // first added. A Get, never a parse: a damaged chunk fails the fold, which drops the view
      // to fold it again.
      s = rows->Get(key, &stored);
      if (s.IsNotFound()) {
        stored.clear();
        s = Status::OK();
      }
      if (!s.ok()) break;
      if ((!stored.empty() && stored.back() != '\n') ||
          static_cast<uint64_t>(std::count(stored.begin(), stored.end(), '\n')) != chunk.first) {
        s = Status::Corruption("a view list chunk is damaged");
        break;
      }
    }
    rows->Append(key, chunk.lines);
    const uint64_t lines = chunk.first + chunk.added;
    if (lines < chunk_items_) {
      known_lines_.insert_or_assign(key, lines);
    } else if (known != known_lines_.end()) {
      known_lines_.erase(known);  // full: never appended to again
    }
  }
  EmptyAfterBatch(&pending_);
  if (!s.ok()) known_lines_ = {};
  return s;
}

Status ChunkedList::Read(const RowReader& rows, const std::string& base, uint64_t count,
                         uint64_t first, uint64_t n, bool newest_first,
                         std::vector<boost::json::object>* items, uint64_t chunk_items) {
  items->clear();
  uint64_t loaded_chunk = UINT64_MAX;
  std::string value;
  std::vector<std::string_view> lines;
  for (uint64_t k = first; k < count && k - first < n; ++k) {
    const uint64_t index = newest_first ? count - 1 - k : k;
    const uint64_t c = index / chunk_items;
    if (c != loaded_chunk) {
      Status s = rows.Get(ChunkKey(base, c), &value);
      if (!s.ok()) {
        return s.IsNotFound() ? Status::Corruption("a view list is missing a chunk") : s;
      }
      s = SplitLines(value, &lines);
      if (!s.ok()) return s;
      loaded_chunk = c;
    }
    const uint64_t at = index % chunk_items;
    if (at >= lines.size()) return Status::Corruption("a view list chunk is shorter than its list");
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(lines[at], ec);
    if (ec || !v.is_object()) return Status::Corruption("a view list chunk is damaged");
    items->push_back(std::move(v.get_object()));
  }
  return Status::OK();
}

}  // namespace tandem
