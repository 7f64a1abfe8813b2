// Child process of projection_crash_test: one Tandem process that executes commands and folds
// them into its views at the same time (the log has one writer, so both live here), until it
// is killed.
//
// usage: crash_projector DATA_DIR RUN SEED MODE [KILL_AFTER_COMMITS|big:KILL_AFTER_COMMITS]
//   backlog  executes BACKLOG commands with no runner (the views fall behind), says "done"
//   catchup  opens the runner, CatchUp while commands run, then follows live (Start)
//   live     opens the runner and follows live at once (the subscription catches up)
//   rebuild  Rebuild of every view while commands run, then follows live
// A MODE ending in "/behind" opens the views writing behind (ViewStoreOptions::write_behind,
// every 5 ms, at the lowest priority where allowed, as `tandem serve` does): a kill then loses
// the commits held in memory.
// With KILL_AFTER_COMMITS = N, the process SIGKILLs itself right after the views database
// acknowledged its Nth commit (each view commits on its own: a kill between two views' commits);
// with big:N, its Nth commit of a batch big enough to be ingested as tables (kIngestBytes).
// Lines on stdout, each in one write(2):
//   "open head=H position=P"                       the runner is open (views at P, log at H)
//   "at phase=PHASE position=P head=H commands=N"  every 2 ms
//   "done"                                          the backlog is written
//   "error WHAT STATUS"                             then exit 1
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "child_process.h"
#include "crash_activity.h"
#include "forwarding_view_store.h"
#include "tandem/basics/logger.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/views.h"

namespace tandem::test {
namespace {

constexpr int kBacklogCommands = 1500;
// Commands executed while the runner folds (catch-up, rebuild, live). Bounded so that the log,
// and with it each later catch-up and rebuild, stays small enough for every round to reach its
// kill point on a slow machine (an unbounded writer grew the log past 100k events under ASan).
constexpr int kFoldingRoundCommands = 500;

// Commits of this many bytes or more are ingested as tables (most catch-up rounds of the larger
// views), the others written: kills land in both, and between them.
constexpr size_t kIngestBytes = 4096;

// The real views database, killing the process once `kill_after` commits were acknowledged
// (only those of kIngestBytes or more when `big_only`).
class KillingStore : public ForwardingViewStore {
 public:
  KillingStore(std::unique_ptr<ViewStore> base, uint64_t kill_after, bool big_only)
      : ForwardingViewStore(std::move(base)), kill_after_(kill_after), big_only_(big_only) {}
  using ForwardingViewStore::Commit;
  Status Commit(ViewBatch* batch, const CommitOptions& options) override {
    const bool counted = !big_only_ || batch->ApproximateBytes() >= kIngestBytes;
    Status s = ForwardingViewStore::Commit(batch, options);
    if (s.ok() && counted && ++commits_ == kill_after_) kill(getpid(), SIGKILL);
    return s;
  }

 private:
  const uint64_t kill_after_;
  const bool big_only_;
  std::atomic<uint64_t> commits_{0};
};

int Run(const std::string& dir, const std::string& run, uint64_t seed, const std::string& mode,
        bool behind, uint64_t kill_after_commits, bool big_only) {
  CommandWorld world(dir);
  if (world.log() == nullptr) ChildDieIf(Status::IOError("cannot open the world"), "open");
  CrashActivity activity(run, seed);
  std::atomic<uint64_t> commands{0};
  auto execute = [&] {
    CommandResult result;
    Status s = world.Run(activity.Next(), &result);
    // Refusals are part of the activity; anything else is a failure of the engine.
    if (!s.ok() && !s.IsRejected() && !s.IsWrongExpectedVersion()) ChildDieIf(s, "command");
    commands++;
  };
  std::atomic<const char*> phase{mode == "live" ? "live" : mode.c_str()};
  ProjectionRunner* folding = nullptr;  // set before the monitor starts, when there is one
  auto monitor = [&] {
    for (;;) {
      const uint64_t position = folding != nullptr ? folding->Position() : 0;
      ChildSay(std::string("at phase=") + phase.load() + " position=" + std::to_string(position) +
               " head=" + std::to_string(world.log()->LastPosition()) +
               " commands=" + std::to_string(commands));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };

  if (mode == "backlog") {
    ChildSay("open head=" + std::to_string(world.log()->LastPosition()) + " position=0");
    std::thread(monitor).detach();
    for (int i = 0; i < kBacklogCommands; i++) execute();
    ChildSay("done");
    for (;;) pause();
  }

  std::unique_ptr<ViewStore> store;
  ViewStoreOptions store_options;
  store_options.ingest_batch_bytes = kIngestBytes;
  if (behind) store_options.write_behind = std::chrono::milliseconds(5);
  store_options.write_behind_at_lowest_priority = behind;
  ChildDieIf(ViewStore::Open(store_options, dir + "/views", &store), "views");
  if (kill_after_commits > 0) {
    store = std::make_unique<KillingStore>(std::move(store), kill_after_commits, big_only);
  }
  std::vector<std::unique_ptr<Projection>> projections;
  ChildDieIf(MakeProjections({}, &projections), "projections");
  ProjectionRunnerOptions options;
  // Small batches: many commits per round, so kills land between and during them.
  options.max_batch_events = 16;
  options.max_batch_delay = std::chrono::milliseconds(2);
  options.catch_up_batch_events = 32;
  std::unique_ptr<ProjectionRunner> runner;
  ChildDieIf(
      ProjectionRunner::Open(options, world.log(), store.get(), std::move(projections), &runner),
      "runner");
  ChildSay("open head=" + std::to_string(world.log()->LastPosition()) +
           " position=" + std::to_string(runner->Position()));
  folding = runner.get();
  std::thread(monitor).detach();
  std::thread([&] {
    for (int i = 0; i < kFoldingRoundCommands; i++) {
      execute();
      // About 5,000 commands a second: the runner keeps up live, and a round adds a few hundred.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }).detach();
  if (mode == "catchup") ChildDieIf(runner->CatchUp(), "catch-up");
  if (mode == "rebuild") ChildDieIf(runner->Rebuild({}), "rebuild");
  phase = "live";
  ChildDieIf(runner->Start(), "start");
  // Runs until killed.
  for (;;) {
    ChildDieIf(runner->LiveStatus(), "live");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace
}  // namespace tandem::test

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr,
            "usage: crash_projector DATA_DIR RUN SEED backlog|catchup|live|rebuild "
            "[KILL_AFTER_COMMITS|big:KILL_AFTER_COMMITS]\n");
    return 2;
  }
  tandem::SetLogLevel(tandem::LogLevel::kWarn);
  std::string kill_after = argc == 6 ? argv[5] : "0";
  const bool big_only = kill_after.rfind("big:", 0) == 0;
  if (big_only) kill_after = kill_after.substr(4);
  std::string mode = argv[4];
  const std::string behind = "/behind";
  const bool writes_behind = mode.size() > behind.size() &&
                             mode.compare(mode.size() - behind.size(), behind.size(), behind) == 0;
  if (writes_behind) mode.resize(mode.size() - behind.size());
  return tandem::test::Run(argv[1], argv[2], std::stoull(argv[3]), mode, writes_behind,
                           std::stoull(kill_after), big_only);
}
