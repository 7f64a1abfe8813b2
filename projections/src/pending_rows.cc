#include "pending_rows.h"

#include <algorithm>
#include <utility>

namespace tandem {
namespace {

void SortRows(std::vector<PendingRows::Row>::iterator begin,
              std::vector<PendingRows::Row>::iterator end) {
  std::sort(begin, end, [](const PendingRows::Row& a, const PendingRows::Row& b) {
    return a.family != b.family ? a.family < b.family : a.key < b.key;
  });
}

}  // namespace

PendingRows::Commit& PendingRows::Commit::Add(uint32_t family, std::string_view key, Op op,
                                              std::string_view bytes) {
  entries_.push_back(
      Entry{family, op, buffer_.size(), key.size(), buffer_.size() + key.size(), bytes.size()});
  buffer_.append(key);
  buffer_.append(bytes);
  return *this;
}

void PendingRows::Apply(Commit commit) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t sequence = ++sequence_;
  active_bytes_ += commit.buffer_.capacity();
  const std::string& buffer = active_.buffers.emplace_back(std::move(commit.buffer_));
  Rows* rows = nullptr;
  uint32_t family = 0;
  // The bytes this commit joined for a row appended more than once, appended to in place: a
  // new copy per append would make a row appended n times cost n squared.
  struct RowHash {
    using is_avalanching = void;
    key_hash::Secret secret = key_hash::ProcessSecret();
    size_t operator()(const std::pair<uint32_t, std::string_view>& row) const {
      return HashKey(row.second, secret, row.first);
    }
  };
  boost::unordered_flat_map<std::pair<uint32_t, std::string_view>, std::string*, RowHash> joined;
  for (const Commit::Entry& c : commit.entries_) {
    const std::string_view key(buffer.data() + c.key_at, c.key_size);
    const std::string_view bytes(buffer.data() + c.bytes_at, c.bytes_size);
    if (rows == nullptr || c.family != family) {
      family = c.family;
      rows = &active_.families[family];
    }
    auto [it, added] = rows->try_emplace(key);
    if (added) active_bytes_ += kRowOverhead;
    Versions& versions = it->second;
    if (versions.empty() || versions.back().sequence != sequence) {
      if (!versions.empty()) active_bytes_ += kVersionOverhead;
      versions.push_back(Version{sequence, bytes, c.op});
      continue;
    }
    // The same row twice in one commit: one change, as the append operator would merge them.
    Version& last = versions.back();
    if (c.op != Op::kAppend) {
      last.op = c.op;
      last.bytes = bytes;
      if (!joined.empty()) joined.erase({family, it->first});
      continue;
    }
    if (last.op == Op::kDelete) last.op = Op::kPut;  // appended to nothing
    std::string*& into = joined[{family, it->first}];
    if (into == nullptr) {
      into = &active_.buffers.emplace_back(last.bytes);
    } else {
      active_bytes_ -= into->capacity();
    }
    into->append(bytes);
    active_bytes_ += into->capacity();
    last.bytes = *into;
  }
}

// The newest put or delete in the window and the appends after it, or only appends (kAppend)
// when neither is in the window. Versions are in sequence order across the layers.
PendingRows::Found PendingRows::Gather(const Chains& chains, uint64_t after, uint64_t upto,
                                       Parts* parts) {
  for (const Versions* chain : chains) {
    for (auto it = chain->rbegin(); it != chain->rend() && parts->base == nullptr; ++it) {
      if (it->sequence > upto) continue;
      if (it->sequence <= after) break;
      if (it->op == Op::kAppend) {
        parts->appends.push_back(&*it);
      } else {
        parts->base = &*it;
      }
    }
    if (parts->base != nullptr || (!chain->empty() && chain->front().sequence <= after)) break;
  }
  const Version* base = parts->base;
  if (base == nullptr) return parts->appends.empty() ? Found::kNo : Found::kAppend;
  if (base->op == Op::kDelete && parts->appends.empty()) return Found::kDeleted;
  return Found::kValue;
}

void PendingRows::Join(const Parts& parts, std::string* bytes) {
  bytes->clear();
  if (parts.base != nullptr && parts.base->op == Op::kPut) bytes->assign(parts.base->bytes);
  for (auto it = parts.appends.rbegin(); it != parts.appends.rend(); ++it) {
    bytes->append((*it)->bytes);
  }
}

PendingRows::Chains PendingRows::ChainsOf(uint32_t family, std::string_view key,
                                          uint64_t after) const {
  Chains chains;
  auto add = [&](const Layer& layer) {
    auto rows = layer.families.find(family);
    if (rows == layer.families.end()) return;
    auto it = rows->second.find(key);
    if (it != rows->second.end()) chains.push_back(&it->second);
  };
  add(active_);
  for (auto it = sealed_.rbegin(); it != sealed_.rend() && it->upto > after; ++it) add(*it->rows);
  return chains;
}

PendingRows::Moment PendingRows::At(const std::function<uint64_t()>& take_snapshot,
                                    bool registered) const {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t snapshot = take_snapshot();
  Moment m{sequence_, flushed_};
  // Only this flush's write can have taken RocksDB to its first sequence number, and a write
  // is seen whole or not at all.
  if (flushing_ && snapshot >= flushing_first_) m.flushed = flushing_upto_;
  if (registered) readers_.insert(m.flushed);
  return m;
}

void PendingRows::Release(const Moment& moment) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = readers_.find(moment.flushed);
  if (it == readers_.end()) return;
  const bool oldest = it == readers_.begin();
  readers_.erase(it);
  // The oldest reader gone, layers only it kept go now, not at the next flush (an idle store
  // has none).
  if (oldest) ForgetUnneeded();
}

PendingRows::Moment PendingRows::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Moment{sequence_, flushed_};
}

PendingRows::Found PendingRows::Read(const Moment& moment, uint32_t family, std::string_view key,
                                     std::string* bytes) const {
  std::lock_guard<std::mutex> lock(mu_);
  Parts parts;
  const Found found =
      Gather(ChainsOf(family, key, moment.flushed), moment.flushed, moment.sequence, &parts);
  if (found != Found::kNo) Join(parts, bytes);
  return found;
}

void PendingRows::Collect(const Moment& moment, uint32_t family, std::string_view prefix,
                          std::vector<Row>* rows) const {
  const size_t first = rows->size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string_view> keys;
    auto gather = [&](const Layer& layer) {
      auto family_rows = layer.families.find(family);
      if (family_rows == layer.families.end()) return;
      for (const auto& [key, versions] : family_rows->second) {
        if (std::string_view(key).substr(0, prefix.size()) == prefix) keys.push_back(key);
      }
    };
    gather(active_);
    for (const Sealed& layer : sealed_) {
      if (layer.upto > moment.flushed) gather(*layer.rows);
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (std::string_view key : keys) {
      Parts parts;
      const Found found =
          Gather(ChainsOf(family, key, moment.flushed), moment.flushed, moment.sequence, &parts);
      if (found == Found::kNo) continue;
      Row& row = rows->emplace_back(Row{family, std::string(key), found, std::string()});
      Join(parts, &row.bytes);
    }
  }
  SortRows(rows->begin() + static_cast<ptrdiff_t>(first), rows->end());
}

void PendingRows::BeginFlush(uint64_t first_sequence, Flush* flush) {
  // The next layer's tables sized for the rows of the flush before this one (the one being
  // sealed is not counted yet), before taking the lock: grown from empty, a table rehashes its
  // rows about a dozen times between two flushes (a tenth of a live round's commits), each
  // time reading every key again. Live intervals are alike, so the last but one will do.
  Layer next;
  for (const auto& [family, rows] : last_flush_rows_) {
    next.families[family].reserve(std::min(rows, kMostRowsReserved));
  }
  std::shared_ptr<const Layer> layer;
  uint64_t after = 0, upto = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    after = flushed_;
    upto = sequence_;
    layer = std::make_shared<const Layer>(std::move(active_));
    active_ = std::move(next);
    sealed_.push_back(Sealed{upto, layer, active_bytes_});
    active_bytes_ = 0;
    flushing_ = true;
    flushing_first_ = first_sequence;
    flushing_upto_ = upto;
  }
  // Sealed: no commit changes it, and every version before it is in RocksDB (flushes follow
  // each other), so its rows alone say what to write. A row is most often one version, written
  // from where the commit left it.
  flush->rows_.clear();
  flush->joined_.clear();
  flush->upto_ = upto;
  flush->bytes_ = 0;
  flush->layer_ = layer;
  size_t count = 0;
  last_flush_rows_.clear();
  for (const auto& [family, family_rows] : layer->families) {
    count += family_rows.size();
    // A family with no rows (a view dropped since) is not carried into the next layers.
    if (!family_rows.empty()) last_flush_rows_.emplace_back(family, family_rows.size());
  }
  flush->rows_.reserve(count);
  for (const auto& [family, family_rows] : layer->families) {
    for (const auto& [key, versions] : family_rows) {
      Parts parts;
      const Found found = Gather({&versions}, after, upto, &parts);
      if (found == Found::kNo) continue;
      std::string_view bytes;
      if (parts.appends.empty()) {
        if (found == Found::kValue) bytes = parts.base->bytes;
      } else if (parts.base == nullptr && parts.appends.size() == 1) {
        bytes = parts.appends[0]->bytes;
      } else {
        std::string& joined = flush->joined_.emplace_back();
        Join(parts, &joined);
        bytes = joined;
      }
      flush->bytes_ += key.size() + bytes.size();
      flush->rows_.push_back(FlushRow{family, key, found, bytes});
    }
  }
  // In key order, RocksDB's memtable finds where each row goes from where the last one went.
  std::sort(flush->rows_.begin(), flush->rows_.end(), [](const FlushRow& a, const FlushRow& b) {
    return a.family != b.family ? a.family < b.family : a.key < b.key;
  });
}

void PendingRows::EndFlush(const Flush& flush, bool written) {
  std::lock_guard<std::mutex> lock(mu_);
  flushing_ = false;
  if (!written) return;
  flushed_ = std::max(flushed_, flush.upto_);
  ForgetUnneeded();
}

// A version up to `flushed_` is in RocksDB, and a registered reader reads only versions after
// its own `flushed`: layers up to the least of these are read by nobody.
void PendingRows::ForgetUnneeded() const {
  const uint64_t upto = readers_.empty() ? flushed_ : std::min(flushed_, *readers_.begin());
  auto kept = std::find_if(sealed_.begin(), sealed_.end(),
                           [&](const Sealed& layer) { return layer.upto > upto; });
  sealed_.erase(sealed_.begin(), kept);
}

bool PendingRows::empty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sequence_ == flushed_;
}

size_t PendingRows::unflushed_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_bytes_;
}

size_t PendingRows::kept_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t bytes = 0;
  for (const Sealed& layer : sealed_) bytes += layer.bytes;
  return bytes;
}

}  // namespace tandem
