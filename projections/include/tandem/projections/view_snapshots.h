// View snapshots: copies of the views database as it stood at points of the log, so that a read
// of the past folds forward from the newest copy before its moment instead of from the log's
// beginning (FoldAsOf, AsOfScope::snapshots): its cost is then bounded by the events between
// snapshots, not by the history.
//
// Contract:
//  - A snapshot is a folder `<dir>/<position>` (20 digits) holding a copy of the views database
//    (ViewStore::CopyTo) and a manifest of its views' checkpoints; every view in it stands at or
//    before `position` (the highest of its checkpoints). It is taken in `<dir>/taking` and
//    renamed when whole: a crash leaves no folder with a position's name half-written, and the
//    next snapshot taken removes what a crash left.
//  - A read uses a snapshot only if every view it needs is there, folded by the projection's
//    current version, and at or before the moment read (a view being folded again from the
//    start holds exactly the events up to its checkpoint: a fold of the past all the same); of
//    those, the one whose views need the fewest events folded after it, or none. A snapshot
//    never changes what a read of the past answers, only its cost.
//  - At most `keep` snapshots are kept: the newest always, the others thinned so that they stay
//    spread over the history (the one whose removal leaves the smallest gap goes first). Each
//    holds the views' table files of its moment alive: about the views' size each, less what
//    the snapshots share.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tandem/basics/status.h"
#include "tandem/log/event_log.h"
#include "tandem/projections/view_store.h"

namespace tandem {

struct ViewSnapshotOptions {
  std::string dir;  // e.g. <data>/views-snapshots
  // A snapshot is due once the views have folded this many events past the newest snapshot
  // that is still of use (of the current versions). 0: none is taken.
  uint64_t every_events = 100000;
  size_t keep = 8;  // at least 1
};

// What a snapshot holds: its views' checkpoints, by view, and the SHA-256 of the log's record at
// its position (the event with its position and the time the log recorded it), which ties it to
// the log it was folded from: a log restored from an older copy and appended to again holds
// other records at the same positions, even where an event is appended again with its old id.
struct ViewSnapshotManifest {
  uint64_t position = 0;
  std::string record_sha256;
  std::map<std::string, ViewCheckpoint> views;
};

// The lowest checkpoint of the snapshot's views among `views` (all when empty): where a fold of
// them from the snapshot starts.
uint64_t LowestCheckpoint(const ViewSnapshotManifest& snapshot,
                          const std::vector<std::string>& views = {});

// Takes a snapshot of `store`, whose views are folded from `log`, and thins the snapshots to
// `options.keep` (those of other versions go first). `*taken` is what the new snapshot holds
// (position 0 when no view is built yet: nothing is taken). A snapshot already at that position
// is replaced.
Status TakeViewSnapshot(ViewStore* store, EventLog* log, const ViewSnapshotOptions& options,
                        ViewSnapshotManifest* taken);

// Whether the snapshot was folded from `log`: the log holds the record it names at its position.
bool SnapshotOfLog(const ViewSnapshotManifest& snapshot, EventLog* log);

// The snapshots in `dir` whose manifests read, ascending by position (none when the folder does
// not exist). Folders of other names are not snapshots and are left alone.
Status ListViewSnapshots(const std::string& dir, std::vector<ViewSnapshotManifest>* snapshots);

// The folder of the snapshot at `position` in `dir`.
std::string ViewSnapshotFolder(const std::string& dir, uint64_t position);

// Which of the positions (ascending, distinct) to remove so that `keep` remain.
std::vector<uint64_t> SnapshotsToThin(const std::vector<uint64_t>& positions, size_t keep);

// Removes the snapshots not folded from `log` (SnapshotOfLog): taken of a log since replaced by
// an older copy, they would answer for events that are not the log's. Folders named as a
// snapshot whose manifest does not read go too.
Status RemoveViewSnapshotsOfAnotherLog(const std::string& dir, EventLog* log);

// Removes every snapshot: before a rebuild, which replaces the views they are copies of (views
// that were wrong, or are about to be of another version). OK when `dir` is not a folder.
Status RemoveViewSnapshots(const std::string& dir);

// Whether the snapshot can stand in for the fold from the start of `views` (all of them built by
// `versions`, by view name) as of `position`.
bool SnapshotServes(const ViewSnapshotManifest& snapshot, const std::vector<std::string>& views,
                    const std::map<std::string, uint32_t>& versions, uint64_t position);

// The current version of every stored view, by name.
std::map<std::string, uint32_t> CurrentViewVersions();

// Takes snapshots while a runner folds the log into `store`, one each time the views have folded
// `every_events` past the lowest view of the newest snapshot of use. Either on a thread of its
// own, which every quarter of a second asks `position` (the position every view has folded,
// e.g. ProjectionRunner::Position) and never holds a round back (a snapshot waits for the
// views' memtables to be flushed, which RocksDB does beside the folds), but may find the views
// a round apart (a catch-up commits them one by one); or, without `position`, where a catch-up's
// rounds end (AtRoundEnd from ProjectionRunnerOptions::on_advance, on the folding thread): every
// view then stands at the same position, and the round waits for the copy (a catch-up's rounds
// are ingested as tables, so the flush is short). A snapshot that fails is logged and tried
// again later (a minute, or `every_events`).
class ViewSnapshotter {
 public:
  // `store` and `log` must outlive the snapshotter. Removes the snapshots of another log first.
  // InvalidArgument (view.snapshot_every) when `every_events` is 0.
  static Status Start(const ViewSnapshotOptions& options, ViewStore* store, EventLog* log,
                      std::function<uint64_t()> position,
                      std::unique_ptr<ViewSnapshotter>* snapshotter);
  virtual ~ViewSnapshotter() = default;  // stops, waiting for a snapshot in progress
  // Every view has folded `position` (without `position` given to Start; else nothing).
  virtual void AtRoundEnd(uint64_t position) = 0;
  // Snapshots taken since Start.
  virtual uint64_t taken() const = 0;
};

}  // namespace tandem
