// Checking a journal record's write batch before recovery applies it. A record's checksum only
// proves that its bytes are the ones written; the batch inside must still be one the log's
// writer could have built for the record's positions, or a damaged or forged journal would
// write into RocksDB whatever it holds (or trip RocksDB's own assertions).
#pragma once

#include <cstdint>
#include <string_view>

#include <rocksdb/write_batch.h>

#include "log_store.h"
#include "tandem/basics/status.h"

namespace tandem {

// Corruption naming the record unless `payload` is a WriteBatch of puts only, into the events,
// streams, tenants and idempotency families, in which:
//  - the events are exactly positions [first, last], each passing the event verifier at its
//    position;
//  - each event has exactly one stream index entry, naming its tenant, stream and version;
//  - the tenant runs cover each position exactly once, each with the tenant of its events;
//  - each idempotency record names positions of the record whose events are those of its
//    tenant, stream and versions, no two covering the same position.
// On success, if `rebuilt` is given, it holds the same puts in a batch built here, so that
// RocksDB never parses the stored bytes.
Status CheckJournalBatch(const LogStore& store, uint64_t first, uint64_t last,
                         std::string_view payload, rocksdb::WriteBatch* rebuilt);

}  // namespace tandem
