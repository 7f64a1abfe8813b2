// Rows held in memory: what an as-of fold writes, and a query reads, without touching the views
// database. Writes are visible at once (a fold reads only rows it flushed in earlier batches).
//
// Rows are hashed, not kept in key order: a fold only gets and puts, and keys that share a long
// prefix (tenant, project) made a tree's every step a long memcmp (about 40% of an owner's
// report of the past). The order is built when a reader first scans after a change, so a scan's
// visitor must not change the rows, and even reads need one thread at a time (as a ViewSource).
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tandem/projections/projection.h"

namespace tandem {

class MemoryRows : public ViewRows {
 public:
  Status Get(std::string_view key, std::string* value) const override {
    auto it = rows_.find(key);
    if (it == rows_.end()) return Status::NotFound("no such row");
    *value = it->second;
    return Status::OK();
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    const std::vector<const Row*>& sorted = Sorted();
    auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix,
                               [](const Row* row, std::string_view p) { return row->first < p; });
    for (; it != sorted.end(); ++it) {
      const std::string& key = (*it)->first;
      if (std::string_view(key).substr(0, prefix.size()) != prefix) break;
      if (!visit(key, (*it)->second)) break;
    }
    return Status::OK();
  }
  void Put(std::string_view key, std::string_view value) override {
    auto it = rows_.find(key);
    if (it != rows_.end()) {
      it->second.assign(value);
      return;
    }
    rows_.emplace(std::string(key), std::string(value));
    sorted_valid_ = false;
  }
  void Append(std::string_view key, std::string_view bytes) override {
    auto it = rows_.find(key);
    if (it == rows_.end()) {
      it = rows_.emplace(std::string(key), std::string()).first;
      sorted_valid_ = false;
    }
    it->second.append(bytes);
  }
  void Delete(std::string_view key) override {
    auto it = rows_.find(key);
    if (it == rows_.end()) return;
    rows_.erase(it);
    sorted_valid_ = false;
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };
  using Rows = std::unordered_map<std::string, std::string, Hash, std::equal_to<>>;
  using Row = Rows::value_type;

  // The rows in key order (a node-based map keeps each row where it is as the map grows).
  const std::vector<const Row*>& Sorted() const {
    if (!sorted_valid_) {
      sorted_.clear();
      sorted_.reserve(rows_.size());
      for (const Row& row : rows_) sorted_.push_back(&row);
      std::sort(sorted_.begin(), sorted_.end(),
                [](const Row* a, const Row* b) { return a->first < b->first; });
      sorted_valid_ = true;
    }
    return sorted_;
  }

  Rows rows_;
  mutable std::vector<const Row*> sorted_;
  mutable bool sorted_valid_ = true;
};

}  // namespace tandem
