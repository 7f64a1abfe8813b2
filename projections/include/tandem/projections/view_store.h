// ViewStore: the views database, a RocksDB of its own beside the log (by default
// `<data>/views`), so that view writes never queue behind appends and dropping a view never
// touches the log.
//
// Contract:
//  - Each view is a column family holding its rows and its checkpoint (the last global position
//    folded into it, and the projection version that folded it). Dropping a view drops both at
//    once, so a crash in the middle of a rebuild never leaves rows without their checkpoint.
//  - A view fed from Kafka also keeps, per partition it consumed, its source offset (the next
//    record to read and the last global position folded), beside its rows and dropped with
//    them. Checkpoint and offsets are stored under reserved keys that no row Scan, reader or
//    hash ever sees.
//  - A ViewBatch gathers rows of any views and their new checkpoints; Commit writes all of it
//    in one atomic write: after a crash a view holds exactly the events up to its checkpoint.
//  - Writes are not synced: the log is the record, and a lost tail is folded again from the
//    checkpoint that survived with it. (A batch big enough to be ingested as sorted tables,
//    `ingest_batch_bytes`, is synced by the ingestion, and every commit before it first: a power
//    loss never keeps a view ahead of a commit made before it.) A commit has reached the operating
//    system when it returns, so a killed process keeps it, unless it was buffered
//    (CommitOptions::buffered): then only once FlushCommits returns, or, written behind
//    (ViewStoreOptions::write_behind), once the store's thread has written it.
//  - A reader sees one consistent snapshot of a view: rows and checkpoint together. Readers
//    given the same ViewSnapshot see their views as of the same moment, whatever is committed
//    meanwhile, except a view dropped since (a rebuild, a version change), which reads as never
//    built. A moment is not a round: a runner commits a round view by view, so two views of one
//    moment may be a round apart (each consistent with its own checkpoint).
//  - Batches and readers must be destroyed before the store (they hold its column families;
//    RocksDB aborts a close that finds one still referenced). A snapshot may outlive it: the
//    store releases it as it closes.
//  - Thread-safe. A read-only store (`ViewStoreOptions::read_only`) may be open in other
//    processes beside the writer; it sees the store as of its open.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/basics/status.h"
#include "tandem/projections/projection.h"

namespace rocksdb {
class FileSystem;
}

namespace tandem {

struct ViewStoreOptions {
  bool create_if_missing = true;
  bool read_only = false;
  // Memory for rows written and not yet flushed to tables, all views together (a rebuild
  // writes every view at once; each view's own share is at most 64 MB).
  size_t write_buffer_bytes = 256 << 20;
  // RocksDB compacts on threads that every database of the process shares (its default Env).
  // When set, the first writable open lowers their CPU priority for the whole process:
  // compaction is deferred work, while a fold or an append waiting behind it is latency someone
  // sees (on two cores, with the idle class, the live lag's p99 went from 10-50 ms to 2.5-4 ms;
  // the lowest nice level is used instead, so that compactions still progress under a steady
  // load and never stall writes).
  bool low_priority_compactions = true;
  // A commit this big (a catch-up round's rows) is written as sorted tables and ingested
  // instead of going through the write-ahead log and the memtable: a memtable insert misses the
  // cache at every level of its skiplist, while sorting the round once is cheap. Just as atomic,
  // and synced. 0 = never.
  size_t ingest_batch_bytes = 4 << 20;
  // Bound of the write-ahead log (RocksDB's `max_total_wal_size`): past it, the views still
  // holding the oldest file's rows are flushed so that it can go. Every open replays what it
  // holds, a reader's (`tandem view`) at every read; every live round writes each view's
  // checkpoint, so without a bound the small views would keep every file alive up to RocksDB's
  // default of four times all memtables (several GB). Twice `write_buffer_bytes`, so that the
  // memtables' own flushes come first: at 64 MB every few seconds of live folding flushed all
  // the views at once, and the live lag's p99 over 30 s went from 34-42 ms to 74 ms. A writable
  // open also flushes every view when it closes.
  uint64_t max_wal_bytes = 512ull << 20;
  // A writable open that may create the database and finds it damaged (RocksDB reports
  // corruption: a table its manifest names is gone, a checksum does not match) moves it aside
  // to `<path>.damaged`, replacing an earlier one, and opens an empty database: every view is
  // then folded again. For the process that folds the views from the log (`tandem serve`);
  // others report the damage. An ingestion whose manifest write fails part-way can leave a
  // database so (RocksDB deletes a table the manifest may already name).
  bool set_aside_if_damaged = false;
  // When set (a writable open), buffered commits (CommitOptions::buffered) are written behind:
  // held in memory, where this process's readers see them at once, and written to RocksDB by
  // a thread of the store's every `write_behind`, each row once however many commits changed it
  // meanwhile. A live round then costs no memtable insert on its way to the readers (the
  // dearest part of following the log on a small machine), and 14 views write 14 checkpoints
  // per interval instead of per round. Readers in other processes see RocksDB only: up to the
  // interval behind. A killed process loses what was not written, which its runner folds again
  // from the checkpoints RocksDB holds. 0: every commit is written when made.
  std::chrono::milliseconds write_behind{0};
  // That thread at the lowest priority (SCHED_IDLE), where the system lets a thread come back
  // from it: it then writes on a core the folds and the log do not want, and is raised while
  // anyone waits for it. Off, it runs at the process's priority.
  bool write_behind_at_lowest_priority = false;
  // The filesystem the views database reads and writes through; empty means the operating
  // system's. Tests give one that injects I/O errors.
  std::shared_ptr<rocksdb::FileSystem> file_system;
};

struct ViewCheckpoint {
  ViewCheckpoint() = default;
  ViewCheckpoint(uint64_t position, uint32_t version, uint64_t ready_at = 0,
                 std::string record_sha256 = {})
      : position(position),
        version(version),
        ready_at(ready_at),
        record_sha256(std::move(record_sha256)) {}

  uint64_t position = 0;  // every event up to here is folded in
  uint32_t version = 0;   // the projection version that folded them; 0 = never built
  // A view dropped to be folded again (a rebuild, a new version, damage) is not served before
  // it reaches the log's head as it was then: a reader would otherwise see it part-built (a
  // timeline without its later milestones) and take that for the project's state. 0: served.
  uint64_t ready_at = 0;
  // Lowercase hex SHA-256 of the log's record at `position`: a log restored from an older copy
  // and appended to again holds other events at the same positions, and the view must then be
  // folded again rather than resumed. Empty when unknown (position 0, a view fed from Kafka, a
  // checkpoint written or moved on by a build before views kept it).
  std::string record_sha256;
  // The ready_at of a view fed from Kafka being folded again: no log position says when it is
  // ready (its partitions' ends do); its worker writes 0 when they are reached.
  static constexpr uint64_t kReadyWhenCaughtUp = UINT64_MAX;
};

// Where a view fed from Kafka stands on one partition of its topic: its rows hold exactly the
// partition's records before `next_offset`.
struct SourceOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;     // the next record to read
  uint64_t last_position = 0;  // the highest global position folded from the partition
  // Read in part by a fold from the beginning, never yet to its end: the view holds some of the
  // partition's history only, and is not served while this partition is assigned to it again
  // until it reaches its end (a worker restarted after a rebalance took it away knows so).
  bool unfinished = false;
};

struct BatchOptions {
  // Room made at once for this many bytes of changes: a batch grown as rows come copies what it
  // holds each time it doubles, into memory touched for the first time (a rebuild round's batch
  // of one view holds tens of megabytes). A hint: a batch takes more when it needs it.
  size_t reserve_bytes = 0;
};

struct CommitOptions {
  // The batch is applied at once (this process's readers see it), but its write-ahead log
  // record stays in the process until FlushCommits (or the next commit that is not buffered):
  // a process killed before loses it, rows and checkpoint together, and the view is folded
  // again from the checkpoint before. A runner committing each view of a round on its own
  // then writes all their records with one system call instead of one each (on a virtual
  // machine a system call costs microseconds, and a live round commits 14 views).
  bool buffered = false;
};

class ViewBatch {
 public:
  virtual ~ViewBatch() = default;
  // Where a fold's changes to `view` go.
  virtual ViewRows* Rows(std::string_view view) = 0;
  virtual void SetCheckpoint(std::string_view view, const ViewCheckpoint& checkpoint) = 0;
  // Stores the view's offset on `offset.partition` of `offset.topic` in the same write as its
  // rows (replacing the one stored). The topic must be non-empty.
  virtual void SetSourceOffset(std::string_view view, const SourceOffset& offset) = 0;
  // Bytes of row changes gathered so far (for progress and sizing).
  virtual size_t ApproximateBytes() const = 0;
};

// A consistent snapshot of one view.
class ViewReader : public RowReader {
 public:
  virtual const ViewCheckpoint& checkpoint() const = 0;
};

// One moment of the whole views database, for readers of several views. A query reads the
// directory (who may see what) and then a view; with a snapshot each, a round committed between
// the two openings paired the view with an older directory, and the query had to be refused
// ("try again") rather than answered under a grant that may since have been revoked. Readers of
// one snapshot see every view as of the same moment, when the directory, committed first in
// every round, was never behind the views it gates (the others may be a round apart from each
// other); a view dropped after the snapshot reads as never built: refused, never paired wrongly.
class ViewSnapshot {
 public:
  virtual ~ViewSnapshot() = default;
};

struct ReaderOptions {
  // The moment the reader sees; empty means a snapshot of its own, taken as it opens.
  std::shared_ptr<const ViewSnapshot> snapshot;
};

class ViewStore {
 public:
  static Status Open(const ViewStoreOptions& options, const std::string& path,
                     std::unique_ptr<ViewStore>* store);
  virtual ~ViewStore() = default;

  // The view's checkpoint; all zero for a view never built.
  virtual Status GetCheckpoint(std::string_view view, ViewCheckpoint* checkpoint) = 0;
  // The view's source offsets, by topic then partition; none for a view never fed from Kafka.
  // Corruption when one is damaged.
  virtual Status GetSourceOffsets(std::string_view view, std::vector<SourceOffset>* offsets) = 0;
  // Empties the view (rows, checkpoint and source offsets), e.g. before a rebuild or after a
  // version change.
  virtual Status Drop(std::string_view view) = 0;
  virtual std::unique_ptr<ViewBatch> NewBatch(const BatchOptions& options) = 0;
  std::unique_ptr<ViewBatch> NewBatch() { return NewBatch(BatchOptions()); }
  virtual Status Commit(ViewBatch* batch, const CommitOptions& options) = 0;
  Status Commit(ViewBatch* batch) { return Commit(batch, CommitOptions()); }
  // Writes the records of the buffered commits to the operating system (and, written behind,
  // their rows to RocksDB). When it fails the store refuses every later commit until it is
  // opened again: the buffered batches are in memory but not in the write-ahead log, and
  // folding them again on top would apply them twice; the next open goes back to what the log
  // holds.
  virtual Status FlushCommits() = 0;
  // Whether buffered commits are written behind (ViewStoreOptions::write_behind): a runner then
  // leaves them to the store instead of flushing them after every round.
  virtual bool writes_behind() const = 0;
  // The database as it stands now, for readers that must agree with each other.
  virtual Status NewSnapshot(std::shared_ptr<const ViewSnapshot>* snapshot) = 0;
  // InvalidArgument when `options.snapshot` was taken of another store.
  virtual Status NewReader(std::string_view view, const ReaderOptions& options,
                           std::unique_ptr<ViewReader>* reader) = 0;
  Status NewReader(std::string_view view, std::unique_ptr<ViewReader>* reader) {
    return NewReader(view, ReaderOptions(), reader);
  }
  // Approximate bytes of a view on disk (for `tandem projections`).
  virtual uint64_t ApproximateSize(std::string_view view) = 0;
  // Memory this process holds to answer a fold's lookups of keys a view never had without
  // reading them: kept for a view it created empty (a rebuild, a new view), about 17 bytes a
  // key written, up to 1M keys; freed by the first commit that marks the view served
  // (ViewCheckpoint::ready_at 0), even one that then fails (the next folds read the store).
  // 0 for any other view.
  virtual uint64_t ApproximateKnownKeysBytes(std::string_view view) = 0;
  // Writes the named views' rows held in memory to tables and compacts them, returning when
  // done (all views when `views` is empty). After a rebuild: the folds and reads that follow
  // search a few sorted tables, instead of sharing the machine with the compaction of
  // everything the rebuild wrote, and a restart replays no write-ahead log.
  virtual Status Compact(const std::vector<std::string>& views) = 0;
  // Copies the views database as it stands into `dir`, which must not exist yet (a RocksDB
  // checkpoint: memtables flushed, tables hard-linked where the file system allows, so a copy
  // costs a flush, not the views' size). Each view in the copy holds exactly the events up to
  // its own checkpoint there; commits still held in memory (written behind) are not in it, and
  // their views' checkpoints there are older. InvalidArgument for a store open read-only.
  virtual Status CopyTo(const std::string& dir) = 0;
  // Reads every table of the views database and checks its checksums: Corruption naming the
  // damaged file. For reads that must be whole (`tandem view-hash`, `tandem verify`): RocksDB
  // 7.8 can lose the error of a damaged block in a scan that spans several tables, which then
  // ends early as if the rows after it did not exist (fixed in RocksDB 8.6.3).
  virtual Status VerifyChecksums() = 0;
};

}  // namespace tandem
