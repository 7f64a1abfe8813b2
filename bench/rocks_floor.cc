#include "rocks_floor.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

namespace tandem::bench {
namespace {

std::string Key(uint64_t p) {
  std::string k(8, '\0');
  for (int i = 0; i < 8; i++) k[i] = static_cast<char>((p >> (56 - 8 * i)) & 0xff);
  return k;
}

// Opens a fresh database as shared/rocks_floor.cpp does, runs `body`, returns events/s.
template <typename Body>
double Measure(const FloorOptions& options, Body body) {
  rocksdb::DestroyDB(options.dir, rocksdb::Options());
  rocksdb::Options o;
  o.create_if_missing = true;
  o.IncreaseParallelism(2);
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(o, options.dir, &db).ok()) return 0;
  rocksdb::WriteOptions wo;
  wo.sync = options.sync;
  const std::string value(options.value_bytes, 'v');
  auto start = std::chrono::steady_clock::now();
  body(db, wo, value);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  delete db;
  rocksdb::DestroyDB(options.dir, rocksdb::Options());
  return static_cast<double>(options.events) / seconds;
}

}  // namespace

double PerWriterFloor(const FloorOptions& options, int writers) {
  return Measure(options,
                 [&](rocksdb::DB* db, const rocksdb::WriteOptions& wo, const std::string& value) {
                   std::atomic<uint64_t> next{0};
                   std::vector<std::thread> pool;
                   for (int t = 0; t < writers; t++) {
                     pool.emplace_back([&] {
                       for (uint64_t p; (p = next.fetch_add(1)) < options.events;) {
                         rocksdb::WriteBatch wb;
                         wb.Put(Key(p), value);
                         db->Write(wo, &wb);
                       }
                     });
                   }
                   for (auto& t : pool) t.join();
                 });
}

double BatchedFloor(const FloorOptions& options, int batch) {
  return Measure(options,
                 [&](rocksdb::DB* db, const rocksdb::WriteOptions& wo, const std::string& value) {
                   for (uint64_t first = 0; first < options.events; first += batch) {
                     rocksdb::WriteBatch wb;
                     for (uint64_t p = first; p < first + batch && p < options.events; p++)
                       wb.Put(Key(p), value);
                     db->Write(wo, &wb);
                   }
                 });
}

}  // namespace tandem::bench
