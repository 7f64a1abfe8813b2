// Checking a journal record's write batch before recovery applies it. A record's checksum only
// proves that its bytes are the ones written; the batch inside must still be one the log's
// writer could have built for the record's positions, or a damaged or forged journal would
// write into RocksDB whatever it holds (or trip RocksDB's own assertions).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include "log_store.h"
#include "tandem/basics/status.h"
#include "tandem/basics/stream_id.h"

namespace tandem {

// Checks the records of one replay, in position order, before any is applied.
class JournalBatchChecker {
 public:
  explicit JournalBatchChecker(const LogStore& store);
  ~JournalBatchChecker();

  // Corruption naming the record unless `payload` is a WriteBatch of puts only, into the events,
  // streams, tenants and idempotency families, in which:
  //  - the events are exactly positions [first, last], each passing the event verifier at its
  //    position;
  //  - each event has exactly one stream index entry, naming its tenant, stream and version,
  //    and each stream continues at the version after its head (in the store, or in the
  //    records checked before);
  //  - the tenant runs cover each position exactly once, each with the tenant of its events;
  //  - each idempotency record names positions of the record whose events are those of its
  //    tenant, stream and versions, no two covering the same position, under a key that neither
  //    the store nor an earlier record holds.
  Status Check(uint64_t first, uint64_t last, std::string_view payload);

 private:
  Status StoredHead(const StreamId& stream, uint64_t* version);

  const LogStore& store_;
  std::unique_ptr<rocksdb::Iterator> streams_;
  std::unordered_map<std::string, uint64_t> heads_;  // by stream prefix
  std::unordered_set<std::string> idempotency_keys_;
};

// Checks what JournalBatchChecker::Check checks of the batch on its own, then puts the same puts
// into `rebuilt`, a batch built here, so that RocksDB never parses the stored bytes.
Status RebuildJournalBatch(const LogStore& store, uint64_t first, uint64_t last,
                           std::string_view payload, rocksdb::WriteBatch* rebuilt);

}  // namespace tandem
