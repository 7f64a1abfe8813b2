#include "pending_rows.h"

#include <algorithm>

namespace tandem {
namespace {

void SortRows(std::vector<PendingRows::Row>::iterator begin,
              std::vector<PendingRows::Row>::iterator end) {
  std::sort(begin, end, [](const PendingRows::Row& a, const PendingRows::Row& b) {
    return a.family != b.family ? a.family < b.family : a.key < b.key;
  });
}

}  // namespace

void PendingRows::Apply(std::vector<Change> changes) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t sequence = ++sequence_;
  Rows* rows = nullptr;
  uint32_t family = 0;
  for (Change& c : changes) {
    if (rows == nullptr || c.family != family) {
      family = c.family;
      rows = &active_[family];
    }
    auto it = rows->find(c.key);
    if (it == rows->end()) {
      active_bytes_ += c.key.size() + kRowOverhead;
      it = rows->emplace(std::move(c.key), Versions()).first;
    }
    Versions& versions = it->second;
    active_bytes_ += c.bytes.size();
    if (versions.empty() || versions.back().sequence != sequence) {
      active_bytes_ += kVersionOverhead;
      versions.push_back(Version{sequence, c.op, std::move(c.bytes)});
      continue;
    }
    // The same row twice in one commit: one change, as the append operator would merge them.
    Version& last = versions.back();
    if (c.op != Op::kAppend) {
      active_bytes_ -= last.bytes.size();
      last.op = c.op;
      last.bytes = std::move(c.bytes);
    } else {
      if (last.op == Op::kDelete) last.op = Op::kPut;  // appended to nothing
      last.bytes += c.bytes;
    }
  }
}

// The newest put or delete in the window and the appends after it, or only appends (kAppend)
// when neither is in the window. Versions are in sequence order across the layers.
PendingRows::Found PendingRows::Resolve(const Chains& chains, uint64_t after, uint64_t upto,
                                        std::string* bytes) {
  std::vector<const Version*> appends;  // newest first
  const Version* base = nullptr;
  for (const Versions* chain : chains) {
    for (auto it = chain->rbegin(); it != chain->rend() && base == nullptr; ++it) {
      if (it->sequence > upto) continue;
      if (it->sequence <= after) break;
      if (it->op == Op::kAppend) {
        appends.push_back(&*it);
      } else {
        base = &*it;
      }
    }
    if (base != nullptr || (!chain->empty() && chain->front().sequence <= after)) break;
  }
  if (base == nullptr && appends.empty()) return Found::kNo;
  bytes->clear();
  if (base != nullptr && base->op == Op::kPut) *bytes = base->bytes;
  for (auto it = appends.rbegin(); it != appends.rend(); ++it) bytes->append((*it)->bytes);
  if (base == nullptr) return Found::kAppend;
  if (base->op == Op::kDelete && appends.empty()) return Found::kDeleted;
  return Found::kValue;
}

PendingRows::Chains PendingRows::ChainsOf(uint32_t family, std::string_view key,
                                          uint64_t after) const {
  Chains chains;
  auto add = [&](const Layer& layer) {
    auto rows = layer.find(family);
    if (rows == layer.end()) return;
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
  return Resolve(ChainsOf(family, key, moment.flushed), moment.flushed, moment.sequence, bytes);
}

void PendingRows::Collect(const Moment& moment, uint32_t family, std::string_view prefix,
                          std::vector<Row>* rows) const {
  const size_t first = rows->size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string_view> keys;
    auto gather = [&](const Layer& layer) {
      auto family_rows = layer.find(family);
      if (family_rows == layer.end()) return;
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
    std::string bytes;
    for (std::string_view key : keys) {
      const Found found =
          Resolve(ChainsOf(family, key, moment.flushed), moment.flushed, moment.sequence, &bytes);
      if (found != Found::kNo) rows->push_back(Row{family, std::string(key), found, bytes});
    }
  }
  SortRows(rows->begin() + static_cast<ptrdiff_t>(first), rows->end());
}

uint64_t PendingRows::BeginFlush(uint64_t first_sequence, std::vector<Row>* rows) {
  std::shared_ptr<const Layer> layer;
  uint64_t after = 0, upto = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    after = flushed_;
    upto = sequence_;
    layer = std::make_shared<const Layer>(std::move(active_));
    active_ = Layer();
    sealed_.push_back(Sealed{upto, layer, active_bytes_});
    active_bytes_ = 0;
    flushing_ = true;
    flushing_first_ = first_sequence;
    flushing_upto_ = upto;
  }
  // Sealed: no commit changes it, and every version before it is in RocksDB (flushes follow
  // each other), so its rows alone say what to write.
  std::string bytes;
  for (const auto& [family, family_rows] : *layer) {
    for (const auto& [key, versions] : family_rows) {
      const Found found = Resolve({&versions}, after, upto, &bytes);
      if (found != Found::kNo) rows->push_back(Row{family, key, found, bytes});
    }
  }
  // In key order, RocksDB's memtable finds where each row goes from where the last one went.
  SortRows(rows->begin(), rows->end());
  return upto;
}

void PendingRows::EndFlush(uint64_t upto, bool written) {
  std::lock_guard<std::mutex> lock(mu_);
  flushing_ = false;
  if (!written) return;
  flushed_ = std::max(flushed_, upto);
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
