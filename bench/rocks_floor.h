// Raw RocksDB append floors: what the same bytes cost with no event log on top.
#pragma once

#include <cstdint>
#include <string>

namespace tandem::bench {

struct FloorOptions {
  std::string dir;
  uint64_t events = 0;
  size_t value_bytes = 300;
  bool sync = true;
};

// W threads, each writing (and, with sync, syncing) its own one-put WriteBatch; RocksDB's own
// write grouping may merge them. Returns events per second.
double PerWriterFloor(const FloorOptions& options, int writers);

// One thread writing WriteBatches of `batch` puts. Returns events per second.
double BatchedFloor(const FloorOptions& options, int batch);

}  // namespace tandem::bench
