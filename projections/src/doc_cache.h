// DocCache: the rows a fold changes, kept decoded in memory between events so that a row
// touched by a thousand events is read once and written once per batch.
//
// Doc is a value type with its members declared once as `kFields` (row_fields.h), or with
//   void Write(JsonLine* line) const;               // or void ToJson(boost::json::object*) const
//   void FromJson(const boost::json::object& in);   // must not throw on unexpected shapes
// or `bool FromJson(...)`, false when the row is not as Write (ToJson) writes it (then
// Corruption: a fold never rewrites a damaged row as a plausible one).
// Write gives the same text as ToJson would, written straight into the row's buffer (building
// a boost::json::object allocated every member and copied every text twice more; about 4% of a
// rebuild). Rows are stored as the JSON text of the object; a stored row that is not a JSON
// object is Corruption naming the view, never data.
//
// What a cache keeps between batches is charged to a RowCacheBudget shared with the other caches
// of its projections; see row_cache_budget.h.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/json.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include "json_line.h"
#include "key_hash.h"
#include "row_cache_budget.h"
#include "row_fields.h"
#include "tandem/projections/projection.h"

namespace tandem {

template <class Doc>
class DocCache {
 public:
  // `budget` must outlive the cache. When it is exceeded, Flush forgets the rows the last batch
  // did not use (keeping those every batch touches, such as a project's header); a batch that
  // used no row of this cache forgets nothing, unless the batches before it used none either.
  explicit DocCache(RowCacheBudget* budget) : budget_(budget) {}
  DocCache(const DocCache&) = delete;
  DocCache& operator=(const DocCache&) = delete;
  ~DocCache() { Forget(); }

  // The row under `key` for changing it, or nullptr in `*doc` when there is none.
  Status Find(const RowReader& rows, const std::string& key, Doc** doc) {
    Entry* e = nullptr;
    Status s = Load(rows, key, &e);
    if (!s.ok()) return s;
    *doc = nullptr;
    if (e->present) {
      MarkDirty(e);
      *doc = &e->doc;
    }
    return Status::OK();
  }

  // The row under `key`, or a null `doc` when there is none; the row is written back only if
  // the caller says it changed it (Ref::Changed), so a fold that looks and changes nothing
  // writes nothing.
  struct Ref {
    Doc* doc = nullptr;
    DocCache* cache = nullptr;
    void* entry = nullptr;
    void Changed() { cache->MarkDirty(static_cast<Entry*>(entry)); }
  };
  Status Open(const RowReader& rows, const std::string& key, Ref* ref) {
    Entry* e = nullptr;
    Status s = Load(rows, key, &e);
    if (!s.ok()) return s;
    ref->doc = e->present ? &e->doc : nullptr;
    ref->cache = this;
    ref->entry = e;
    return Status::OK();
  }

  // `ref` read again: its doc as the row is now (Get, Create or Erase may have changed that since
  // it was opened). Only while epoch() is what it was at Open.
  void Refresh(Ref* ref) {
    Entry* e = static_cast<Entry*>(ref->entry);
    ref->doc = e->present ? &e->doc : nullptr;
  }

  // Changes whenever entries may have been freed (Flush, Forget, a row that failed to load): a
  // Ref kept across events (ProjectRun) is good while epoch() has not changed.
  uint64_t epoch() const { return epoch_; }

  // The row under `key` for reading only, or nullptr when there is none.
  Status Peek(const RowReader& rows, const std::string& key, const Doc** doc) {
    Entry* e = nullptr;
    Status s = Load(rows, key, &e);
    if (!s.ok()) return s;
    *doc = e->present ? &e->doc : nullptr;
    return Status::OK();
  }

  // The row under `key` for changing it, created empty when there is none.
  Status Get(const RowReader& rows, const std::string& key, Doc** doc) {
    Entry* e = nullptr;
    Status s = Load(rows, key, &e);
    if (!s.ok()) return s;
    if (!e->present) {
      e->doc = Doc();
      e->present = true;
    }
    MarkDirty(e);
    *doc = &e->doc;
    return Status::OK();
  }

  // A new row under `key` for filling in, or nullptr in `*doc` when one is already there: the
  // first creation of a thing decides, a later one changes nothing.
  Status Create(const RowReader& rows, const std::string& key, Doc** doc) {
    Entry* e = nullptr;
    Status s = Load(rows, key, &e);
    if (!s.ok()) return s;
    *doc = nullptr;
    if (e->present) return Status::OK();
    e->doc = Doc();
    e->present = true;
    MarkDirty(e);
    *doc = &e->doc;
    return Status::OK();
  }

  void Erase(const std::string& key) {
    Entry* e = Slot(key);
    e->loaded = true;
    e->present = false;
    MarkDirty(e);
  }

  void Flush(ViewRows* rows) {
    // Only the rows changed since the last flush are visited: a live batch touching ten rows
    // costs ten rows, however many the cache holds. In key order: the memtable inserts a run
    // of ascending keys next to each other instead of searching for each.
    std::sort(dirty_.begin(), dirty_.end(),
              [](const Entry* a, const Entry* b) { return a->key() < b->key(); });
    std::string text;
    for (Entry* e : dirty_) {
      e->dirty = false;
      if (e->present) {
        if constexpr (HasRowFields<Doc> || requires(const Doc& d, JsonLine* l) { d.Write(l); }) {
          text.clear();
          JsonLine line(&text);
          WriteRow(e->doc, &line);
          line.Close();
        } else {
          boost::json::object o;
          e->doc.ToJson(&o);
          text = boost::json::serialize(o);
        }
        // A row looked at through a changing handle but left as it was is not written again
        // (a project's root, touched by every comment): each write is a memtable insert.
        if (e->stored == Stored::kText && e->text == text) continue;
        rows->Put(e->key(), text);
        e->stored = Stored::kText;
        e->text = std::move(text);
      } else if (e->stored != Stored::kAbsent) {
        rows->Delete(e->key());
        e->stored = Stored::kAbsent;
        e->text.clear();
        e->text.shrink_to_fit();
      }
      Charge(e);
    }
    dirty_.clear();
    const auto forgetting = generations_.AtFlush(*budget_);
    if (forgetting != CacheGenerations::Forgetting::kNothing) {
      const bool all = forgetting == CacheGenerations::Forgetting::kAll;
      boost::unordered::erase_if(entries_, [&](const auto& kv) {
        if (!all && kv.second->used == generations_.current()) return false;
        Discharge(*kv.second);
        return true;
      });
    }
    generations_.NextBatch();
    ++epoch_;
  }

  void Forget() {
    for (const auto& kv : entries_) Discharge(*kv.second);
    entries_.clear();
    dirty_.clear();
    ++epoch_;
  }

 private:
  // What the store holds under the entry's key, as far as this cache knows.
  enum class Stored { kUnknown, kAbsent, kText };
  // An entry and its key share one allocation: a lookup compares the key where it then reads
  // the entry, one cache miss instead of two (a rebuild's round touches 100k rows and more).
  struct Entry {
    Doc doc;
    Stored stored = Stored::kUnknown;
    std::string text;  // the stored row, when kText
    bool loaded = false;
    bool present = false;
    bool dirty = false;
    uint64_t used = 0;   // the batch (generation) that last used it
    size_t charged = 0;  // what the budget was charged for it
    uint32_t key_size = 0;
    std::string_view key() const {
      return std::string_view(reinterpret_cast<const char*>(this + 1), key_size);
    }
  };
  struct FreeEntry {
    void operator()(Entry* e) const {
      e->~Entry();
      ::operator delete(e);
    }
  };
  using EntryPtr = std::unique_ptr<Entry, FreeEntry>;
  static EntryPtr NewEntry(std::string_view key) {
    void* memory = ::operator new(sizeof(Entry) + key.size());
    Entry* raw = nullptr;
    try {
      raw = new (memory) Entry();
    } catch (...) {
      ::operator delete(memory);
      throw;
    }
    EntryPtr e(raw);
    std::memcpy(reinterpret_cast<char*>(e.get() + 1), key.data(), key.size());
    e->key_size = static_cast<uint32_t>(key.size());
    return e;
  }

  Entry* Slot(const std::string& key) {
    auto it = entries_.find(std::string_view(key));
    if (it == entries_.end()) {
      EntryPtr entry = NewEntry(key);
      const std::string_view view = entry->key();
      it = entries_.emplace(view, std::move(entry)).first;
    }
    Entry* e = it->second.get();
    e->used = generations_.Use();
    return e;
  }

  // Besides the key and the stored text, the decoded row is taken to hold about as much as its
  // text, and each entry has its allocation and its slot in the table.
  void Charge(Entry* e) {
    const size_t bytes = sizeof(Entry) + e->key_size + 2 * e->text.capacity() + kSlotBytes;
    budget_->Charge(static_cast<int64_t>(bytes) - static_cast<int64_t>(e->charged));
    e->charged = bytes;
  }
  void Discharge(const Entry& e) { budget_->Charge(-static_cast<int64_t>(e.charged)); }
  static constexpr size_t kSlotBytes = 32;

  void MarkDirty(Entry* e) {
    if (e->dirty) return;
    e->dirty = true;
    dirty_.push_back(e);
  }

  // Frees the entry of a row that could not be loaded.
  void Drop(const std::string& key) {
    entries_.erase(std::string_view(key));
    ++epoch_;
  }

  Status Load(const RowReader& rows, const std::string& key, Entry** out) {
    Entry& e = *Slot(key);
    *out = &e;
    if (e.loaded) return Status::OK();
    std::string value;
    Status s = rows.Get(key, &value);
    if (s.IsNotFound()) {
      e.loaded = true;
      e.stored = Stored::kAbsent;
      Charge(&e);
      return Status::OK();
    }
    if (!s.ok()) {
      Drop(key);
      return s;
    }
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(value, ec);
    if (ec || !v.is_object()) {
      Drop(key);
      return Status::Corruption("a stored view row is not a JSON object");
    }
    if constexpr (std::is_same_v<decltype(ReadRow(v.get_object(), &e.doc)), bool>) {
      if (!ReadRow(v.get_object(), &e.doc)) {
        Drop(key);
        return Status::Corruption("a stored view row is damaged");
      }
    } else {
      ReadRow(v.get_object(), &e.doc);
    }
    e.loaded = true;
    e.present = true;
    e.stored = Stored::kText;
    e.text = std::move(value);
    Charge(&e);
    return Status::OK();
  }

  RowCacheBudget* budget_;
  uint64_t epoch_ = 0;
  std::vector<Entry*> dirty_;  // changed since the last Flush
  CacheGenerations generations_;
  // Open addressing (no chain of nodes to walk on a lookup); entries are boxed so that the
  // pointers in dirty_ survive a rehash, and each is keyed by a view of its own key.
  boost::unordered_flat_map<std::string_view, EntryPtr, KeyHash> entries_;
};

}  // namespace tandem
