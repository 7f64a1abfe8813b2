// Rows of views in memory, as a batch's ViewRows sees them, counting what folds write and read:
// tests of what one event costs, whatever came before it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/projections/projection.h"

namespace tandem::test {

class CountingRows : public ViewRows {
 public:
  Status Get(std::string_view key, std::string* value) const override {
    auto it = rows_.find(key);
    if (it == rows_.end()) return Status::NotFound("no such row");
    *value = it->second;
    keys_read_.emplace_back(key);
    return Status::OK();
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    for (auto it = rows_.lower_bound(prefix); it != rows_.end(); ++it) {
      if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
      if (!visit(it->first, it->second)) break;
    }
    return Status::OK();
  }
  void Put(std::string_view key, std::string_view value) override {
    written_ += key.size() + value.size();
    keys_.emplace_back(key);
    rows_.insert_or_assign(std::string(key), std::string(value));
  }
  void Delete(std::string_view key) override { rows_.erase(std::string(key)); }
  void Append(std::string_view key, std::string_view bytes) override {
    written_ += key.size() + bytes.size();
    keys_.emplace_back(key);
    auto it = rows_.find(key);
    if (it == rows_.end()) it = rows_.emplace(std::string(key), std::string()).first;
    it->second.append(bytes);
  }
  // Bytes and keys written, and keys of the rows found by Get, since ResetCount.
  size_t written() const { return written_; }
  const std::vector<std::string>& keys() const { return keys_; }
  const std::vector<std::string>& keys_read() const { return keys_read_; }
  void ResetCount() {
    written_ = 0;
    keys_.clear();
    keys_read_.clear();
  }
  const std::map<std::string, std::string, std::less<>>& rows() const { return rows_; }

 private:
  std::map<std::string, std::string, std::less<>> rows_;
  size_t written_ = 0;
  std::vector<std::string> keys_;
  mutable std::vector<std::string> keys_read_;
};

}  // namespace tandem::test
