// The fold side of a Kafka-fed projection worker: records of the events topic in, batches of
// view rows committed together with the consumed source offsets out. Knows nothing of
// librdkafka (the consumer hands it records and asks where to seek); internal to the module.
//
// Contract:
//  - Per partition, the view holds exactly the records before the stored next offset: a batch's
//    rows, offsets and checkpoint go in one ViewStore commit, and a batch that could not be
//    committed is forgotten (rows in the fold's memory too) and read again from the offsets.
//  - A record is folded only when its position header parses, its value passes the FlatBuffers
//    verifier and carries that same position, and the position is above the last one folded
//    from its partition. Every record, folded or skipped, advances its partition's offset.
//  - Load drops a stored view that cannot be resumed from: of another projection version, with
//    a damaged checkpoint or offset, folded from the log (a checkpoint but no offsets), or fed
//    from another topic. Its offsets go with it, so it is folded again from the beginning.
//  - A view folded from the beginning (dropped, never built, or a fold a process was killed
//    in) is not served (its checkpoint carries ViewCheckpoint::kReadyWhenCaughtUp) until each
//    partition assigned to it has reached its end (the consumer's end-of-partition, ReachedEnd):
//    a reader would otherwise take a timeline without its later milestones for the project's
//    state. So is a view assigned a partition it never read or left before reaching its end,
//    until that partition reaches it. An end reached is stored as the partition's offset (an
//    empty partition too), so a restart does not count it as never read; a partition read in
//    part by a fold from the beginning is stored unfinished (SourceOffset::unfinished), so a
//    restart still waits for it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/basics/status.h"
#include "tandem/projections/projection.h"
#include "tandem/projections/view_store.h"

namespace tandem::kafka {

struct WorkerRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view value;
  std::optional<std::string_view> position_header;  // tandem.global_position, when present
};

enum class RecordOutcome {
  kFolded,
  kNoPosition,    // position header missing or not a number
  kUnverifiable,  // value fails the verifier, or carries another position than its header
  kDuplicate,     // at or below the last position folded from its partition
};
const char* RecordOutcomeName(RecordOutcome outcome);

class WorkerFold {
 public:
  WorkerFold(std::unique_ptr<Projection> projection, ViewStore* store, std::string topic);

  Status Load();
  // Where to start reading `partition`: its stored next offset, or -1 when never consumed.
  int64_t NextOffset(int32_t partition) const;
  // Takes one record into the batch in progress. Fails only when the fold itself fails (its
  // rows unreadable); the caller then forgets the batch.
  // `*unread` (when given) receives how many offsets of the partition lie between the last
  // one read (or its start) and this record's: records the topic no longer held.
  Status Offer(const WorkerRecord& record, RecordOutcome* outcome, int64_t* unread = nullptr);
  // Records (and ends reached) offered since the last commit.
  size_t pending_records() const { return pending_records_; }
  // Commits the batch in progress (nothing when empty); forgets it when the commit fails. When
  // given, `advanced` receives the offsets of the partitions the commit advanced.
  Status Commit(std::vector<SourceOffset>* advanced = nullptr);
  void Forget();
  // Drops the view with its offsets, e.g. when its rows turned out damaged.
  Status DropView();

  // Readiness (the contract's last point): the partitions assigned and revoked, and the end of
  // a partition reached at `offset` (the next one to read), taken into the batch in progress
  // like a record. `*unread` as for Offer: records the topic no longer held.
  void Assigned(int32_t partition);
  void Revoked(int32_t partition);
  void ReachedEnd(int32_t partition, int64_t offset, int64_t* unread = nullptr);
  // Whether the view, as committed, is served.
  bool ready() const { return ready_; }

  const std::string& view() const { return view_; }
  uint32_t version() const { return projection_->version(); }
  // The highest global position folded (committed), for display.
  uint64_t position() const { return position_; }

 private:
  SourceOffset& State(int32_t partition);
  // Whether the view is served once the batch in progress is committed.
  bool ServedAfterCommit() const;
  // A view whose wait ended without a record to commit (the last partition waited for revoked,
  // partitions read to their end assigned) still needs the commit that serves it.
  void ServeWhenCommitted();

  std::unique_ptr<Projection> projection_;
  ViewStore* store_;
  std::string topic_;
  std::string view_;
  std::map<int32_t, SourceOffset> committed_;
  std::map<int32_t, SourceOffset> pending_;  // partitions the batch in progress advanced
  std::unique_ptr<ViewBatch> batch_;
  size_t pending_records_ = 0;
  uint64_t position_ = 0;
  uint64_t pending_position_ = 0;
  bool ready_ = false;
  bool whole_fold_ = false;  // folding from the beginning: every partition is waited for
  std::set<int32_t> assigned_;
  std::set<int32_t> waiting_;     // assigned, and to reach their ends before it is served
  std::set<int32_t> unfinished_;  // revoked before reaching their ends (waited for if back)
  std::set<int32_t> reached_;     // ends reached in the batch in progress
};

}  // namespace tandem::kafka
