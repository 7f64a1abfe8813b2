#include "id_index.h"

#include <algorithm>

#include "batch_table.h"
#include "view_key.h"

namespace tandem {
namespace {

constexpr char kEntry = 'e';
constexpr char kMark = 'm';
constexpr char kRedirect = 'x';     // an id whose value is a row of its own
constexpr uint32_t kMaxLevel = 48;  // 2^48 buckets: far beyond any scope
// An id or a value longer than this (the domain allows 128-byte ids; `tandem append` writes any)
// is not in a bucket: a bucket's row stays within max_bucket records of about twice this size.
constexpr size_t kMaxInBucket = 256;
constexpr size_t kFirstCapacity = 16;  // a bucket's records grow from this many, not 1, 2, 4...

uint32_t Check(std::string_view bytes) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : bytes) h = (h ^ c) * 16777619u;
  return h;
}

void PutCheck(std::string* out, size_t from) {
  const uint32_t c = Check(std::string_view(*out).substr(from));
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(c >> shift));
}

// Reads the check written by PutCheck at `at` and compares it with bytes [from, at).
bool CheckAt(std::string_view in, size_t from, size_t at) {
  if (at + 4 > in.size()) return false;
  uint32_t c = 0;
  for (size_t i = 0; i < 4; ++i) c = (c << 8) | static_cast<unsigned char>(in[at + i]);
  return c == Check(in.substr(from, at - from));
}

void PutLength(std::string* out, size_t n) {
  for (; n >= 0x80; n >>= 7) out->push_back(static_cast<char>((n & 0x7f) | 0x80));
  out->push_back(static_cast<char>(n));
}

bool GetLength(std::string_view in, size_t* at, size_t* n) {
  *n = 0;
  for (int shift = 0; shift < 35 && *at < in.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in[(*at)++]);
    *n |= static_cast<size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return *n <= in.size();
  }
  return false;
}

// Reads the record at `*at` up to its check (which `*at` is left at); false when it does not
// parse. `value` may be null.
bool ReadRecord(std::string_view in, size_t* at, char* tag, std::string_view* id,
                std::string_view* value) {
  if (*at >= in.size()) return false;
  *tag = in[(*at)++];
  size_t id_size = 0, value_size = 0;
  if ((*tag != kEntry && *tag != kMark && *tag != kRedirect) || !GetLength(in, at, &id_size) ||
      id_size > in.size() - *at) {
    return false;
  }
  *id = in.substr(*at, id_size);
  *at += id_size;
  if (!GetLength(in, at, &value_size) || value_size > in.size() - *at) return false;
  if (value != nullptr) *value = in.substr(*at, value_size);
  *at += value_size;
  return true;
}

void PutRecord(std::string* out, char tag, std::string_view id, std::string_view value) {
  const size_t from = out->size();
  out->push_back(tag);
  PutLength(out, id.size());
  out->append(id);
  PutLength(out, value.size());
  out->append(value);
  PutCheck(out, from);
}

std::string Part(const std::string& base, std::string_view kind) {
  std::string key;
  key.reserve(base.size() + 16);  // room for a bucket's number
  key = base;
  AppendKeyPart(&key, kind);
  return key;
}

int64_t ScopeBytes(const std::string& base) {
  return static_cast<int64_t>(2 * base.size() + 64);  // the key, a scope and its slot
}

std::string BucketKey(const std::string& base, uint64_t n) {
  std::string key = Part(base, "b");
  AppendKeyPart(&key, OrderedNumber(n));
  return key;
}

std::string OverflowKey(const std::string& base, std::string_view id) {
  std::string key = Part(base, "o");
  AppendKeyPart(&key, id);
  return key;
}

// The bucket's filter bit of a hash: its top bits (the low ones place it in a bucket).
uint64_t FilterBit(uint64_t hash) { return hash >> 55; }

Status Damaged() { return Status::Corruption("a row of a view's id index is damaged"); }

}  // namespace

uint64_t IdIndex::HashOf(std::string_view id) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a, then a finaliser so that low bits mix well
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

IdIndex::IdIndex(RowCacheBudget* budget, IdIndexOptions options)
    : budget_(budget), options_(options) {
  options_.split_at = std::max<size_t>(options_.split_at, 2);
  options_.max_bucket = std::max(options_.max_bucket, options_.split_at);
}

IdIndex::~IdIndex() { Forget(); }

Status IdIndex::LoadScope(const RowReader& rows, const std::string& base, Scope** scope) {
  auto it = scopes_.find(std::string_view(base));
  if (it == scopes_.end()) {
    auto loaded = std::make_unique<Scope>();
    std::string value;
    Status s = rows.Get(Part(base, "h"), &value);
    if (s.ok()) {
      if (value.size() != 20 || !CheckAt(value, 0, 16)) return Damaged();
      const uint64_t level = ParseOrderedNumber(value);
      loaded->split = ParseOrderedNumber(std::string_view(value).substr(8));
      if (level > kMaxLevel || loaded->split >= (uint64_t{1} << level)) return Damaged();
      loaded->level = static_cast<uint32_t>(level);
    } else if (!s.IsNotFound()) {
      return s;
    }
    loaded->base = base;
    budget_->Charge(ScopeBytes(base));
    const std::string_view key = loaded->base;
    it = scopes_.emplace(key, std::move(loaded)).first;
  }
  it->second->used = generations_.Use();
  *scope = it->second.get();
  return Status::OK();
}

Status IdIndex::LoadBucket(const RowReader& rows, Scope* scope, uint64_t n, Bucket** bucket) {
  auto it = scope->buckets.find(n);
  if (it == scope->buckets.end()) {
    auto b = std::make_unique<Bucket>();
    b->number = n;
    std::string value;
    Status s = rows.Get(BucketKey(scope->base, n), &value);
    if (!s.ok() && !s.IsNotFound()) return s;
    b->bytes = std::move(value);
    b->flushed = b->bytes.size();
    const std::string_view stored = b->bytes;
    for (size_t at = 0; at < stored.size();) {
      const size_t from = at;
      char tag = 0;
      std::string_view id;
      if (!ReadRecord(stored, &at, &tag, &id, nullptr) || !CheckAt(stored, from, at)) {
        return Damaged();
      }
      at += 4;
      if (tag == kMark) {
        b->marked = true;
      } else {  // an entry or a redirect
        Index(b.get(), HashOf(id), from);
      }
    }
    it = scope->buckets.emplace(n, std::move(b)).first;
    Charge(it->second.get());
  }
  it->second->used = generations_.Use();
  *bucket = it->second.get();
  return Status::OK();
}

Status IdIndex::Locate(const RowReader& rows, const std::string& base, std::string_view id,
                       Place* place) {
  place->hash = HashOf(id);
  Status s = LoadScope(rows, base, &place->scope);
  if (!s.ok()) return s;
  const Scope& scope = *place->scope;
  uint64_t n = place->hash & ((uint64_t{1} << scope.level) - 1);
  if (n < scope.split) n = place->hash & ((uint64_t{1} << (scope.level + 1)) - 1);
  s = LoadBucket(rows, place->scope, n, &place->bucket);
  if (!s.ok()) return s;
  const Bucket& b = *place->bucket;
  const uint64_t bit = FilterBit(place->hash);
  if ((b.filter[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) {
    place->at = b.hashes.size();
    return Status::OK();
  }
  for (place->at = 0; place->at < b.hashes.size(); ++place->at) {
    if (b.hashes[place->at] == place->hash && IdAt(b, place->at) == id) break;
  }
  return Status::OK();
}

Status IdIndex::ReadOverflow(const RowReader& rows, const std::string& base, std::string_view id,
                             std::string* value, bool* found) {
  *found = false;
  const std::string key = OverflowKey(base, id);
  if (auto it = overflow_.find(key); it != overflow_.end()) {
    *value = it->second.substr(0, it->second.size() - 4);  // as stored: with its check
    *found = true;
    return Status::OK();
  }
  std::string stored;
  Status s = rows.Get(key, &stored);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  if (stored.size() < 4 || !CheckAt(stored, 0, stored.size() - 4)) return Damaged();
  *value = stored.substr(0, stored.size() - 4);
  *found = true;
  return Status::OK();
}

Status IdIndex::Lookup(const RowReader& rows, const std::string& base, std::string_view id,
                       Place* place, std::string* value, bool* found) {
  *found = false;
  if (id.size() > kMaxInBucket) return ReadOverflow(rows, base, id, value, found);
  Status s = Locate(rows, base, id, place);
  if (!s.ok()) return s;
  const Bucket& b = *place->bucket;
  if (place->at < b.size()) {
    if (b.bytes[b.offsets[place->at]] != kRedirect) {
      *value = ValueAt(b, place->at);
      *found = true;
      return Status::OK();
    }
    s = ReadOverflow(rows, base, id, value, found);
    return s.ok() && !*found ? Damaged() : s;  // a redirect without its row
  }
  return b.marked ? ReadOverflow(rows, base, id, value, found) : Status::OK();
}

Status IdIndex::Find(const RowReader& rows, const std::string& base, std::string_view id,
                     std::string* value, bool* found) {
  Place place;
  return Lookup(rows, base, id, &place, value, found);
}

Status IdIndex::Add(const RowReader& rows, const std::string& base, std::string_view id,
                    std::string_view value, bool* added) {
  *added = false;
  Place place;
  std::string existing;
  bool found = false;
  Status s = Lookup(rows, base, id, &place, &existing, &found);
  if (!s.ok() || found) return s;
  *added = true;
  Bucket* b = place.bucket;  // null for a long id
  const bool full = b != nullptr && b->size() >= options_.max_bucket;
  if (b == nullptr || full || value.size() > kMaxInBucket) {
    std::string stored(value);
    PutCheck(&stored, 0);
    overflow_.insert_or_assign(OverflowKey(base, id), std::move(stored));
  }
  if (b == nullptr) return Status::OK();  // a long id: looked up by its own row alone
  if (full) {
    if (!b->marked) {
      // Written whole, the mark first, as a split writes it: a bucket's bytes must not depend
      // on whether it filled up in the batch that split it (a rebuild's round) or after it.
      b->marked = true;
      std::string marked;
      PutRecord(&marked, kMark, "", "");
      b->bytes.insert(0, marked);
      for (uint32_t& offset : b->offsets) offset += static_cast<uint32_t>(marked.size());
      b->rewrite = true;
      Changed(place.scope, b);
    }
    return Status::OK();
  }
  if (value.size() > kMaxInBucket) {
    Hold(b, place.hash, kRedirect, id, "");
  } else {
    Hold(b, place.hash, kEntry, id, value);
  }
  Changed(place.scope, b);
  if (b->size() < options_.split_at || place.scope->level >= kMaxLevel) {
    return Status::OK();
  }
  return Split(rows, place.scope);
}

Status IdIndex::Split(const RowReader& rows, Scope* scope) {
  const uint64_t bit = uint64_t{1} << scope->level;
  Bucket *from = nullptr, *to = nullptr;
  Status s = LoadBucket(rows, scope, scope->split, &from);
  if (s.ok()) s = LoadBucket(rows, scope, scope->split + bit, &to);
  if (!s.ok()) return s;
  if (to->size() != 0 || to->marked) return Damaged();  // a bucket beyond the table
  const std::string bytes = std::move(from->bytes);
  const std::vector<uint64_t> hashes = std::move(from->hashes);
  const std::vector<uint32_t> offsets = std::move(from->offsets);
  from->bytes.clear();
  from->flushed = 0;
  from->hashes.clear();
  from->offsets.clear();
  std::fill(std::begin(from->filter), std::end(from->filter), 0);
  to->marked = from->marked;
  for (Bucket* b : {from, to}) {
    if (b->marked) PutRecord(&b->bytes, kMark, "", "");
    b->rewrite = true;
    Changed(scope, b);
  }
  for (size_t i = 0; i < hashes.size(); ++i) {
    size_t at = offsets[i];
    char tag = 0;
    std::string_view id, value;
    ReadRecord(bytes, &at, &tag, &id, &value);
    Hold((hashes[i] & bit) == 0 ? from : to, hashes[i], tag, id, value);
  }
  if (++scope->split == bit) {
    ++scope->level;
    scope->split = 0;
  }
  if (!scope->dirty) {
    scope->dirty = true;
    dirty_scopes_.push_back(scope);
  }
  return Status::OK();
}

void IdIndex::Index(Bucket* b, uint64_t hash, size_t offset) {
  if (b->hashes.empty()) {
    b->hashes.reserve(kFirstCapacity);
    b->offsets.reserve(kFirstCapacity);
  }
  b->hashes.push_back(hash);
  b->offsets.push_back(static_cast<uint32_t>(offset));
  const uint64_t bit = FilterBit(hash);
  b->filter[bit / 64] |= uint64_t{1} << (bit % 64);
}

void IdIndex::Hold(Bucket* b, uint64_t hash, char tag, std::string_view id,
                   std::string_view value) {
  Index(b, hash, b->bytes.size());
  PutRecord(&b->bytes, tag, id, value);
}

std::string_view IdIndex::IdAt(const Bucket& b, size_t i) {
  size_t at = b.offsets[i];
  char tag = 0;
  std::string_view id;
  ReadRecord(b.bytes, &at, &tag, &id, nullptr);
  return id;
}

std::string IdIndex::ValueAt(const Bucket& b, size_t i) {
  size_t at = b.offsets[i];
  char tag = 0;
  std::string_view id, value;
  ReadRecord(b.bytes, &at, &tag, &id, &value);
  return std::string(value);
}

void IdIndex::Changed(Scope* scope, Bucket* b) {
  if (!b->dirty) {
    b->dirty = true;
    dirty_.emplace_back(scope, b);
  }
}

void IdIndex::Charge(Bucket* b) {
  const auto bytes = static_cast<int64_t>(sizeof(Bucket) + 48 + b->bytes.capacity() +
                                          b->hashes.capacity() * sizeof(uint64_t) +
                                          b->offsets.capacity() * sizeof(uint32_t));
  budget_->Charge(bytes - b->charged);
  b->charged = bytes;
}

void IdIndex::Discharge(const Scope& scope) {
  for (const auto& kv : scope.buckets) budget_->Charge(-kv.second->charged);
  budget_->Charge(-ScopeBytes(scope.base));
}

void IdIndex::Flush(ViewRows* rows) {
  // In key order: the memtable inserts a run of neighbouring keys instead of searching for each.
  std::sort(dirty_.begin(), dirty_.end(), [](const auto& a, const auto& b) {
    const int c = a.first->base.compare(b.first->base);
    return c != 0 ? c < 0 : a.second->number < b.second->number;
  });
  for (auto [scope, b] : dirty_) {
    const std::string key = BucketKey(scope->base, b->number);
    if (b->rewrite) {
      rows->Put(key, b->bytes);
    } else {
      rows->Append(key, std::string_view(b->bytes).substr(b->flushed));
    }
    // Exact again: a bucket read from the store holds its row in a string of its size, and the
    // first append of a batch doubles it; cached until the budget says so, it would keep that.
    b->bytes.shrink_to_fit();
    b->flushed = b->bytes.size();
    b->rewrite = b->dirty = false;
    Charge(b);
  }
  dirty_.clear();
  std::sort(dirty_scopes_.begin(), dirty_scopes_.end(),
            [](const Scope* a, const Scope* b) { return a->base < b->base; });
  for (Scope* scope : dirty_scopes_) {
    std::string header = OrderedNumber(scope->level) + OrderedNumber(scope->split);
    PutCheck(&header, 0);
    rows->Put(Part(scope->base, "h"), header);
    scope->dirty = false;
  }
  dirty_scopes_.clear();
  std::vector<std::pair<const std::string, std::string>*> overflow;
  for (auto& entry : overflow_) overflow.push_back(&entry);
  std::sort(overflow.begin(), overflow.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : overflow) rows->Put(entry->first, entry->second);
  EmptyAfterBatch(&overflow_);

  const auto forgetting = generations_.AtFlush(*budget_);
  if (forgetting != CacheGenerations::Forgetting::kNothing) {
    const bool all = forgetting == CacheGenerations::Forgetting::kAll;
    const uint64_t now = generations_.current();
    boost::unordered::erase_if(scopes_, [&](const auto& kv) {
      Scope& scope = *kv.second;
      if (all || scope.used != now) {
        Discharge(scope);
        return true;
      }
      boost::unordered::erase_if(scope.buckets, [&](const auto& bucket) {
        if (bucket.second->used == now) return false;
        budget_->Charge(-bucket.second->charged);
        return true;
      });
      return false;
    });
  }
  generations_.NextBatch();
}

void IdIndex::Forget() {
  for (const auto& kv : scopes_) Discharge(*kv.second);
  scopes_.clear();
  dirty_.clear();
  dirty_scopes_.clear();
  overflow_.clear();
}

}  // namespace tandem
