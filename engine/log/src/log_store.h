// The RocksDB database behind an event log, opened with its column families.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "tandem/basics/status.h"

namespace tandem {

class LogStore {
 public:
  // Opens `path`; with read_only the database may be open for writing elsewhere. RocksDB does
  // its I/O through `file_system` when one is given.
  // `max_wal_bytes` bounds the write-ahead log of a read-write open (0: RocksDB's default).
  static Status Open(const std::string& path, bool create_if_missing, bool read_only,
                     std::unique_ptr<LogStore>* store,
                     std::shared_ptr<rocksdb::FileSystem> file_system = nullptr,
                     uint64_t max_wal_bytes = 0);
  ~LogStore();

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* events() const { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* streams() const { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* tenants() const { return handles_[3]; }
  rocksdb::ColumnFamilyHandle* idempotency() const { return handles_[4]; }
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles() const { return handles_; }

  // Writes every column family's memtable to SST files and waits: afterwards nothing written so
  // far depends on a WAL.
  Status FlushAll();

  // The highest key of the events column family, 0 if empty.
  Status LastEventPosition(uint64_t* position) const;

 private:
  LogStore() = default;
  std::unique_ptr<rocksdb::Env> env_;  // set for a given file system; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// Maps a RocksDB status to ours, prefixing `context`.
Status FromRocks(const rocksdb::Status& s, const std::string& context);

}  // namespace tandem
