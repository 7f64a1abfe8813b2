// Opening the views for the CLI's view verbs: the log in --data read-only, the views database
// beside it (<data>/views), and a runner that folds what the log holds into the views first.
//
// When another process (a running `tandem serve`) holds the views database, it is opened
// read-only and served as that process keeps it: nothing is folded here.
#pragma once

#include <memory>

#include "cli_options.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/view_snapshots.h"
#include "tandem/projections/view_store.h"
#include "tandem/projections/views.h"

namespace tandem::cli {

struct ViewEngine {
  std::unique_ptr<EventLog> log;
  std::unique_ptr<ViewStore> store;
  std::unique_ptr<ProjectionRunner> runner;  // null when the views are held by another process
  // When set, told where each of the runner's rounds ends (ViewSnapshotter::AtRoundEnd).
  std::unique_ptr<ViewSnapshotter> snapshotter;  // destroyed first
};

enum class ViewProgress {
  // Nothing at all: the reader is a member or a link holder. How many events the views fold
  // before answering counts every tenant's events, the log's head among them.
  kNone,
  kQuiet,   // nothing, unless stderr is a terminal and folding takes a while
  kAlways,  // a live line on a terminal, otherwise one log line per 10%
};

std::string ViewsDir(const po::variables_map& vm);
// Where the views' snapshots are kept (<data>/views-snapshots), which reads of the past spanning
// every project start from (AsOfScope::snapshots).
std::string ViewSnapshotsDir(const po::variables_map& vm);

// --views-snapshot-every and --views-snapshots-kept, for the verbs that fold the views live or
// again (serve, rebuild).
void AddSnapshotOptions(po::options_description* desc);
// Prints the error and returns false (a usage error) when they are not valid.
bool CheckSnapshotOptions(const po::variables_map& vm, const char* verb);
// Starts taking snapshots of `store` (nothing when --views-snapshot-every is 0): on a thread
// asking `position` where the views stand, or without it where a catch-up's rounds end
// (ViewSnapshotter::Start). A snapshots folder that cannot be read or cleaned is logged and
// leaves `*snapshotter` null: copies make reads of the past cheaper, nothing more. The
// snapshotter must be destroyed before the runner and the store.
void StartViewSnapshots(const po::variables_map& vm, const char* verb, EventLog* log,
                        ViewStore* store, std::function<uint64_t()> position,
                        std::unique_ptr<ViewSnapshotter>* snapshotter);

// Opens log, views and runner, and catches the views up when `catch_up`. Prints the error and
// returns false on failure.
bool OpenViewEngine(const po::variables_map& vm, bool catch_up, ViewProgress progress,
                    ViewEngine* engine);

// For a member's or a link holder's read: log errors only (unless TANDEM_LOG_LEVEL says
// otherwise). Warnings of opening and catching up the views name log positions (a view dropped
// as ahead of the log, a journal replayed), which count every tenant's events.
void LogErrorsOnly();

// An option naming a member given an empty name (InvalidArgument, view.empty_member).
Status EmptyMember(const std::string& option);

// Whether --data holds an event log. A Kafka-fed worker's data folder holds views only.
bool HasLog(const po::variables_map& vm);
// Opens only the views database in --data, as stored (nothing folded, no runner): for a data
// folder without a log. Prints the error and returns false on failure.
bool OpenStoredViews(const po::variables_map& vm, ViewEngine* engine);

// InvalidArgument (view.malformed_time) when --as-of-time was given empty: read live it would
// answer another question than the one asked.
Status CheckAsOfTimeGiven(const po::variables_map& vm);

// The position an as-of read folds to: --as-of-position, or the last one recorded at or before
// --as-of-time (options added by AddAsOfOptions). 0 means live.
void AddAsOfOptions(po::options_description* desc);
Status AsOfPosition(const po::variables_map& vm, EventLog* log, uint64_t* position);
// The moment an as-of read at `position` stands at: --as-of-time when given (the time now if that
// is still to come), else when the event at the position was recorded (0 if it cannot be read).
// What is overdue, how long a block in progress has lasted, are judged then: the past reads the
// same whenever it is asked for.
int64_t AsOfMomentUs(const po::variables_map& vm, EventLog* log, uint64_t position);

// Prints "tandem <verb>: <status> (<reason>)" and returns kExitUsage for InvalidArgument,
// kExitFailed otherwise.
int FailView(const std::string& verb, const Status& status);

}  // namespace tandem::cli
