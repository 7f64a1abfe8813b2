#include "tandem/log/log_verifier.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "durable_position.h"
#include "journal.h"
#include "journal_batch.h"
#include "journal_recovery.h"
#include "log_keys.h"
#include "log_store.h"
#include "tandem/events/event_record.h"
#include "tandem/events/recorded_event.h"
#include "tandem/rocks/table_checksums.h"
#include "tandem/schema/tandem_events_generated.h"

namespace tandem {
namespace {

class FolderVerifier {
 public:
  FolderVerifier(const LogStore& store, const VerifyOptions& options, VerifyReport* report)
      : store_(store), options_(options), report_(report) {}

  Status Run() {
    Status s = CheckEvents();
    if (s.ok()) s = CheckStreamIndex();
    if (s.ok()) s = CheckTenantIndex();
    if (s.ok()) s = CheckIdempotencyKeys();
    return s;
  }

 private:
  void Progress(const std::string& pass, uint64_t done) {
    if (options_.progress && options_.progress_every && done % options_.progress_every == 0) {
      options_.progress(pass, done, last_);
    }
  }

  // Reads and verifies the event at `position`, which an index claims exists.
  Status LoadIndexed(uint64_t position, const std::string& index, const schema::Event** event) {
    if (position == 0 || position > last_) {
      return Status::Corruption(index + " points at position " + std::to_string(position) +
                                ", outside the log (1.." + std::to_string(last_) + ")");
    }
    rocksdb::PinnableSlice bytes;
    rocksdb::Status rs = store_.db()->Get(rocksdb::ReadOptions(), store_.events(),
                                          log_keys::EventKey(position), &bytes);
    if (!rs.ok()) return FromRocks(rs, index + " -> position " + std::to_string(position));
    // Records were verified in the first pass; read in place only from aligned storage.
    scratch_ = RecordedEvent(bytes.ToStringView());
    *event = &scratch_.event();
    return Status::OK();
  }

  Status CheckEvents() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_.db()->NewIterator(rocksdb::ReadOptions(), store_.events()));
    Status s = store_.LastEventPosition(&last_);
    if (!s.ok()) return s;
    uint64_t expected = 1;
    int64_t last_time = 0;
    std::set<std::string> tenants;
    for (it->SeekToFirst(); it->Valid(); it->Next(), expected++) {
      uint64_t position = 0;
      if (!log_keys::ParseEventKey(it->key().ToStringView(), &position)) {
        return Status::Corruption("malformed event key after position " +
                                  std::to_string(expected - 1));
      }
      if (position != expected) {
        return Status::Corruption("gap in the log: position " + std::to_string(expected) +
                                  " is missing (next present is " + std::to_string(position) + ")");
      }
      // RocksDB's slices have no alignment; the record is read in place from a copy.
      const RecordedEvent record(it->value().ToStringView());
      s = event_record::Verify(record.bytes(), position);
      if (!s.ok()) return s;
      const schema::Event* e = &record.event();
      if (e->stream_version() == 0) {
        return Status::Corruption("event at position " + std::to_string(position) +
                                  " has no stream version");
      }
      if (e->recorded_at_us() < last_time) {
        return Status::Corruption("event at position " + std::to_string(position) +
                                  " is recorded before its predecessor");
      }
      last_time = e->recorded_at_us();
      tenants.insert(e->tenant()->str());
      report_->events++;
      Progress("events", report_->events);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning events");
    report_->tenants = tenants.size();
    return Status::OK();
  }

  Status CheckStreamIndex() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_.db()->NewIterator(rocksdb::ReadOptions(), store_.streams()));
    StreamId previous;
    uint64_t previous_version = 0, entries = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      StreamId stream;
      uint64_t version = 0;
      if (!log_keys::ParseStreamVersionKey(it->key().ToStringView(), &stream, &version) ||
          it->value().size() != 8) {
        return Status::Corruption("malformed stream index entry");
      }
      const std::string name = "stream index " + stream.ToString() + "@" + std::to_string(version);
      if (!(stream == previous)) {
        report_->streams++;
        previous = stream;
        previous_version = 0;
      }
      if (version != previous_version + 1) {
        return Status::Corruption(name + ": expected version " +
                                  std::to_string(previous_version + 1));
      }
      previous_version = version;
      const schema::Event* e = nullptr;
      Status s = LoadIndexed(log_keys::ReadBigEndian64(it->value().data()), name, &e);
      if (!s.ok()) return s;
      if (e->tenant()->string_view() != stream.tenant ||
          e->stream_id()->string_view() != stream.name || e->stream_version() != version) {
        return Status::Corruption(name + " points at position " +
                                  std::to_string(e->global_position()) + " which is " +
                                  e->tenant()->str() + "/" + e->stream_id()->str() + "@" +
                                  std::to_string(e->stream_version()));
      }
      Progress("streams", ++entries);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning the stream index");
    // Each entry matched a distinct (stream, version) event, so equal counts mean every event
    // is indexed exactly once.
    if (entries != report_->events) {
      return Status::Corruption("stream index has " + std::to_string(entries) + " entries for " +
                                std::to_string(report_->events) + " events");
    }
    return Status::OK();
  }

  Status CheckTenantIndex() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_.db()->NewIterator(rocksdb::ReadOptions(), store_.tenants()));
    uint64_t entries = 0;
    std::string previous_tenant;
    uint64_t previous_end = 0;  // one past the previous run of previous_tenant
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string tenant;
      uint64_t first = 0, length = 0;
      if (!log_keys::ParseTenantPositionKey(it->key().ToStringView(), &tenant, &first) ||
          !log_keys::ParseTenantRunValue(it->value().ToStringView(), &length)) {
        return Status::Corruption("malformed tenant index entry");
      }
      const std::string name = "tenant index " + tenant + "@" + std::to_string(first);
      if (tenant == previous_tenant && first < previous_end) {
        return Status::Corruption(name + " overlaps the run before it, which ends at " +
                                  std::to_string(previous_end - 1));
      }
      if (length > last_) {
        return Status::Corruption(name + " claims " + std::to_string(length) +
                                  " positions, more than the log holds");
      }
      for (uint64_t position = first; position - first < length; position++) {
        const schema::Event* e = nullptr;
        Status s = LoadIndexed(position, name, &e);
        if (!s.ok()) return s;
        if (e->tenant()->string_view() != tenant) {
          return Status::Corruption(name + " covers position " + std::to_string(position) +
                                    ", an event of tenant " + e->tenant()->str());
        }
        Progress("tenants", ++entries);
      }
      previous_tenant = std::move(tenant);
      previous_end = first + length;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning the tenant index");
    if (entries != report_->events) {
      return Status::Corruption("tenant index covers " + std::to_string(entries) +
                                " positions for " + std::to_string(report_->events) + " events");
    }
    return Status::OK();
  }

  Status CheckIdempotencyKeys() {
    std::unique_ptr<rocksdb::Iterator> it(
        store_.db()->NewIterator(rocksdb::ReadOptions(), store_.idempotency()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      log_keys::IdempotencyRecord record;
      std::string_view key = it->key().ToStringView();
      size_t sep = key.find('\0');
      if (sep == std::string_view::npos || !record.Decode(it->value().ToStringView())) {
        return Status::Corruption("malformed idempotency record");
      }
      const std::string name = "idempotency key " + std::string(key.substr(sep + 1));
      const schema::Event* e = nullptr;
      Status s = LoadIndexed(record.first_position, name, &e);
      if (!s.ok()) return s;
      if (e->tenant()->string_view() != key.substr(0, sep) ||
          e->stream_id()->string_view() != record.stream_name ||
          e->stream_version() != record.first_version) {
        return Status::Corruption(name + " does not match the event at position " +
                                  std::to_string(record.first_position));
      }
      report_->idempotency_keys++;
    }
    return FromRocks(it->status(), "scanning idempotency keys");
  }

  const LogStore& store_;
  const VerifyOptions& options_;
  VerifyReport* report_;
  uint64_t last_ = 0;
  RecordedEvent scratch_;
};

// How often verify checks the journal again while a live writer keeps changing it.
constexpr int kJournalAttempts = 10;

// Checks the journal a read-write open would replay, reading only: the journal the log is
// marked with is there and is that journal, and its current pass reads to its end with every
// record beyond RocksDB's last event one that recovery would accept. The journal is opened
// before a view of RocksDB is taken: a writer flushes before it starts a new pass, so the view
// holds everything before the pass the journal's header names. `*end` is the last position
// held by that view or the journal.
Status CheckJournalOnce(const std::string& folder, uint64_t* end) {
  *end = 0;
  const std::string path = folder + "/tandem.journal";
  std::unique_ptr<Journal> journal;
  Status opened = Journal::OpenExisting(path, /*writable=*/false, &journal);
  std::unique_ptr<LogStore> store;
  Status s = LogStore::Open(folder, /*create_if_missing=*/false, /*read_only=*/true, &store);
  uint64_t last = 0;
  if (s.ok()) s = store->LastEventPosition(&last);
  bool marked = false;
  uint64_t id = 0;
  if (s.ok()) s = ReadJournalMark(store.get(), &marked, &id);
  if (!s.ok()) return s;
  *end = last;
  if (opened.IsNotFound()) {
    if (!marked) return Status::OK();  // never opened kSynced: no journal to depend on
    return Status::Corruption("the journal " + path +
                              " is missing, but this event log was written with it: a read-write "
                              "open refuses the folder (restore the file)");
  }
  if (!opened.ok()) return opened;
  if (marked && (journal->format() == 1 || journal->id() != id)) {
    return Status::Corruption("the journal " + path +
                              " is not the one this event log was written with (its header is "
                              "missing or names another journal): a read-write open refuses it");
  }
  JournalBatchChecker checker(*store);
  return journal->Replay(
      last,
      [&](uint64_t first, uint64_t last_position, std::string_view payload) {
        Status c = checker.Check(first, last_position, payload);
        return c.IsCorruption() ? Status::Corruption(path + ": " + c.message()) : c;
      },
      [](uint64_t, uint64_t, std::string_view) { return Status::OK(); }, end);
}

// What a live writer changes: the journal's header copies (a new pass) and the published
// position (an acknowledgement). Compared raw, as a sign of activity only.
std::string WriterFootprint(const std::string& folder) {
  std::string footprint;
  for (const std::string& file :
       {folder + "/tandem.journal", folder + "/" + std::string(DurablePosition::kFileName)}) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes(Journal::kRecordsOffset, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    footprint += std::to_string(in.gcount()) + ":" + bytes.substr(0, in.gcount());
  }
  return footprint;
}

// CheckJournalOnce, again while a failure may be a live writer's doing: one that moved on
// while the journal was read (a new pass overwriting what was being read, a record read while
// written) is not damage. A failure with no sign of a writer is reported at once.
Status CheckJournal(const std::string& folder, uint64_t* end) {
  Status s;
  for (int attempt = 0; attempt < kJournalAttempts; attempt++) {
    const std::string before = WriterFootprint(folder);
    s = CheckJournalOnce(folder, end);
    if (s.ok() || WriterFootprint(folder) == before) return s;
  }
  if (!s.IsCorruption()) return s;
  return Status::Corruption(s.message() + " (the log was being written throughout " +
                            std::to_string(kJournalAttempts) +
                            " checks of its journal: verify again when it is idle)");
}

// Checks `tandem.durable` as read (into `published`) before the store was opened: readable,
// and not past what a read-write open would hold, `end`.
Status CheckPublished(const std::string& folder, const Status& read, uint64_t published,
                      bool buffered, uint64_t end) {
  const std::string path = folder + "/" + DurablePosition::kFileName;
  if (read.IsNotFound()) {
    return Status::Corruption("no " + path +
                              ": read-only opens refuse the folder (open it read-write once)");
  }
  if (!read.ok()) return read;
  if (published > end) {
    return Status::Corruption(path + " publishes position " + std::to_string(published) +
                              " as acknowledged, but the event log and its journal end at " +
                              std::to_string(end) + ": acknowledged appends are lost" +
                              (buffered ? " (its writer was buffered: it acknowledges before "
                                          "syncing, so a power loss may take appends back)"
                                        : ""));
  }
  return Status::OK();
}

}  // namespace

Status VerifyEventLogFolder(const std::string& path, const VerifyOptions& options,
                            VerifyReport* report) {
  *report = VerifyReport();
  if (!std::filesystem::exists(path)) {
    return Status::NotFound("no event log at " + path);
  }
  // Read before the store is opened, as a read-only open does: with a live writer everything
  // it covers is then in the store's view.
  uint64_t published = 0;
  bool buffered = false;
  const Status published_read = DurablePosition::Read(path, &published, &buffered);
  std::unique_ptr<LogStore> store;
  Status s = LogStore::Open(path, /*create_if_missing=*/false, /*read_only=*/true, &store);
  if (!s.ok()) return s;
  // Every table's checksums first: a damaged block names its file here, where the passes below
  // could only see what it hides (RocksDB 7.8 may end a scan at it without an error: a "gap").
  s = FromRocks(VerifyTableChecksums(store->db(), store->handles()), "checking the tables");
  if (!s.ok()) return s;
  s = FolderVerifier(*store, options, report).Run();
  uint64_t last = 0, end = 0;
  if (s.ok()) s = store->LastEventPosition(&last);
  if (s.ok()) s = CheckJournal(path, &end);
  if (!s.ok()) return s;
  if (published_read.ok() && published > last) report->awaiting_recovery = published - last;
  return CheckPublished(path, published_read, published, buffered, std::max(last, end));
}

}  // namespace tandem
