// What the write-behind tests and their child process share: opening a RocksDB, and the
// scheduling policy the store's thread flushes at.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "test_util.h"
#include "write_behind.h"

namespace tandem::test {

inline std::unique_ptr<rocksdb::DB> OpenDb(const ScratchDir& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  return rocksdb::DB::Open(options, dir.Sub("db"), &raw).ok() ? std::unique_ptr<rocksdb::DB>(raw)
                                                              : nullptr;
}

inline int PolicyOf(pthread_t thread) {
  int policy = -1;
  sched_param param{};
  pthread_getschedparam(thread, &policy, &param);
  return policy;
}

// Polls `done` for up to five seconds.
inline bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 5000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

// The policy the store's thread flushes at, for a store writing behind every 5 ms: the first
// flush with something to write after `quiet` with nothing to write.
inline int PolicyOfAFlushAfter(std::chrono::milliseconds quiet) {
  ScratchDir dir;
  std::unique_ptr<rocksdb::DB> db = OpenDb(dir);
  if (db == nullptr) return -1;
  std::atomic<int> policy{-1};
  WriteBehind wb(
      db.get(), std::chrono::milliseconds(5), /*lowest_priority=*/true,
      [&] {
        policy = PolicyOf(pthread_self());
        return std::map<uint32_t, rocksdb::ColumnFamilyHandle*>{{0, db->DefaultColumnFamily()}};
      },
      [](const Status&) {});
  std::this_thread::sleep_for(quiet);
  rocksdb::WriteBatch batch;
  batch.Put("row", "value");
  if (!wb.Defer(batch).ok()) return -1;
  if (!Eventually([&] { return policy.load() != -1; })) return -1;
  return policy;
}

}  // namespace tandem::test
