#include "journal_recovery.h"

#include <rocksdb/write_batch.h>

#include "journal_batch.h"
#include "log_keys.h"
#include "tandem/basics/logger.h"

namespace tandem {
namespace {

// Recovery can re-apply up to a whole journal; say how far it got this often.
constexpr uint64_t kProgressEveryRecords = 10000;

// The mark in RocksDB's default family: be64 id of the journal the log is written with.
constexpr char kJournalMarkKey[] = "tandem.journal";

}  // namespace

Status ReadJournalMark(const LogStore* store, bool* marked, uint64_t* id) {
  *marked = false;
  std::string value;
  rocksdb::Status rs = store->db()->Get(rocksdb::ReadOptions(), store->db()->DefaultColumnFamily(),
                                        kJournalMarkKey, &value);
  if (rs.IsNotFound()) return Status::OK();
  if (!rs.ok()) return FromRocks(rs, "reading the event log's journal mark");
  if (value.size() != 8) return Status::Corruption("the event log's journal mark is malformed");
  *marked = true;
  *id = log_keys::ReadBigEndian64(value.data());
  return Status::OK();
}

namespace {

Status WriteJournalMark(LogStore* store, uint64_t id) {
  rocksdb::WriteOptions synced;
  synced.sync = true;
  return FromRocks(store->db()->Put(synced, store->db()->DefaultColumnFamily(), kJournalMarkKey,
                                    log_keys::EventKey(id)),
                   "marking the event log's journal");
}

// Opens the journal the store expects, creating it only where none is expected. `*marked` tells
// whether the store already names it.
Status OpenJournal(const EventLogOptions& options, LogStore* store, const std::string& path,
                   std::unique_ptr<Journal>* journal, bool* marked) {
  const bool synced = options.durability == Durability::kSynced;
  uint64_t id = 0;
  Status s = ReadJournalMark(store, marked, &id);
  if (!s.ok()) return s;
  s = Journal::OpenExisting(path, synced, journal);
  if (s.IsNotFound()) {
    if (*marked) {
      return Status::Corruption("the journal " + path +
                                " is missing, but this event log was written with it: acknowledged "
                                "appends only it held would be lost (restore the file)");
    }
    if (!synced) return Status::OK();
    return Journal::Create(path, options.journal_bytes, journal);
  }
  if (!s.ok()) return s;
  if (*marked && ((*journal)->format() == 1 || (*journal)->id() != id)) {
    journal->reset();
    return Status::Corruption("the journal " + path +
                              " is not the one this event log was written with (its header is "
                              "missing or names another journal)");
  }
  return Status::OK();
}

}  // namespace

Status RecoverFromJournal(const EventLogOptions& options, LogStore* store,
                          std::unique_ptr<Journal>* journal, uint64_t* recovered_events) {
  journal->reset();
  *recovered_events = 0;
  const bool synced = options.durability == Durability::kSynced;
  if (synced) {
    Status s = Journal::CheckCapacity(options.journal_bytes);
    if (!s.ok()) return s;
  }
  const std::string path = store->db()->GetName() + "/tandem.journal";
  std::unique_ptr<Journal> opened;
  bool marked = false;
  Status s = OpenJournal(options, store, path, &opened, &marked);
  if (!s.ok() || opened == nullptr) return s;

  uint64_t last = 0;
  s = store->LastEventPosition(&last);
  if (!s.ok()) return s;
  const uint64_t store_last = last;
  uint64_t records = 0;
  rocksdb::WriteOptions write_options;  // unsynced: the flush below makes it durable
  JournalBatchChecker checker(*store);
  s = opened->Replay(
      store_last,
      [&](uint64_t first, uint64_t last_position, std::string_view payload) {
        return checker.Check(first, last_position, payload);
      },
      [&](uint64_t first, uint64_t last_position, std::string_view payload) {
        rocksdb::WriteBatch batch;
        Status w = RebuildJournalBatch(*store, first, last_position, payload, &batch);
        if (!w.ok()) return w;
        w = FromRocks(store->db()->Write(write_options, &batch), "re-applying journal positions " +
                                                                     std::to_string(first) + ".." +
                                                                     std::to_string(last_position));
        if (w.ok() && ++records % kProgressEveryRecords == 0) {
          LogInfo("event_log", "journal replay progress records=" + std::to_string(records) +
                                   " position=" + std::to_string(last_position));
        }
        return w;
      },
      &last);
  if (!s.ok()) return s;
  *recovered_events = last - store_last;
  if (records > 0) {
    LogWarn("event_log", "recovered from journal records=" + std::to_string(records) +
                             " positions=" + std::to_string(store_last + 1) + ".." +
                             std::to_string(last));
  }
  // Before the journal is overwritten from its start, everything it held must be durable
  // without it: what was just re-applied, and what RocksDB recovered from an unsynced WAL.
  s = store->FlushAll();
  if (!s.ok() || !synced) return s;
  s = opened->Grow(options.journal_bytes);
  if (s.ok()) s = opened->Rewind(last + 1);
  // Marked only now: a journal just created or converted from the previous build's format has
  // its id from here on.
  if (s.ok() && !marked) s = WriteJournalMark(store, opened->id());
  if (!s.ok()) return s;
  *journal = std::move(opened);
  return Status::OK();
}

}  // namespace tandem
