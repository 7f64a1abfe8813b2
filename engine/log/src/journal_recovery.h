// Recovery of a read-write event log from its journal (journal.h).
#pragma once

#include <memory>

#include "journal.h"
#include "log_store.h"
#include "tandem/log/event_log.h"

namespace tandem {

// Re-applies every group commit the journal at `store`'s folder holds beyond the store's last
// event (RocksDB's unsynced WAL may have lost them in a power loss; the journal has not), then
// flushes the store so that nothing depends on the journal any more. Each record's batch is
// checked (journal_batch.h) and the journal's chain read to its end before anything is applied:
// a failed recovery changes nothing.
//
// The store remembers the id of the journal it was written with, so that a journal that is
// missing, not the one written, or without its header is Corruption naming the file rather
// than a silently shorter log. A store without that mark (a new folder, a log only ever opened
// kBuffered, or one written by the build before the mark) accepts a missing journal.
//
// For Durability::kSynced `*journal` is then that journal, created if missing, converted from
// the previous build's format, and rewound to a new pass that starts after the last event; for
// kBuffered it is left empty (a journal left by an earlier synced run is still replayed).
// `*recovered_events` is how many events were re-applied.
Status RecoverFromJournal(const EventLogOptions& options, LogStore* store,
                          std::unique_ptr<Journal>* journal, uint64_t* recovered_events);

// Reads the store's mark: whether it names the journal it was written with, and that journal's
// id. Corruption if the mark is malformed.
Status ReadJournalMark(const LogStore* store, bool* marked, uint64_t* id);

}  // namespace tandem
