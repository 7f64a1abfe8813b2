// Rows held in memory: what an as-of fold writes, and a query reads, without touching the views
// database. Writes are visible at once (a fold reads only rows it flushed in earlier batches).
//
// Optionally over a base (a snapshot of the views, ViewSnapshots): a row not written here reads
// as the base has it, a deletion hides the base's row, and an append extends the base's value;
// the base itself is never changed.
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
  // `base`, when given, must outlive the rows.
  explicit MemoryRows(const RowReader* base = nullptr) : base_(base) {}

  Status Get(std::string_view key, std::string* value) const override {
    if (!failed_.ok()) return failed_;
    auto it = rows_.find(key);
    if (it == rows_.end()) {
      return base_ != nullptr ? base_->Get(key, value) : Status::NotFound("no such row");
    }
    if (it->second.deleted) return Status::NotFound("no such row");
    *value = it->second.value;
    return Status::OK();
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    if (!failed_.ok()) return failed_;
    const std::vector<const Row*>& sorted = Sorted();
    auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix,
                               [](const Row* row, std::string_view p) { return row->first < p; });
    auto in_prefix = [&] {
      return it != sorted.end() &&
             std::string_view((*it)->first).substr(0, prefix.size()) == prefix;
    };
    // Visits the rows written here below `bound` (all when null); false once the visitor stops.
    auto own_until = [&](const std::string_view* bound) {
      for (; in_prefix() && (bound == nullptr || (*it)->first < *bound); ++it) {
        if (!(*it)->second.deleted && !visit((*it)->first, (*it)->second.value)) return false;
      }
      return true;
    };
    if (base_ == nullptr) {
      own_until(nullptr);
      return Status::OK();
    }
    bool going = true;
    Status s = base_->Scan(prefix, [&](std::string_view key, std::string_view value) {
      going = own_until(&key);
      if (!going) return false;
      if (in_prefix() && (*it)->first == key) {  // written here: this version, or deleted
        const Row& row = **it++;
        if (!row.second.deleted) going = visit(row.first, row.second.value);
        return going;
      }
      going = visit(key, value);
      return going;
    });
    if (s.ok() && going) own_until(nullptr);
    return s;
  }
  void Put(std::string_view key, std::string_view value) override {
    Value& row = Slot(key);
    row.value.assign(value);
    row.deleted = false;
  }
  void Append(std::string_view key, std::string_view bytes) override {
    auto it = rows_.find(key);
    if (it == rows_.end()) {
      Value& row = Slot(key);
      if (base_ != nullptr) {  // extends the base's row
        Status s = base_->Get(key, &row.value);
        if (s.IsNotFound()) row.value.clear();
        // Appending to a row that could not be read would store a shorter one: every later
        // read fails instead.
        if (!s.ok() && !s.IsNotFound() && failed_.ok()) failed_ = s;
      }
      row.value.append(bytes);
      return;
    }
    if (it->second.deleted) it->second.value.clear();
    it->second.deleted = false;
    it->second.value.append(bytes);
  }
  void Delete(std::string_view key) override {
    if (base_ != nullptr) {  // hides the base's row
      Value& row = Slot(key);
      row.deleted = true;
      row.value.clear();
      return;
    }
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
  struct Value {
    std::string value;
    bool deleted = false;  // only over a base
  };
  using Rows = std::unordered_map<std::string, Value, Hash, std::equal_to<>>;
  using Row = Rows::value_type;

  Value& Slot(std::string_view key) {
    auto it = rows_.find(key);
    if (it == rows_.end()) {
      it = rows_.emplace(std::string(key), Value()).first;
      sorted_valid_ = false;
    }
    return it->second;
  }

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

  const RowReader* base_;
  Status failed_;  // a base row an append could not read
  Rows rows_;
  mutable std::vector<const Row*> sorted_;
  mutable bool sorted_valid_ = true;
};

}  // namespace tandem
