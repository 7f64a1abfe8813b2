// Rows held in memory: what an as-of fold writes, and a query reads, without touching the views
// database. Writes are visible at once (a fold reads only rows it flushed in earlier batches).
#pragma once

#include <map>
#include <string>

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
    for (auto it = rows_.lower_bound(prefix); it != rows_.end(); ++it) {
      if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
      if (!visit(it->first, it->second)) break;
    }
    return Status::OK();
  }
  void Put(std::string_view key, std::string_view value) override {
    rows_.insert_or_assign(std::string(key), std::string(value));
  }
  void Append(std::string_view key, std::string_view bytes) override {
    auto it = rows_.find(key);
    if (it == rows_.end()) it = rows_.emplace(std::string(key), std::string()).first;
    it->second.append(bytes);
  }
  void Delete(std::string_view key) override {
    auto it = rows_.find(key);
    if (it != rows_.end()) rows_.erase(it);
  }

 private:
  std::map<std::string, std::string, std::less<>> rows_;
};

}  // namespace tandem
