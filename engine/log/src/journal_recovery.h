// Recovery of a read-write event log from its journal (journal.h).
#pragma once

#include <memory>

#include "journal.h"
#include "log_store.h"
#include "tandem/log/event_log.h"

namespace tandem {

// Re-applies every group commit the journal at `store`'s folder holds beyond the store's last
// event (RocksDB's unsynced WAL may have lost them in a power loss; the journal has not), then
// flushes the store so that nothing depends on the journal any more. For Durability::kSynced
// `*journal` is then that journal, created if missing, ready to be written from its start; for
// kBuffered it is left empty (a journal left by an earlier synced run is still replayed).
// `*recovered_events` is how many events were re-applied.
Status RecoverFromJournal(const EventLogOptions& options, LogStore* store,
                          std::unique_ptr<Journal>* journal, uint64_t* recovered_events);

}  // namespace tandem
