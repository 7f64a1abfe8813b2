// The views Tandem keeps and how people read them.
//
// Views (what `tandem view NAME` serves):
//   client-timeline    a project's milestones as its client sees them        (--project)
//   internal-timeline  the same with internal threads, files and requests    (--project)
//   action-items       what the member must do now, with urgency             (--member)
//   feed               a project's client-visible events as lines, paginated (--project)
//   board              a board's columns and cards, or the list of boards    (--project [--board])
//   threads            threads with a page of their comments and replies     (--project [--thread])
//   files              files with every version                              (--project)
// Each is stored by a projection (MakeProjections); some views are stored twice, once curated
// for clients and once for the firm, and the asker decides which one is read.
//
// Access: a request naming a member (`asker`) is served only what that member may see, and a
// view it may not see is refused exactly like a missing one (NotFound, reason view.not_found).
// A request naming no member is the operator's (the CLI on the data folder); `client` then asks
// for the view as that client sees it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tandem/basics/status.h"
#include "tandem/log/event_log.h"
#include "tandem/projections/projection.h"
#include "tandem/projections/view_store.h"

namespace tandem {

struct ProjectionOptions {
  // The memory that the projections made by one MakeProjections call may keep of their decoded
  // rows between batches, all together: each call (a runner, an as-of fold, a Kafka worker) has
  // a budget of its own. An estimate that runs low, by 10-45% for most rows and up to 3.5x for
  // rows that are maps of many small entries (allocator overhead is not counted). Past it, a view
  // forgets at its next flush the rows its batch did not use; the rows of the batch being folded
  // and of the last one are kept whatever this says, so 0 keeps only those. More rows kept means
  // fewer reads of the views database while following the log live; a rebuild's rounds of 200,000
  // events touch most of their rows anyway. Values above INT64_MAX count as INT64_MAX.
  size_t row_cache_bytes = size_t{256} << 20;
};

// Fresh projections for the named stored views (all of them when `names` is empty), sharing one
// row-cache budget. InvalidArgument (view.unknown) for a name that is not a stored view.
Status MakeProjections(const std::vector<std::string>& names,
                       std::vector<std::unique_ptr<Projection>>* projections,
                       const ProjectionOptions& options = ProjectionOptions());
// Every stored view's name, the directory first.
std::vector<std::string> StoredViewNames();
// Every view a reader may ask for (client-timeline, ...).
std::vector<std::string> ReadableViewNames();
// The stored views `names` name, each once, the directory first: a stored view by its own name,
// or the stored views a readable view shows (board: client-board and internal-board; feed:
// client-feed), so that `tandem rebuild` and `tandem view-hash` take the names `tandem view`
// takes. InvalidArgument (view.unknown, listing the names known) for any other name.
Status StoredViewsNamed(const std::vector<std::string>& names, std::vector<std::string>* stored);

// Where a query reads rows: the live views database, or views folded in memory as of a
// position of the log.
class ViewSource {
 public:
  virtual ~ViewSource() = default;
  // The rows of a stored view. NotFound (view.not_built) when the view was never built.
  virtual Status Reader(const std::string& view, const RowReader** reader) = 0;
  // The log position the rows reflect (the lowest checkpoint among the views read).
  virtual uint64_t Position() const = 0;
  // Whether the rows are the past (an as-of fold) rather than the views as they stand: a named
  // member's read of the past must then be gated by the live views (ViewRequest::live), and a
  // report link, which lives and dies in the present, is not read from it.
  virtual bool as_of() const = 0;
  // For an as-of fold: the position of the views snapshot it started from (AsOfScope::snapshots),
  // 0 when it folded from the log's beginning.
  virtual uint64_t folded_from() const { return 0; }
};

// The stored views as of this call: every view the source reads is read as of the same moment
// of the views database, so a query reads the directory and the views it gates as they stood
// then, while a runner goes on committing beside it (a view dropped since, for a rebuild, reads
// as not built). A runner commits a round view by view, so two views may be a round apart; the
// directory, committed first, is never behind. Open a source per query; a source is not
// thread-safe, and must be destroyed before the store (its readers hold the store's views).
Status OpenLiveViewSource(ViewStore* store, std::unique_ptr<ViewSource>* source);

// Whether a live source serves a view stored with checkpoint `c` while its projection is at
// `version`: never built, being folded again from the start (part-built), built by another
// version, or served. For display as well as for the source itself.
enum class ViewServing { kServed, kNotBuilt, kFoldingAgain, kOtherVersion };
ViewServing ServingOf(const ViewCheckpoint& c, uint32_t version);
// "yes", "not_built", "folding_again", "other_version".
const char* ViewServingName(ViewServing serving);

struct AsOfScope {
  std::string tenant;   // empty: the whole log
  std::string project;  // set: only the workspace stream and this project's stream
  // Set (and no `project`): only the workspace stream and these projects' streams. A member's
  // read of the past that spans projects (reports, action items) folds the projects the member
  // sees now and nothing else: its time then does not follow how much other clients did on
  // their projects (the workspace stream, every client's members, is still folded whole).
  std::optional<std::vector<std::string>> projects;
  // With `projects`: they are every project of the tenant (the member sees them all now). The
  // tenant's events are then read in one sweep, those of other streams skipped: the same events
  // as reading each stream and merging them (a point read an event and a heap merge, 30% slower
  // for the benchmark's 2,000 projects), and the sweep's time tells the member of nothing it
  // does not see.
  bool projects_are_all = false;
  // The asker is a client's member: its read never starts from a snapshot (see `snapshots`),
  // even when its client has every project of the tenant.
  bool client_side = false;
  uint64_t position = 0;
  std::vector<std::string> views;  // stored views to fold (all when empty)
  // A folder of views snapshots (view_snapshots.h), or empty. A fold spanning the whole log, a
  // tenant, or every project of one (projects_are_all: the firm's owner, auditors, managers of
  // every project) starts from the snapshot that serves it with the fewest events left to fold,
  // when there is one, instead of the log's beginning: the same rows, and a cost bounded by the
  // events since the snapshot. Reads of one project fold its own streams, cheap already. Reads
  // of a client's member never do: they fold its projects' streams alone (folding forward from a
  // snapshot would read the tenant's other events since), and the time of a read from a
  // snapshot would tell a client how busy the log as a whole was (below). (Snapshots
  // are taken as every tenant's events add up, so the time such a read takes falls where one
  // was taken: a firm member timing many reads of the past could tell, to within the events
  // between snapshots, how busy the log as a whole was; docs/as-of-snapshots.md.)
  std::string snapshots;
};
// Folds, in memory, the events in `scope` up to `scope.position` with fresh projections. A
// snapshot that turns out unreadable part-way is given up for the fold from the beginning.
Status FoldAsOf(EventLog* log, const AsOfScope& scope, std::unique_ptr<ViewSource>* source);

enum class ViewFormat { kJson, kCsv };

struct ViewRequest {
  std::string view;
  std::string workspace;
  std::string project;
  std::string board;
  std::string client;
  std::string member;  // the asker; empty for the operator
  std::string thread;
  uint64_t limit = 50;  // paginated views (feed; threads: comments per thread)
  uint64_t offset = 0;
  // The day urgency is judged against (action-items), as an ISO date: the CLI passes the current
  // UTC date, or the date of the as-of moment for an as-of read (IsoDateOf in
  // tandem/basics/calendar.h). Empty: the current UTC date.
  // Views never store anything that depends on it.
  std::string today;
  ViewFormat format = ViewFormat::kJson;
  // The read is as of a log position the caller named. Refused to every named member
  // (view.position_not_allowed): a position counts every tenant's events, so stepping through
  // positions would tell a member how busy other tenants are and where its own events fall
  // among theirs; members read as of a time instead. Only the operator names positions.
  bool as_of_named_position = false;
  // For a read of the past (`source` an as-of fold) by a named member: the live views, where
  // the member's standing now is decided. Current standing gates history: a member no longer
  // active reads nothing of the past either, and a project it no longer sees is hidden as of
  // any moment; what the past shows is then limited to what the member could see then. Null
  // for a live read; a member's read of the past without it is refused (InvalidArgument,
  // view.standing_unknown), never served ungated. Call CheckStandingNow first, before
  // anything of the past is looked at. Only the live directory is read for it.
  ViewSource* live = nullptr;
};

// Before a named member's read of the past: whether the member may ask at all, decided from
// the live views alone, so that no range check of a position and no fold answers someone who
// may not. The member must be active now (else view.unknown_member, as a live read answers),
// may not name a log position (view.position_not_allowed, whatever the position), and must see
// the requested project now (else view.not_found). OK for the operator.
Status CheckStandingNow(const ViewRequest& request, ViewSource* live);

// The answer (NotFound, view.unknown_member) for a named member who is not an active member of
// the workspace; alike for a workspace that does not exist when a member is named (whoever
// names a member learns nothing of which other workspaces exist), and for a read of a moment
// before anything was recorded (nobody was a member then).
Status UnknownMember(const std::string& workspace, const std::string& member);

// What FoldAsOf must fold to answer `request` as of `position`: the stored views it reads, its
// workspace, and only the project's streams when the view is one project's (so an as-of read
// answers exactly what the live read would have then).
Status AsOfScopeFor(const ViewRequest& request, uint64_t position, AsOfScope* scope);

// The stored views a request reads (for FoldAsOf), or InvalidArgument (view.unknown).
Status ViewsNeeded(const std::string& view, std::vector<std::string>* stored);

// Renders the requested view. Errors: InvalidArgument (view.unknown, view.missing_option),
// NotFound (view.not_found, view.unknown_member, view.unknown_workspace: only when no member
// is named).
Status ReadView(const ViewRequest& request, ViewSource* source, std::string* out);

// SHA-256 (hex) of a canonical serialisation of a stored view: every row, key and value,
// in key order. A live view, a rebuild and an as-of fold to the same position hash alike.
Status HashView(ViewSource* source, const std::string& view, std::string* hex);

}  // namespace tandem
