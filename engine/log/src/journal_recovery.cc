#include "journal_recovery.h"

#include <rocksdb/write_batch.h>

#include "tandem/basics/logger.h"

namespace tandem {
namespace {

// Recovery can re-apply up to a whole journal; say how far it got this often.
constexpr uint64_t kProgressEveryRecords = 10000;

}  // namespace

Status RecoverFromJournal(const EventLogOptions& options, LogStore* store,
                          std::unique_ptr<Journal>* journal, uint64_t* recovered_events) {
  journal->reset();
  *recovered_events = 0;
  const std::string path = store->db()->GetName() + "/tandem.journal";
  std::unique_ptr<Journal> opened;
  Status s = options.durability == Durability::kSynced
                 ? Journal::Open(path, options.journal_bytes, &opened)
                 : Journal::OpenExisting(path, &opened);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;

  uint64_t last = 0;
  s = store->LastEventPosition(&last);
  if (!s.ok()) return s;
  const uint64_t store_last = last;
  uint64_t records = 0;
  rocksdb::WriteOptions write_options;  // unsynced: the flush below makes it durable
  s = opened->Replay(
      store_last,
      [&](uint64_t first, uint64_t last_position, std::string_view payload) {
        rocksdb::WriteBatch batch{std::string(payload)};
        Status w = FromRocks(store->db()->Write(write_options, &batch),
                             "re-applying journal positions " + std::to_string(first) + ".." +
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
  if (!s.ok()) return s;
  if (options.durability == Durability::kSynced) *journal = std::move(opened);
  return Status::OK();
}

}  // namespace tandem
