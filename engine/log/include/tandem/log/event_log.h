// EventLog: Tandem's append-only, durable event store on RocksDB.
//
// Contract:
//  - Events are appended to a stream (tenant + name) under an ExpectedVersion check. A failed
//    check writes nothing and returns Status::WrongExpectedVersion.
//  - Each event receives the next stream version (the first is 1) and the next global position
//    (the first is 1). Global positions are gap-free and follow commit order.
//  - An append carrying an idempotency key that was already committed (within the same tenant)
//    writes nothing and returns the first append's versions and positions, flagged deduplicated,
//    provided it goes to the same stream and its first event has the same actor as the first
//    append's; otherwise it is refused (InvalidArgument, reason idempotency.key_reused), so one
//    actor's key never answers another's append.
//  - AppendIf also checks other streams' versions in the same atomic step, without writing them.
//  - With Durability::kSynced (the default) Append returns only after its write is on the
//    device (in the log's journal, or in RocksDB's WAL when the journal wraps): an acknowledged
//    append survives a crash of the process or the machine. Concurrent appends are gathered into
//    one synced write (group commit). A read-write open re-applies what the journal holds beyond
//    RocksDB's own recovery.
//  - AppendAsync has the same contract but does not hold the caller's thread while the group
//    commit syncs: the outcome goes to a callback once the append is durable (or refused).
//  - Readers see only acknowledged appends, in this process and in others: every read is
//    capped at LastPosition(), the last acknowledged position. RocksDB holds more (a group is
//    inserted while its journal write is under way, and stays there if that write fails), so
//    the writing process publishes LastPosition() in `tandem.durable` in the log's folder and a
//    read-only open caps its view there. A read-only open of a folder without that file fails
//    closed with NotFound; any read-write open writes it.
//  - Every event read back has passed the FlatBuffers verifier; a record that does not is
//    reported as Status::Corruption naming its position, never returned as data. Indexes are
//    derived data and never trusted alone: every record a read returns is checked to be the
//    tenant's, stream's and version's it was asked for (versions without holes, positions
//    increasing, none twice), and a damaged or short index entry is Corruption.
//  - Thread-safe: any number of threads may append, read and subscribe at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tandem/basics/expected_version.h"
#include "tandem/basics/status.h"
#include "tandem/basics/stream_id.h"
#include "tandem/events/new_event.h"
#include "tandem/events/recorded_event.h"

namespace prometheus {
class Registry;
}
namespace rocksdb {
class FileSystem;
}

namespace tandem {

enum class Durability : uint8_t {
  // Each group commit is on the device before its appends are acknowledged.
  kSynced,
  // The WAL is written but not synced: survives a process crash, not a power loss. Must be
  // asked for explicitly.
  kBuffered,
};

struct EventLogOptions {
  bool create_if_missing = true;
  Durability durability = Durability::kSynced;
  // Open without the writer: appends fail with InvalidArgument. Other processes may hold the
  // log open for writing at the same time. The view is the log as of the open, up to the last
  // position the writer had acknowledged then.
  bool read_only = false;
  // Size of the durability journal (`tandem.journal` in the log's folder), zero-filled when
  // created. Each time it fills up the log syncs RocksDB's WAL once and starts it over. At most
  // 4 GiB.
  uint64_t journal_bytes = 64ull << 20;
  // Upper bound of events gathered into one group-commit write.
  size_t max_group_commit_events = 4096;
  // Largest encoded event accepted.
  size_t max_event_bytes = 1 << 20;
  // Most events one Append may carry.
  size_t max_events_per_append = 10000;
  // Longest idempotency key accepted.
  size_t max_idempotency_key_bytes = 512;
  // Bound of RocksDB's write-ahead log (its `max_total_wal_size`): past it, the column families
  // still holding the oldest file's writes are flushed so that it can go. Every open replays what
  // the write-ahead log holds (a read-only open, as each CLI verb does, at every open), so
  // without a bound a rarely written family kept every file alive: 536 MB replayed, 6.8 s, by
  // each open of a 1M-event log. A read-write log also flushes everything when it closes.
  uint64_t max_wal_bytes = 64ull << 20;
  // When set, the log registers its metrics (tandem_log_*) here. Must outlive the log.
  prometheus::Registry* metrics = nullptr;
  // The filesystem RocksDB reads and writes the log's database through (not the journal, which
  // uses the operating system's calls); empty means the operating system's. Tests give one that
  // injects I/O errors.
  std::shared_ptr<rocksdb::FileSystem> file_system;
};

// A condition on another stream, checked in the same atomic step as the append's own expected
// version: a decision that read stream B commits to stream A only while B is as it was read.
struct AppendCondition {
  StreamId stream;
  ExpectedVersion expected;
};

struct AppendResult {
  uint64_t first_version = 0;
  uint64_t last_version = 0;
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  // True when the idempotency key had been committed before and nothing was written now.
  bool deduplicated = false;
};

struct ReadOptions {
  // Read the log as it was when this position was the last one: later events are invisible.
  // 0 means the latest committed position.
  uint64_t as_of_position = 0;
  // Most events one call returns; callers page by continuing after the last one returned.
  size_t max_count = 1000;
};

struct SubscriptionOptions {
  // The first position delivered is the first one after this (0 = from the beginning).
  uint64_t after_position = 0;
  // When non-empty, only this tenant's events are delivered.
  std::string tenant;
  // Events read from disk per catch-up step.
  size_t page_size = 512;
};

// Delivers every committed event after a position in global order: first those already in the
// log, then new ones as they are committed, without polling. Each event is delivered once: after
// an error, the next call resumes right after the last event delivered. Closing the log wakes a
// subscriber waiting in Next with Shutdown and waits for it to return; a Subscription may
// outlive its log, and Next then returns Shutdown.
class Subscription {
 public:
  virtual ~Subscription() = default;
  // Waits up to `timeout` for the next event. Returns TimedOut if none was committed in time,
  // Shutdown once the log is closing or closed, Corruption if the next record fails
  // verification (or an IOError if reading it failed); calling again retries that read.
  virtual Status Next(RecordedEvent* event, std::chrono::milliseconds timeout) = 0;
  // Position of the last event delivered (the after_position before the first).
  virtual uint64_t position() const = 0;
};

// Receives an asynchronous append's outcome: exactly what Append would have returned. Callbacks
// run one after another on the log's completion thread, so they must be quick and must not block
// (no Append, and no closing the log, which waits for that thread); they may call AppendAsync.
// An exception thrown by a callback is logged and dropped.
using AppendCallback = std::function<void(const Status& status, const AppendResult& result)>;

class EventLog {
 public:
  static constexpr uint64_t kEndOfStream = std::numeric_limits<uint64_t>::max();

  // Opens (creating when allowed) the log stored in the folder `path`.
  static Status Open(const EventLogOptions& options, const std::string& path,
                     std::unique_ptr<EventLog>* log);

  virtual ~EventLog() = default;

  // Appends `events` to `stream` atomically: all or none. `idempotency_key` may be empty.
  virtual Status Append(const StreamId& stream, ExpectedVersion expected,
                        const std::vector<NewEvent>& events, const std::string& idempotency_key,
                        AppendResult* result) = 0;
  // Append, provided every condition holds as well: a condition that does not is
  // WrongExpectedVersion naming its stream, and nothing is written. A de-duplicated retry is
  // answered whatever the conditions say now.
  virtual Status AppendIf(const std::vector<AppendCondition>& conditions, const StreamId& stream,
                          ExpectedVersion expected, const std::vector<NewEvent>& events,
                          const std::string& idempotency_key, AppendResult* result) = 0;
  // Append without blocking: validates and encodes `events` before returning, then reports the
  // outcome to `done` (always on the completion thread, also for an append refused up front;
  // an empty `done` ignores the outcome).
  // Appends are ordered as if made in the order the AppendAsync calls returned. Lets a server
  // keep thousands of appends in flight without a thread for each while the WAL syncs.
  virtual void AppendAsync(const StreamId& stream, ExpectedVersion expected,
                           const std::vector<NewEvent>& events, const std::string& idempotency_key,
                           AppendCallback done) = 0;

  // Stream reads return NotFound when the stream has no event (as of the read's position); past
  // the end of an existing stream they return OK and no events.
  // Events of `stream` with version >= from_version, in ascending version order.
  virtual Status ReadStreamForward(const StreamId& stream, uint64_t from_version,
                                   const ReadOptions& options,
                                   std::vector<RecordedEvent>* events) = 0;
  // Events of `stream` with version <= from_version (kEndOfStream for the last), descending.
  virtual Status ReadStreamBackward(const StreamId& stream, uint64_t from_version,
                                    const ReadOptions& options,
                                    std::vector<RecordedEvent>* events) = 0;
  // The whole log ("$all") from global position `from_position` (inclusive), ascending.
  virtual Status ReadAll(uint64_t from_position, const ReadOptions& options,
                         std::vector<RecordedEvent>* events) = 0;
  // One tenant's events from global position `from_position` (inclusive), ascending.
  virtual Status ReadTenant(const std::string& tenant, uint64_t from_position,
                            const ReadOptions& options, std::vector<RecordedEvent>* events) = 0;
  // The event at a global position; NotFound past the end.
  virtual Status Get(uint64_t position, RecordedEvent* event) = 0;

  // The version of the stream's last event, 0 if it has none.
  virtual Status StreamHead(const StreamId& stream, uint64_t* version) = 0;
  // What the committed append that used `idempotency_key` in `tenant` wrote: its stream name in
  // `stream_name` and its versions and positions in `result` (flagged deduplicated). NotFound
  // if no committed append used the key. Lets a command retry be answered before its rules run.
  virtual Status FindIdempotentAppend(const std::string& tenant, const std::string& idempotency_key,
                                      std::string* stream_name, AppendResult* result) = 0;
  // The last committed global position, 0 for an empty log.
  virtual uint64_t LastPosition() const = 0;
  // The last position whose event was recorded at or before `recorded_at_us` (0 if none), so
  // ReadOptions::as_of_position can read the log as of a moment in time.
  virtual Status PositionAtTime(int64_t recorded_at_us, uint64_t* position) = 0;

  virtual Status Subscribe(const SubscriptionOptions& options,
                           std::unique_ptr<Subscription>* subscription) = 0;

  // Reads every block of the tables that hold the log's events (what RocksDB has written out
  // of its memtable; the memtable's part is checked as it is replayed at the open) and checks
  // it against its checksum: Corruption naming the damaged file. Reading only, about as long as
  // reading the events' stored bytes once. What a reader that must not stop half-way (a
  // rebuild, before it drops the views it replaces) asks first: RocksDB 7.8 may end a scan at
  // a damaged block without an error. A record whose block is whole but whose bytes are wrong
  // (written so) is found by reading it (ReadAll) or by VerifyEventLogFolder, not here.
  virtual Status CheckEventTables() = 0;
};

}  // namespace tandem
