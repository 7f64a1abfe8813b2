#include "chunked_list.h"

#include "view_key.h"

namespace tandem {
namespace {

std::string ChunkKey(const std::string& base, uint64_t chunk) {
  std::string key = base;
  AppendKeyPart(&key, OrderedNumber(chunk));
  return key;
}

}  // namespace

void ListChunk::FromJson(const boost::json::object& in) {
  const boost::json::value* v = in.if_contains("items");
  items = v != nullptr && v->is_array() ? v->get_array() : boost::json::array();
}

Status ChunkedList::Append(const RowReader& rows, const std::string& base, uint64_t count,
                           boost::json::object item) {
  ListChunk* chunk = nullptr;
  Status s = chunks_.Get(rows, ChunkKey(base, count / chunk_items_), &chunk);
  if (!s.ok()) return s;
  chunk->items.emplace_back(std::move(item));
  return Status::OK();
}

Status ChunkedList::Update(const RowReader& rows, const std::string& base, uint64_t index,
                           const std::function<void(boost::json::object*)>& change) {
  ListChunk* chunk = nullptr;
  Status s = chunks_.Find(rows, ChunkKey(base, index / chunk_items_), &chunk);
  if (!s.ok()) return s;
  const uint64_t at = index % chunk_items_;
  if (chunk == nullptr || at >= chunk->items.size() || !chunk->items[at].is_object()) {
    return Status::NotFound("list item not found");
  }
  change(&chunk->items[at].get_object());
  return Status::OK();
}

Status ChunkedList::Read(const RowReader& rows, const std::string& base, uint64_t count,
                         uint64_t first, uint64_t n, bool newest_first,
                         std::vector<boost::json::object>* items, uint64_t chunk_items) {
  items->clear();
  uint64_t loaded_chunk = UINT64_MAX;
  ListChunk chunk;
  for (uint64_t k = first; k < count && k - first < n; ++k) {
    const uint64_t index = newest_first ? count - 1 - k : k;
    const uint64_t c = index / chunk_items;
    if (c != loaded_chunk) {
      std::string value;
      Status s = rows.Get(ChunkKey(base, c), &value);
      if (!s.ok()) {
        return s.IsNotFound() ? Status::Corruption("a view list is missing a chunk") : s;
      }
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(value, ec);
      if (ec || !v.is_object()) return Status::Corruption("a view list chunk is damaged");
      chunk.FromJson(v.get_object());
      loaded_chunk = c;
    }
    const uint64_t at = index % chunk_items;
    if (at >= chunk.items.size() || !chunk.items[at].is_object()) {
      return Status::Corruption("a view list chunk is shorter than its list");
    }
    items->push_back(chunk.items[at].get_object());
  }
  return Status::OK();
}

}  // namespace tandem
