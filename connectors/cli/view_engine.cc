#include "view_engine.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "tandem/basics/calendar.h"
#include "tandem/basics/logger.h"

namespace tandem::cli {
namespace {

std::string FormatSeconds(double s) {
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s / 3600),
                  static_cast<int>(s / 60) % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  }
  return buf;
}

// Progress on a terminal: one line rewritten in place. Elsewhere (a log file, CI): one log line
// per tenth of the work.
std::function<void(const CatchUpProgress&)> ProgressPrinter(ViewProgress mode) {
  const bool terminal = isatty(STDERR_FILENO) == 1;
  if (mode == ViewProgress::kNone || (mode == ViewProgress::kQuiet && !terminal)) return nullptr;
  auto started = std::chrono::steady_clock::now();
  auto next_tenth = std::make_shared<int>(1);
  auto shown = std::make_shared<bool>(false);
  return [=](const CatchUpProgress& p) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (mode == ViewProgress::kQuiet && elapsed < 1.0 && !*shown) return;
    if (p.total == 0) return;
    char line[160];
    std::snprintf(line, sizeof line, "folded %llu/%llu events (%.0f%%), %.0f events/s, %s left",
                  static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.total),
                  100.0 * p.done / p.total, p.events_per_second,
                  FormatSeconds(p.seconds_left).c_str());
    if (terminal) {
      std::cerr << "\r" << line << "\033[K" << (p.finished ? "\n" : "") << std::flush;
      *shown = true;
      return;
    }
    // One line however many tenths a round crossed (a round of a small log may be half of it).
    bool crossed = false;
    while (*next_tenth <= 10 && p.done * 10 >= p.total * static_cast<uint64_t>(*next_tenth)) {
      ++*next_tenth;
      crossed = true;
    }
    if (crossed) LogInfo("projections", line);
  };
}

}  // namespace

std::string ViewsDir(const po::variables_map& vm) { return DataDir(vm) + "/views"; }

std::string ViewSnapshotsDir(const po::variables_map& vm) {
  return DataDir(vm) + "/views-snapshots";
}

void AddSnapshotOptions(po::options_description* desc) {
  const ViewSnapshotOptions defaults;
  desc->add_options()("views-snapshot-every",
                      po::value<uint64_t>()->default_value(defaults.every_events),
                      "copy the views into <data>/views-snapshots each time they have folded "
                      "this many events more, so that reads of the past fold at most about "
                      "that many events; 0: no copies")(
      "views-snapshots-kept", po::value<size_t>()->default_value(defaults.keep),
      "copies kept (the newest, and the others spread over the history; each holds up to the "
      "views' size on disk)");
}

bool CheckSnapshotOptions(const po::variables_map& vm, const char* verb) {
  if (vm["views-snapshots-kept"].as<size_t>() > 0) return true;
  std::cerr << "tandem " << verb << ": --views-snapshots-kept must be at least 1\n";
  return false;
}

void StartViewSnapshots(const po::variables_map& vm, const char* verb, EventLog* log,
                        ViewStore* store, std::function<uint64_t()> position,
                        std::unique_ptr<ViewSnapshotter>* snapshotter) {
  ViewSnapshotOptions options;
  options.dir = ViewSnapshotsDir(vm);
  options.every_events = vm["views-snapshot-every"].as<uint64_t>();
  options.keep = vm["views-snapshots-kept"].as<size_t>();
  if (options.every_events == 0) return;
  Status s = ViewSnapshotter::Start(options, store, log, std::move(position), snapshotter);
  // Copies only make reads of the past cheaper: without them the views are served all the same.
  if (!s.ok()) {
    LogError("views", std::string(verb) + " takes no snapshots: " + s.ToString());
    snapshotter->reset();
  }
}

bool HasLog(const po::variables_map& vm) {
  std::error_code ec;
  return std::filesystem::exists(DataDir(vm) + "/CURRENT", ec);
}

// Opens the views database, or read-only when another process holds it; `*held` says which.
static bool OpenStore(const po::variables_map& vm, bool create, ViewEngine* engine, bool* held) {
  ViewStoreOptions store_options;
  store_options.create_if_missing = create;
  Status s = ViewStore::Open(store_options, ViewsDir(vm), &engine->store);
  *held = !s.ok();
  if (s.ok()) return true;
  // Held by a running engine (or worker): read what it keeps current.
  store_options.read_only = true;
  store_options.create_if_missing = false;
  Status ro = ViewStore::Open(store_options, ViewsDir(vm), &engine->store);
  if (!ro.ok()) {
    // The read-only open's failure says more unless the database is missing altogether.
    const Status& why = ro.IsNotFound() ? s : ro;
    std::cerr << "tandem: cannot open the views in " << ViewsDir(vm) << ": "
              << Printable(why.ToString());
    if (why.IsCorruption()) {
      // The views are derived data: nothing is lost by folding them again.
      std::cerr << " (the views are folded from the log: `tandem serve` sets a damaged views "
                   "database aside and folds them again, or delete "
                << ViewsDir(vm) << ")";
    }
    std::cerr << "\n";
    return false;
  }
  return true;
}

bool OpenStoredViews(const po::variables_map& vm, ViewEngine* engine) {
  bool held = false;
  return OpenStore(vm, false, engine, &held);
}

bool OpenViewEngine(const po::variables_map& vm, bool catch_up, ViewProgress progress,
                    ViewEngine* engine) {
  EventLogOptions log_options;
  log_options.read_only = true;
  if (!OpenLog(vm, log_options, &engine->log)) return false;
  bool held = false;
  if (!OpenStore(vm, true, engine, &held)) return false;
  if (held) return true;
  Status s;
  std::vector<std::unique_ptr<Projection>> projections;
  s = MakeProjections({}, &projections);
  ProjectionRunnerOptions options;
  options.progress = ProgressPrinter(progress);
  options.on_advance = [engine](uint64_t position) {
    if (engine->snapshotter != nullptr) engine->snapshotter->AtRoundEnd(position);
  };
  if (s.ok()) {
    s = ProjectionRunner::Open(options, engine->log.get(), engine->store.get(),
                               std::move(projections), &engine->runner);
  }
  if (s.ok() && catch_up) s = engine->runner->CatchUp();
  if (!s.ok()) {
    std::cerr << "tandem: cannot bring the views up to date: " << s.ToString() << "\n";
    return false;
  }
  return true;
}

void AddAsOfOptions(po::options_description* desc) {
  desc->add_options()("as-of-position", po::value<uint64_t>()->default_value(0),
                      "as it was when this global position was the last (the operator only: "
                      "a member reads as of a time)")(
      "as-of-time", po::value<std::string>()->default_value(""),
      "as it was at this moment (YYYY-MM-DD for the end of a UTC day, or "
      "YYYY-MM-DDTHH:MM:SS[.ffffff] then Z or an offset such as +01:00)");
}

Status CheckAsOfTimeGiven(const po::variables_map& vm) {
  if (vm["as-of-time"].defaulted() || !vm["as-of-time"].as<std::string>().empty()) {
    return Status::OK();
  }
  return Status::InvalidArgument(
      "view.malformed_time",
      "--as-of-time needs a moment (YYYY-MM-DD or "
      "YYYY-MM-DDTHH:MM:SSZ, or an offset for Z): an empty one is not now");
}

Status AsOfPosition(const po::variables_map& vm, EventLog* log, uint64_t* position) {
  *position = vm["as-of-position"].as<uint64_t>();
  const std::string time = vm["as-of-time"].as<std::string>();
  if (time.empty()) {
    if (vm["as-of-position"].defaulted()) return Status::OK();
    if (*position == 0 || *position > log->LastPosition()) {
      return Status::InvalidArgument("view.position_out_of_range",
                                     "--as-of-position " + std::to_string(*position) +
                                         " is not in the log (tandem projections shows its "
                                         "last position)");
    }
    return Status::OK();
  }
  if (!vm["as-of-position"].defaulted()) {
    return Status::InvalidArgument("view.conflicting_options",
                                   "give --as-of-position or --as-of-time, not both");
  }
  int64_t micros = 0;
  if (!ParseIsoInstant(time, &micros)) {
    return Status::InvalidArgument(
        "view.malformed_time",
        "--as-of-time must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.ffffff] then Z or +HH:MM / "
        "-HH:MM, got '" +
            time + "'");
  }
  Status s = log->PositionAtTime(micros, position);
  if (s.ok() && *position == 0) {
    return Status::NotFound("view.before_first_event", "nothing had been recorded by " + time);
  }
  return s;
}

int64_t AsOfMomentUs(const po::variables_map& vm, EventLog* log, uint64_t position) {
  // A moment still to come is judged now: nothing is overdue or blocked yet in the future.
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  int64_t moment = 0;
  if (ParseIsoInstant(vm["as-of-time"].as<std::string>(), &moment)) return std::min(moment, now);
  RecordedEvent at;
  return log->Get(position, &at).ok() ? at.event().recorded_at_us() : 0;
}

void LogErrorsOnly() {
  if (std::getenv("TANDEM_LOG_LEVEL") == nullptr) SetLogLevel(LogLevel::kError);
}

Status EmptyMember(const std::string& option) {
  return Status::InvalidArgument("view.empty_member",
                                 option +
                                     " needs a member's name (an empty one is nobody, not the "
                                     "operator of the data folder)");
}

int FailView(const std::string& verb, const Status& status) {
  std::cerr << "tandem " << verb << ": " << Printable(status.ToString()) << "\n";
  return status.IsInvalidArgument() ? kExitUsage : kExitFailed;
}

}  // namespace tandem::cli
