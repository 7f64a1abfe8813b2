// The two places queries read from: the live views database, and views folded in memory.
#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <system_error>
#include <thread>
#include <unordered_set>

#include "memory_rows.h"
#include "tandem/basics/logger.h"
#include "tandem/projections/view_snapshots.h"
#include "tandem/projections/views.h"

namespace tandem {
namespace {

Status NotBuilt(const std::string& view) {
  return Status::NotFound("view.not_built",
                          "the view " + view + " has not been built yet (tandem rebuild)");
}

class LiveViewSource : public ViewSource {
 public:
  LiveViewSource(ViewStore* store, std::shared_ptr<const ViewSnapshot> snapshot)
      : store_(store), snapshot_(std::move(snapshot)) {}

  Status Reader(const std::string& view, const RowReader** reader) override {
    auto it = readers_.find(view);
    if (it == readers_.end()) {
      std::unique_ptr<ViewReader> r;
      ReaderOptions options;
      options.snapshot = snapshot_;
      Status s = store_->NewReader(view, options, &r);
      if (!s.ok()) return s;
      if (r->checkpoint().version == 0) return NotBuilt(view);
      std::vector<std::unique_ptr<Projection>> current;
      s = MakeProjections({view}, &current);
      if (!s.ok()) return s;
      switch (ServingOf(r->checkpoint(), current.front()->version())) {
        case ViewServing::kServed:
          break;
        case ViewServing::kNotBuilt:
          return NotBuilt(view);
        case ViewServing::kFoldingAgain:
          // Part-built, it would read as the project's state. No position in the message: a
          // log position counts every tenant's events.
          return Status::NotFound("view.not_built",
                                  "the view " + view + " is being folded again; try again");
        case ViewServing::kOtherVersion:
          // Never serve a view in the shape of another version (a runner rebuilds it on open).
          return Status::NotFound("view.not_built", "the view " + view +
                                                        " was built by another version; it is "
                                                        "rebuilt when the engine next opens it");
      }
      // A view readers check access in (the directory) is committed before the others in every
      // round, and every view is read as of one snapshot, but the directory may be behind them
      // all the same: folded again from the start after damage or a rebuild. Never pair a view
      // with a gate older than it: what was folded after a revocation would be read under the
      // old grant.
      const bool gate = current.front()->gates_reads();
      for (const auto& [name, other] : readers_) {
        const bool other_gate = gates_.count(name) > 0;
        if (gate && other_gate && other->checkpoint().position != r->checkpoint().position) {
          // The runner commits them in one write: apart, one could not fold (report links
          // failing while the directory goes on), and a link revoked since would be read with
          // the directory of after.
          return Status::NotFound("view.not_built", "the views " + name + " and " + view +
                                                        ", which decide who may read, are "
                                                        "being folded; try again");
        }
        if (gate == other_gate) continue;
        const uint64_t gated = gate ? other->checkpoint().position : r->checkpoint().position;
        const uint64_t gating = gate ? r->checkpoint().position : other->checkpoint().position;
        if (gated > gating) {
          return Status::NotFound("view.not_built",
                                  "the view " + (gate ? name : view) + " is ahead of " +
                                      (gate ? view : name) +
                                      ", which decides who may read it and is still being "
                                      "folded; try again");
        }
      }
      if (gate) gates_.insert(view);
      it = readers_.emplace(view, std::move(r)).first;
    }
    *reader = it->second.get();
    return Status::OK();
  }

  uint64_t Position() const override {
    uint64_t min = UINT64_MAX;
    for (const auto& [name, r] : readers_) min = std::min(min, r->checkpoint().position);
    return readers_.empty() ? 0 : min;
  }
  bool as_of() const override { return false; }

 private:
  ViewStore* store_;
  std::shared_ptr<const ViewSnapshot> snapshot_;  // every view of the query as of one moment
  std::map<std::string, std::unique_ptr<ViewReader>> readers_;
  std::set<std::string> gates_;  // the readers of views that gate reads (Projection::gates_reads)
};

// A views snapshot an as-of fold starts from: the copy open read-only, and a reader of each view
// the fold needs, at the checkpoint the copy holds.
struct SnapshotBase {
  uint64_t position = 0;
  std::unique_ptr<ViewStore> store;
  std::map<std::string, std::unique_ptr<ViewReader>> readers;  // destroyed before the store
};

class MemoryViewSource : public ViewSource {
 public:
  // Every view folded (Fold) must be made first with Touch.
  MemoryViewSource(uint64_t position, std::unique_ptr<SnapshotBase> base)
      : position_(position), base_(std::move(base)) {}

  Status Reader(const std::string& view, const RowReader** reader) override {
    auto it = views_.find(view);
    if (it == views_.end()) return NotBuilt(view);
    *reader = &it->second.rows;
    return Status::OK();
  }
  uint64_t Position() const override { return position_; }
  bool as_of() const override { return true; }
  uint64_t folded_from() const override { return base_ != nullptr ? base_->position : 0; }

  // The first position any view needs folded.
  uint64_t start() const {
    uint64_t start = UINT64_MAX;
    for (const auto& [name, view] : views_) start = std::min(start, view.folded + 1);
    return views_.empty() ? 1 : start;
  }

  Status Fold(std::vector<std::unique_ptr<Projection>>* projections,
              const std::vector<RecordedEvent>& events) {
    for (auto& p : *projections) {
      View& view = views_.at(std::string(p->name()));
      for (const RecordedEvent& e : events) {
        if (e.global_position() <= view.folded) continue;  // in the snapshot already
        Status s = p->Apply(e.event(), &view.rows);
        if (!s.ok()) return s;
      }
      Status s = p->Flush(&view.rows);
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  void Touch(const std::vector<std::unique_ptr<Projection>>& projections) {
    for (const auto& p : projections) {
      const std::string name(p->name());
      const ViewReader* base = base_ != nullptr ? base_->readers.at(name).get() : nullptr;
      views_.try_emplace(name, base);
    }
  }

 private:
  struct View {
    explicit View(const ViewReader* base)
        : rows(base), folded(base != nullptr ? base->checkpoint().position : 0) {}
    MemoryRows rows;
    uint64_t folded;  // the snapshot holds the events up to here
  };

  uint64_t position_;
  std::unique_ptr<SnapshotBase> base_;  // outlives the rows read through it
  std::map<std::string, View> views_;
};

// Whether an as-of fold of `scope` may start from a snapshot: one that holds every project
// of the scope's tenants, for the operator or the firm (see AsOfScope::snapshots).
bool SpansEveryProject(const AsOfScope& scope) {
  return scope.project.empty() && !scope.client_side &&
         (!scope.projects.has_value() || scope.projects_are_all);
}

// The snapshot in `scope.snapshots` that serves the fold of `versions`' views as of the scope's
// position with the fewest events left to fold, open; NotFound when none does.
Status OpenSnapshotBase(EventLog* log, const AsOfScope& scope,
                        const std::map<std::string, uint32_t>& versions,
                        std::unique_ptr<SnapshotBase>* base) {
  std::vector<ViewSnapshotManifest> snapshots;
  Status s = ListViewSnapshots(scope.snapshots, &snapshots);
  if (!s.ok()) return s;
  std::vector<std::string> views;
  for (const auto& [name, version] : versions) views.push_back(name);
  // Those that serve, the fewest events to fold after them first (then the newest: its views
  // ahead of the lowest fold less).
  std::erase_if(snapshots, [&](const ViewSnapshotManifest& m) {
    return !SnapshotServes(m, views, versions, scope.position) || !SnapshotOfLog(m, log);
  });
  std::reverse(snapshots.begin(), snapshots.end());
  std::stable_sort(snapshots.begin(), snapshots.end(), [&](const auto& a, const auto& b) {
    return LowestCheckpoint(a, views) > LowestCheckpoint(b, views);
  });
  int opened = 0;  // a few at most: each open costs milliseconds
  for (auto it = snapshots.begin(); it != snapshots.end() && opened < 3; ++it) {
    ++opened;
    auto b = std::make_unique<SnapshotBase>();
    b->position = it->position;
    ViewStoreOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    options.low_priority_compactions = false;
    s = ViewStore::Open(options, ViewSnapshotFolder(scope.snapshots, it->position), &b->store);
    for (const std::string& view : views) {
      std::unique_ptr<ViewReader> reader;
      if (s.ok()) s = b->store->NewReader(view, &reader);
      // The copy must hold what its manifest says.
      const ViewCheckpoint& listed = it->views.at(view);
      if (s.ok() && (reader->checkpoint().position != listed.position ||
                     reader->checkpoint().version != listed.version)) {
        s = Status::Corruption("the snapshot's " + view + " is not at its manifest's checkpoint");
      }
      if (s.ok()) b->readers.emplace(view, std::move(reader));
    }
    // Every table read whole before any row is: a damaged block found only by the query's scan
    // would fail a read the log answers, or (RocksDB 7.8, view_store.h) end the scan early as
    // if the rows after it did not exist.
    if (s.ok()) s = b->store->VerifyChecksums();
    if (s.ok()) {
      *base = std::move(b);
      return Status::OK();
    }
    LogWarn("views", "snapshot " + std::to_string(it->position) + " unusable: " + s.ToString());
  }
  return Status::NotFound("no snapshot serves the read");
}

// Appends versions [first, last] of a stream as of the position to `out`, in pages; NotFound
// (no events yet) is an empty stream.
Status ReadStreamRange(EventLog* log, const StreamId& stream, uint64_t first, uint64_t last,
                       uint64_t position, std::vector<RecordedEvent>* out) {
  ReadOptions options;
  options.as_of_position = position;
  std::vector<RecordedEvent> page;
  for (uint64_t next = first; next <= last;) {
    options.max_count = std::min<uint64_t>(1000, last - next + 1);
    Status s = log->ReadStreamForward(stream, next, options, &page);
    if (s.IsNotFound()) return Status::OK();
    if (!s.ok()) return s;
    if (page.empty()) return Status::OK();
    next = page.back().stream_version() + 1;
    for (RecordedEvent& e : page) out->push_back(std::move(e));
  }
  return Status::OK();
}

// Reads a stream up to the position. A long one is read in two halves at once: an as-of read
// spends most of its time reading and decompressing the log's blocks (each event of a project
// lies in a block of other projects' events), and the halves need no order between them.
Status ReadStreamUpTo(EventLog* log, const StreamId& stream, uint64_t position,
                      std::vector<RecordedEvent>* out) {
  constexpr uint64_t kSplitFrom = 256;  // events; below, a thread costs more than it saves
  ReadOptions options;
  options.as_of_position = position;
  options.max_count = 1;
  std::vector<RecordedEvent> head;
  Status s = log->ReadStreamBackward(stream, EventLog::kEndOfStream, options, &head);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok() || head.empty()) return s;
  const uint64_t last = head.front().stream_version();
  if (last < kSplitFrom) return ReadStreamRange(log, stream, 1, last, position, out);
  const uint64_t middle = last / 2;
  std::vector<RecordedEvent> second;
  Status second_status;
  std::jthread helper;  // joined before anything it writes is read, even if this half throws
  try {
    helper = std::jthread([&] {
      try {
        second_status = ReadStreamRange(log, stream, middle + 1, last, position, &second);
      } catch (const std::exception& e) {  // out of memory: an error, not a terminated process
        second_status = Status::IOError(std::string("reading a stream: ") + e.what());
      }
    });
  } catch (const std::system_error&) {  // no thread to be had: read it here
    return ReadStreamRange(log, stream, 1, last, position, out);
  }
  s = ReadStreamRange(log, stream, 1, middle, position, out);
  helper.join();
  if (s.ok()) s = second_status;
  if (!s.ok()) return s;
  out->insert(out->end(), std::make_move_iterator(second.begin()),
              std::make_move_iterator(second.end()));
  return Status::OK();
}

}  // namespace

ViewServing ServingOf(const ViewCheckpoint& c, uint32_t version) {
  if (c.version == 0) return ViewServing::kNotBuilt;
  if (c.position < c.ready_at) return ViewServing::kFoldingAgain;
  if (c.version != version) return ViewServing::kOtherVersion;
  return ViewServing::kServed;
}

const char* ViewServingName(ViewServing serving) {
  switch (serving) {
    case ViewServing::kServed:
      return "yes";
    case ViewServing::kNotBuilt:
      return "not_built";
    case ViewServing::kFoldingAgain:
      return "folding_again";
    case ViewServing::kOtherVersion:
      return "other_version";
  }
  return "unknown";
}

Status OpenLiveViewSource(ViewStore* store, std::unique_ptr<ViewSource>* source) {
  std::shared_ptr<const ViewSnapshot> snapshot;
  Status s = store->NewSnapshot(&snapshot);
  if (!s.ok()) return s;
  *source = std::make_unique<LiveViewSource>(store, std::move(snapshot));
  return Status::OK();
}

// Folds the events of `streams` up to `position` in global order, a page of each stream at a
// time: memory is bounded by the pages (about 64k events in all), not by the streams' length.
Status FoldStreamsInOrder(EventLog* log, const std::vector<StreamId>& streams, uint64_t position,
                          std::vector<std::unique_ptr<Projection>>* projections,
                          MemoryViewSource* memory) {
  struct Cursor {
    StreamId stream;
    uint64_t next = 1;  // the next stream version to read
    std::vector<RecordedEvent> page;
    size_t at = 0;
  };
  ReadOptions options;
  options.as_of_position = position;
  options.max_count = std::clamp<size_t>(65536 / std::max<size_t>(1, streams.size()), 16, 1000);
  std::vector<Cursor> cursors(streams.size());
  auto refill = [&](Cursor& c) {
    c.page.clear();
    c.at = 0;
    Status s = log->ReadStreamForward(c.stream, c.next, options, &c.page);
    if (!c.page.empty()) c.next = c.page.back().stream_version() + 1;
    return s.IsNotFound() ? Status::OK() : s;  // a project with no event up to the position
  };
  auto later = [&](size_t a, size_t b) {
    return cursors[a].page[cursors[a].at].global_position() >
           cursors[b].page[cursors[b].at].global_position();
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heads(later);
  for (size_t i = 0; i < streams.size(); ++i) {
    cursors[i].stream = streams[i];
    Status s = refill(cursors[i]);
    if (!s.ok()) return s;
    if (!cursors[i].page.empty()) heads.push(i);
  }
  std::vector<RecordedEvent> batch;
  while (!heads.empty()) {
    const size_t i = heads.top();
    heads.pop();
    Cursor& c = cursors[i];
    batch.push_back(std::move(c.page[c.at++]));
    // Until a read comes back empty: the log reports damage past a short page there.
    if (c.at == c.page.size()) {
      Status s = refill(c);
      if (!s.ok()) return s;
    }
    if (c.at < c.page.size()) heads.push(i);
    if (batch.size() == 1000 || heads.empty()) {
      Status s = memory->Fold(projections, batch);
      if (!s.ok()) return s;
      batch.clear();
    }
  }
  return Status::OK();
}

// FoldAsOf from the log's beginning, or from `base` on.
Status FoldAsOfFrom(EventLog* log, const AsOfScope& scope, std::unique_ptr<SnapshotBase> base,
                    std::unique_ptr<ViewSource>* source) {
  std::vector<std::unique_ptr<Projection>> projections;
  Status s = MakeProjections(scope.views, &projections);
  if (!s.ok()) return s;
  auto memory = std::make_unique<MemoryViewSource>(scope.position, std::move(base));
  memory->Touch(projections);
  ReadOptions options;
  options.as_of_position = scope.position;
  std::vector<RecordedEvent> events;
  if (!scope.project.empty()) {
    // A project's views need only its stream and its workspace's (who is who), merged in
    // global order: cheap whatever the rest of the log holds.
    s = ReadStreamUpTo(log, {scope.tenant, "workspace"}, scope.position, &events);
    std::vector<RecordedEvent> project;
    if (s.ok())
      s = ReadStreamUpTo(log, {scope.tenant, "project:" + scope.project}, scope.position, &project);
    if (!s.ok()) return s;
    std::vector<RecordedEvent> merged;
    merged.reserve(events.size() + project.size());
    std::merge(std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()),
               std::make_move_iterator(project.begin()), std::make_move_iterator(project.end()),
               std::back_inserter(merged), [](const RecordedEvent& a, const RecordedEvent& b) {
                 return a.global_position() < b.global_position();
               });
    s = memory->Fold(&projections, merged);
  } else if (scope.projects.has_value() && !scope.projects_are_all) {
    std::vector<StreamId> streams{{scope.tenant, "workspace"}};
    for (const std::string& project : *scope.projects) {
      streams.push_back({scope.tenant, "project:" + project});
    }
    s = FoldStreamsInOrder(log, streams, scope.position, &projections, memory.get());
  } else {
    // The whole log, the tenant's events, or (every project in scope) those of the workspace
    // and the projects in scope, read in one sweep: each stream read apart costs a point read
    // an event and a merge.
    std::vector<std::string> names;
    if (scope.projects.has_value()) {
      names.push_back("workspace");
      for (const std::string& project : *scope.projects) names.push_back("project:" + project);
    }
    const std::unordered_set<std::string_view> streams(names.begin(), names.end());
    auto outside = [&](const RecordedEvent& e) {
      const flatbuffers::String* tenant = e.event().tenant();
      const flatbuffers::String* stream = e.event().stream_id();
      return tenant == nullptr || tenant->string_view() != scope.tenant || stream == nullptr ||
             !streams.count(stream->string_view());
    };
    uint64_t next = memory->start();
    std::vector<RecordedEvent> page;
    while (s.ok() && next <= scope.position) {
      s = scope.tenant.empty() ? log->ReadAll(next, options, &page)
                               : log->ReadTenant(scope.tenant, next, options, &page);
      if (!s.ok() || page.empty()) break;
      next = page.back().global_position() + 1;
      if (scope.projects.has_value()) std::erase_if(page, outside);
      s = memory->Fold(&projections, page);
    }
  }
  if (s.ok()) *source = std::move(memory);
  return s;
}

Status FoldAsOf(EventLog* log, const AsOfScope& scope, std::unique_ptr<ViewSource>* source) {
  if (scope.position == 0 || scope.position > log->LastPosition()) {
    return Status::InvalidArgument(
        "view.position_out_of_range",
        "as-of position " + std::to_string(scope.position) + " is not in the log");
  }
  std::unique_ptr<SnapshotBase> base;
  if (!scope.snapshots.empty() && SpansEveryProject(scope)) {
    std::vector<std::unique_ptr<Projection>> projections;
    Status s = MakeProjections(scope.views, &projections);
    if (!s.ok()) return s;
    std::map<std::string, uint32_t> versions;
    for (const auto& p : projections) versions.emplace(std::string(p->name()), p->version());
    s = OpenSnapshotBase(log, scope, versions, &base);
    if (!s.ok() && !s.IsNotFound()) LogWarn("views", "snapshots not read: " + s.ToString());
  }
  if (base != nullptr) {
    const uint64_t from = base->position;
    Status s = FoldAsOfFrom(log, scope, std::move(base), source);
    if (s.ok()) return s;
    LogWarn("views", "folding from the log's beginning instead of snapshot " +
                         std::to_string(from) + ": " + s.ToString());
  }
  return FoldAsOfFrom(log, scope, nullptr, source);
}

}  // namespace tandem
