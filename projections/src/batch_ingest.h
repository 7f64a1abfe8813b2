// Writes a WriteBatch as sorted tables ingested into the database, instead of through the
// write-ahead log and the memtable.
//
// A catch-up round gathers hundreds of thousands of rows per view. Through the memtable each row
// is a skiplist insert that misses the cache at every level (4-10 µs on these machines), then a
// flush sorts them again into a table. Sorting them once in the batch and building the table
// directly costs a fraction of that, and the ingestion is as atomic as the write it replaces.
//
// Contract:
//  - The result reads exactly as if `batch` had been written: per key, its operations apply in
//    batch order on top of what the database held (a Put or Delete replaces, a Merge appends
//    through the database's merge operator, which must concatenate: `tandem.append`).
//  - All column families of the batch are ingested in one atomic step: after a crash either all
//    of the batch is there or none of it. Tables are synced before they are ingested, so an
//    ingested batch is durable, unlike an unsynced write.
//  - `scratch_dir` (on the database's file system) holds a table between its writing and its
//    ingestion; whatever a crash leaves there is garbage (RemoveIngestLeftovers).
//  - Only Put, Merge and Delete are supported (InvalidArgument otherwise, nothing ingested).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "tandem/basics/status.h"

namespace tandem {

struct BatchIngestOptions {
  rocksdb::Options table_options;  // the database's and the column families' options
  std::string scratch_dir;
};

Status IngestBatch(rocksdb::DB* db, const BatchIngestOptions& options,
                   const std::function<rocksdb::ColumnFamilyHandle*(uint32_t id)>& family_of,
                   const rocksdb::WriteBatch& batch);

// Empties (and creates) `scratch_dir`: tables written before a crash and never ingested.
Status RemoveIngestLeftovers(const std::string& scratch_dir);

}  // namespace tandem
