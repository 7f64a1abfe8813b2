// Offline consistency check of an event log's data folder. Safe to run while another process
// has the log open for writing (it reads a read-only view as of its start).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tandem/basics/status.h"

namespace tandem {

struct VerifyOptions {
  // Called every `progress_every` events of each pass with (pass name, done, total).
  std::function<void(const std::string&, uint64_t, uint64_t)> progress;
  uint64_t progress_every = 100000;
};

struct VerifyReport {
  uint64_t events = 0;
  uint64_t streams = 0;
  uint64_t tenants = 0;
  uint64_t idempotency_keys = 0;
  // Acknowledged events that only the journal holds (a power loss took them from RocksDB): no
  // damage, but read-only opens refuse the log (log.recovery_pending) until a read-write open
  // has replayed them.
  uint64_t awaiting_recovery = 0;
};

// Checks that positions run 1..N without gaps, every record passes the FlatBuffers verifier
// and names its own position, recorded times never decrease, and the stream, tenant and
// idempotency indexes agree with the records. Then checks what opens depend on beyond RocksDB's
// files, reading only: the journal the log is marked with is present and is that journal, its
// current pass reads to its end without lost positions and every record beyond RocksDB's last
// event is one recovery would apply (nothing is applied), and `tandem.durable` is readable and
// publishes no position beyond what RocksDB and the journal hold. A journal ahead of the
// read-only view (a live writer's) is no problem. Returns Corruption describing the first
// problem, naming the file.
Status VerifyEventLogFolder(const std::string& path, const VerifyOptions& options,
                            VerifyReport* report);

}  // namespace tandem
