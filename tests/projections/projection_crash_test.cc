// Views under kill -9: a child process (crash_projector) executes commands and folds them into
// its views at the same time; the test kills it at random moments, during catch-up of a
// backlog, during a rebuild and while following live. After each kill every view must hash
// like a fold of the log to its checkpoint; after the last, the views caught up must hash
// exactly like views rebuilt from the log, and their counters match the log's events one for
// one (an event folded twice would count twice).
//
// The kill schedule is drawn from a seed printed at the start; TANDEM_CRASH_SEED=<seed>
// replays it (the child's timing still varies).
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "child_process.h"
#include "crash_activity.h"
#include "tandem/domain/client_visibility.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/views.h"
#include "view_store_util.h"

namespace tandem::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// What the child last said about itself.
struct ChildState {
  bool open = false;
  uint64_t open_head = 0, open_position = 0;
  std::string phase;
  uint64_t position = 0, head = 0, commands = 0;
  // The lowest position seen in the current phase (a rebuild starts by dropping to 0).
  uint64_t lowest_in_phase = UINT64_MAX;
  bool done = false;
  std::string error;
};

void Parse(const std::string& line, ChildState* state) {
  if (line.rfind("open ", 0) == 0) {
    state->open = true;
    state->open_head = LineField(line, "head");
    state->open_position = LineField(line, "position");
  } else if (line.rfind("at ", 0) == 0) {
    const size_t from = line.find("phase=") + 6;
    const std::string phase = line.substr(from, line.find(' ', from) - from);
    if (phase != state->phase) state->lowest_in_phase = UINT64_MAX;
    state->phase = phase;
    state->position = LineField(line, "position");
    state->head = LineField(line, "head");
    state->commands = LineField(line, "commands");
    state->lowest_in_phase = std::min(state->lowest_in_phase, state->position);
  } else if (line == "done") {
    state->done = true;
  } else if (line.rfind("error ", 0) == 0) {
    state->error = line;
  }
}

// Kill now? Given what the child said and how long ago it opened.
using KillWhen = std::function<bool(const ChildState&, milliseconds since_open)>;

// Runs the child until `kill_when` says so, kills it with SIGKILL and returns what it had said.
ChildState RunAndKill(const std::string& dir, const std::string& run, uint64_t seed,
                      const std::string& mode, const KillWhen& kill_when) {
  ChildState state;
  Clock::time_point opened{};
  const ChildOutcome outcome = RunChildUntilKilled(
      {CRASH_PROJECTOR_PATH, dir, run, std::to_string(seed), mode},
      [&](const std::string& line) {
        Parse(line, &state);
        if (state.open && opened == Clock::time_point{}) opened = Clock::now();
      },
      [&] {
        const auto since_open = std::chrono::duration_cast<milliseconds>(Clock::now() - opened);
        return !state.error.empty() || (state.open && kill_when(state, since_open));
      },
      // A rebuild to 99% of a 15k-event log took over 20 s under ThreadSanitizer on two busy
      // cores; a child that stalls for good still fails the round.
      std::chrono::seconds(60));
  EXPECT_FALSE(outcome.gave_up) << "round " << run << " (" << mode
                                << ") never reached its kill point";
  EXPECT_TRUE(WIFSIGNALED(outcome.status) && WTERMSIG(outcome.status) == SIGKILL)
      << "round " << run << " (" << mode << ") ended on its own; status " << outcome.status << " "
      << state.error;
  EXPECT_EQ(state.error, "");
  return state;
}

std::map<std::string, std::string> HashAll(ViewStore* store) {
  std::unique_ptr<ViewSource> source;
  EXPECT_TRUE(OpenLiveViewSource(store, &source).ok());
  std::map<std::string, std::string> hashes;
  for (const std::string& view : StoredViewNames()) {
    Status s = HashView(source.get(), view, &hashes[view]);
    EXPECT_TRUE(s.ok()) << view << ": " << s.ToString();
  }
  return hashes;
}

// Opens the views in `views_dir` over `log` and catches them up; returns every view's hash.
std::map<std::string, std::string> CatchUpAndHash(EventLog* log, const std::string& views_dir,
                                                  std::unique_ptr<ViewStore>* store) {
  EXPECT_TRUE(ViewStore::Open(ViewStoreOptions(), views_dir, store).ok());
  std::vector<std::unique_ptr<Projection>> projections;
  EXPECT_TRUE(MakeProjections({}, &projections).ok());
  std::unique_ptr<ProjectionRunner> runner;
  Status s = ProjectionRunner::Open(ProjectionRunnerOptions(), log, store->get(),
                                    std::move(projections), &runner);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {};
  s = runner->CatchUp();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(runner->Position(), log->LastPosition());
  return HashAll(store->get());
}

// Right after a kill, each view holds exactly the events up to its checkpoint: it hashes like
// a fold of the log to that position in memory.
void ExpectEachViewEqualsAFoldToItsCheckpoint(const std::string& dir, int round) {
  auto log = OpenLogOrDie(dir + "/log");
  ViewStoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  std::unique_ptr<ViewStore> store;
  ASSERT_TRUE(ViewStore::Open(options, dir + "/views", &store).ok());
  auto stored = std::make_unique<StoredRowsSource>(store.get());
  for (const std::string& view : StoredViewNames()) {
    ViewCheckpoint checkpoint;
    ASSERT_TRUE(store->GetCheckpoint(view, &checkpoint).ok()) << view;
    if (checkpoint.position == 0) continue;  // dropped for a rebuild, nothing folded yet
    AsOfScope scope;
    scope.position = checkpoint.position;
    scope.views = {view};
    std::unique_ptr<ViewSource> folded;
    ASSERT_TRUE(FoldAsOf(log.get(), scope, &folded).ok());
    std::string stored_hash, folded_hash;
    Status s = HashView(stored.get(), view, &stored_hash);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << view << ": " << s.ToString();
    s = HashView(folded.get(), view, &folded_hash);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << view << " folded: " << s.ToString();
    EXPECT_EQ(stored_hash, folded_hash)
        << "round " << round << ": " << view << " at " << checkpoint.position;
  }
}

struct MilestoneCounts {
  uint64_t client_comments = 0, internal_comments = 0, slips = 0;
  bool operator==(const MilestoneCounts&) const = default;
};
std::ostream& operator<<(std::ostream& out, const MilestoneCounts& c) {
  return out << "{client_comments=" << c.client_comments
             << " internal_comments=" << c.internal_comments << " slips=" << c.slips << "}";
}

// Per (project, milestone), what the log holds; per (project, file), its uploads.
struct LogCounts {
  std::map<std::pair<std::string, std::string>, MilestoneCounts> milestones;
  std::map<std::pair<std::string, std::string>, uint64_t> file_versions;
};

LogCounts CountLog(EventLog* log) {
  LogCounts counts;
  std::vector<RecordedEvent> page;
  for (uint64_t next = 1;; next = page.back().global_position() + 1) {
    EXPECT_TRUE(log->ReadAll(next, ReadOptions(), &page).ok());
    if (page.empty()) break;
    for (const RecordedEvent& r : page) {
      const schema::Event& e = r.event();
      const std::string stream = e.stream_id()->str();
      if (e.tenant()->str() != "northwind" || stream.rfind("project:", 0) != 0) continue;
      const std::string project = stream.substr(8);
      if (const auto* c = e.payload_as_CommentPosted()) {
        if (c->anchor() == nullptr || c->anchor()->kind() != schema::AnchorKind::Milestone)
          continue;
        MilestoneCounts& m = counts.milestones[{project, c->anchor()->id()->str()}];
        (SharedWithClient(e) ? m.client_comments : m.internal_comments)++;
      } else if (const auto* s = e.payload_as_MilestoneRescheduled()) {
        counts.milestones[{project, s->milestone_id()->str()}].slips++;
      } else if (const auto* f = e.payload_as_FileUploaded()) {
        counts.file_versions[{project, f->file_id()->str()}]++;
      }
    }
  }
  return counts;
}

boost::json::value ReadTimelineJson(ViewStore* store, const std::string& view,
                                    const std::string& project) {
  std::unique_ptr<ViewSource> source;
  EXPECT_TRUE(OpenLiveViewSource(store, &source).ok());
  ViewRequest request;
  request.view = view;
  request.workspace = "northwind";
  request.project = project;
  std::string out;
  Status s = ReadView(request, source.get(), &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return s.ok() ? boost::json::parse(out) : boost::json::value();
}

// Every milestone's comment counts and slips, and every file's version count, in the internal
// and the client timeline equal the events in the log: none was folded twice, none lost.
void ExpectCountersMatchLog(EventLog* log, ViewStore* store) {
  const LogCounts counts = CountLog(log);
  uint64_t comments = 0, slips = 0, uploads = 0, client_comments = 0;
  for (const auto& [key, m] : counts.milestones) {
    comments += m.client_comments + m.internal_comments;
    slips += m.slips;
  }
  for (const std::string& c : CrashClients()) {
    const std::string p = "p-" + c;
    boost::json::value internal = ReadTimelineJson(store, "internal-timeline", p);
    boost::json::value client = ReadTimelineJson(store, "client-timeline", p);
    ASSERT_TRUE(internal.is_object() && client.is_object());
    for (const auto& mv : internal.at("milestones").as_array()) {
      const auto& m = mv.as_object();
      const std::string id(m.at("id").as_string());
      MilestoneCounts seen{m.at("client_comments").to_number<uint64_t>(),
                           m.at("internal_comments").to_number<uint64_t>(),
                           m.at("slips").as_array().size()};
      auto it = counts.milestones.find({p, id});
      EXPECT_EQ(seen, it == counts.milestones.end() ? MilestoneCounts() : it->second)
          << p << " " << id;
      comments -= seen.client_comments + seen.internal_comments;
      slips -= seen.slips;
      for (const auto& fv : m.at("files").as_array()) {
        const std::string file(fv.at("id").as_string());
        EXPECT_EQ(fv.at("versions").to_number<uint64_t>(), counts.file_versions.at({p, file}))
            << p << " " << file;
        uploads += fv.at("versions").to_number<uint64_t>();
      }
    }
    for (const auto& mv : client.at("milestones").as_array()) {
      const auto& m = mv.as_object();
      const std::string id(m.at("id").as_string());
      EXPECT_EQ(m.at("client_comments").to_number<uint64_t>(),
                counts.milestones.at({p, id}).client_comments)
          << p << " " << id;
      EXPECT_EQ(m.at("slips").as_array().size(), counts.milestones.at({p, id}).slips);
      client_comments += m.at("client_comments").to_number<uint64_t>();
    }
  }
  // Every milestone-anchored comment and every slip of the log is in the internal timeline.
  EXPECT_EQ(comments, 0u);
  EXPECT_EQ(slips, 0u);
  EXPECT_GT(uploads, 0u);
  EXPECT_GT(client_comments, 0u);
  std::cout << "milestone comments and slips match the log; file versions=" << uploads
            << " client comments=" << client_comments << "\n";
}

// After the last kill: the views caught up from where the kills left them equal a rebuild, and
// their counters the log's events one for one.
void ExpectCaughtUpViewsEqualARebuild(const ScratchDir& dir) {
  auto log = OpenLogOrDie(dir.Sub("log"));
  std::unique_ptr<ViewStore> crashed, rebuilt;
  const auto crashed_hashes = CatchUpAndHash(log.get(), dir.Sub("views"), &crashed);
  const auto rebuilt_hashes = CatchUpAndHash(log.get(), dir.Sub("rebuilt"), &rebuilt);
  ASSERT_EQ(crashed_hashes.size(), StoredViewNames().size());
  for (const auto& [view, hash] : rebuilt_hashes) {
    EXPECT_EQ(crashed_hashes.at(view), hash) << view << " differs from its rebuild";
  }
  ExpectCountersMatchLog(log.get(), crashed.get());
  std::cout << "events=" << log->LastPosition() << "\n";
}

TEST(ProjectionCrashTest, ViewsKilledAtRandomMomentsEqualARebuildAndCountEachEventOnce) {
  ScratchDir dir;
  {
    CommandWorld world(dir.path());
    BuildCrashWorld(&world);
  }
  const char* env_seed = std::getenv("TANDEM_CRASH_SEED");
  const uint64_t seed = env_seed != nullptr ? std::stoull(env_seed) : std::random_device{}();
  std::cout << "seed=" << seed << " (TANDEM_CRASH_SEED replays the kill schedule)\n";
  std::mt19937_64 rng(seed);
  auto uniform = [&](uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, std::max(lo, hi))(rng);
  };

  // A backlog, a catch-up killed inside it, a live start (the subscription catches up what is
  // left) killed at a random moment, and a rebuild killed part-way.
  const std::vector<std::string> cycle = {"backlog", "catchup", "live", "rebuild"};
  constexpr int kRounds = 40;
  std::map<std::string, int> killed_in;  // phase at the kill -> rounds
  // What the previous rounds were told was done: the log's head and the views' position (a
  // commit the runner reported is in the views database, unsynced writes survive a kill).
  uint64_t acknowledged_head = 0, folded = 0;
  for (int round = 0; round < kRounds; round++) {
    const std::string mode = cycle[round % cycle.size()];
    const uint64_t child_seed = rng();
    KillWhen when;
    std::string plan;
    if (mode == "backlog") {
      // Mostly once the backlog is written (so the next round has a big one to catch up).
      const bool early = uniform(0, 3) == 0;
      const milliseconds delay(uniform(0, 60));
      plan = early ? "after " + std::to_string(delay.count()) + " ms" : "when done";
      when = [=](const ChildState& s, milliseconds t) { return s.done || (early && t >= delay); };
    } else if (mode == "live") {
      const milliseconds delay(uniform(5, 150));
      plan = std::to_string(delay.count()) + " ms into live";
      auto live_since = std::make_shared<Clock::time_point>();
      when = [=](const ChildState& s, milliseconds) {
        if (s.phase != "live") return false;
        if (*live_since == Clock::time_point{}) *live_since = Clock::now();
        return Clock::now() - *live_since >= delay;
      };
    } else {
      // Kill once the views passed a random point of the catch-up or rebuild, chosen in
      // hundredths of the way from where the views stood to the log's head at the open.
      const uint64_t percent = uniform(0, 99);
      plan = "at " + std::to_string(percent) + "% of the " + mode;
      when = [=](const ChildState& s, milliseconds) {
        const uint64_t from = mode == "rebuild" ? 0 : s.open_position;
        const uint64_t target = from + (s.open_head - from) * percent / 100;
        if (s.phase == "live") return true;  // finished before the point: a live kill
        const bool rebuilt_from_scratch =
            mode != "rebuild" || s.lowest_in_phase < target || target == 0;
        return s.phase == mode && rebuilt_from_scratch && s.position >= target;
      };
    }
    const ChildState s =
        RunAndKill(dir.path(), "r" + std::to_string(round), child_seed, mode, when);
    ASSERT_TRUE(s.error.empty()) << s.error;
    killed_in[s.phase]++;
    std::cout << "round " << round << " " << mode << " killed " << plan << ": phase=" << s.phase
              << " views at " << s.position << " of head " << s.head << " (opened at "
              << s.open_position << " of " << s.open_head << "), commands " << s.commands << "\n";
    EXPECT_GE(s.open_head, acknowledged_head) << "round " << round;
    acknowledged_head = std::max(acknowledged_head, s.head);
    if (mode != "backlog") {
      EXPECT_GE(s.open_position, folded) << "round " << round << ": folded events were lost";
      // A rebuild killed part-way leaves the views behind where they were: no promise then.
      folded = s.phase == "rebuild" ? 0 : s.position;
      ExpectEachViewEqualsAFoldToItsCheckpoint(dir.path(), round);
    }
  }
  // The schedule must have hit each kind of moment, or the test proved less than it says.
  EXPECT_GE(killed_in["catchup"] + killed_in["rebuild"], 4);
  EXPECT_GE(killed_in["live"], 4);

  ExpectCaughtUpViewsEqualARebuild(dir);
}

// The directory gates reads and is committed first in every round: after a kill no view may be
// ahead of it. Returns the directory's checkpoint.
uint64_t ExpectNoViewAheadOfTheDirectory(const std::string& views, int round) {
  ViewStoreOptions options;
  options.read_only = true;
  std::unique_ptr<ViewStore> store;
  EXPECT_TRUE(ViewStore::Open(options, views, &store).ok());
  if (store == nullptr) return 0;
  ViewCheckpoint directory;
  EXPECT_TRUE(store->GetCheckpoint("directory", &directory).ok());
  for (const std::string& view : StoredViewNames()) {
    ViewCheckpoint c;
    EXPECT_TRUE(store->GetCheckpoint(view, &c).ok());
    EXPECT_LE(c.position, directory.position)
        << "round " << round << ": " << view << " is ahead of the directory after the kill";
  }
  return directory.position;
}

// Views written behind (ViewStoreOptions::write_behind) report a round folded once the
// process's readers see it, before RocksDB has it: a kill loses the rounds held in memory, and
// the views go back to the checkpoints RocksDB holds. Killed at random moments of a catch-up
// and of following live, each view still equals a fold to its own checkpoint, and once caught
// up they equal a rebuild, each event counted once.
TEST(ProjectionCrashTest, ViewsWrittenBehindKilledAtRandomMomentsEqualARebuild) {
  ScratchDir dir;
  {
    CommandWorld world(dir.path());
    BuildCrashWorld(&world);
  }
  std::mt19937_64 rng(std::random_device{}());
  for (int round = 0; round < 8; round++) {
    RunAndKill(dir.path(), "wb" + std::to_string(round), 2000 + round, "backlog",
               [](const ChildState& s, milliseconds) { return s.done; });
    const std::string mode = round % 2 == 0 ? "live" : "catchup";
    const milliseconds delay(std::uniform_int_distribution<int>(5, 150)(rng));
    auto live_since = std::make_shared<Clock::time_point>();
    const ChildState s = RunAndKill(dir.path(), "wl" + std::to_string(round), 3000 + round,
                                    mode + "/behind", [=](const ChildState& state, milliseconds) {
                                      if (state.phase != "live") return false;
                                      if (*live_since == Clock::time_point{})
                                        *live_since = Clock::now();
                                      return Clock::now() - *live_since >= delay;
                                    });
    ASSERT_TRUE(s.error.empty()) << s.error;
    std::cout << "round " << round << " (" << mode << ", written behind) killed " << delay.count()
              << " ms into live: views at " << s.position << " of head " << s.head << "\n";
    ExpectEachViewEqualsAFoldToItsCheckpoint(dir.path(), round);
    ExpectNoViewAheadOfTheDirectory(dir.Sub("views"), round);
    if (HasFatalFailure()) return;
  }
  ExpectCaughtUpViewsEqualARebuild(dir);
}

// Runs a backlog of commands with no runner, then the runner in `mode` until it kills itself
// right after the commit `kill_after` names (crash_projector's KILL_AFTER_COMMITS). After the
// kill each view must hold exactly the events up to its own checkpoint, and none may be ahead of
// the directory, which gates reads and is committed first in every round.
void BacklogThenKillAfterCommit(const ScratchDir& dir, int round, const std::string& mode,
                                const std::string& kill_after) {
  RunAndKill(dir.path(), "b" + std::to_string(round), 1000 + round, "backlog",
             [](const ChildState& s, milliseconds) { return s.done; });
  ChildState state;
  const ChildOutcome outcome = RunChildUntilKilled(
      {CRASH_PROJECTOR_PATH, dir.path(), "k" + std::to_string(round), std::to_string(round), mode,
       kill_after},
      [&](const std::string& line) { Parse(line, &state); }, [&] { return !state.error.empty(); },
      std::chrono::seconds(20));
  ASSERT_EQ(state.error, "");
  ASSERT_FALSE(outcome.killed) << "round " << round << " never reached commit " << kill_after;
  ASSERT_TRUE(WIFSIGNALED(outcome.status) && WTERMSIG(outcome.status) == SIGKILL);
  ExpectEachViewEqualsAFoldToItsCheckpoint(dir.path(), round);
  const uint64_t directory = ExpectNoViewAheadOfTheDirectory(dir.Sub("views"), round);
  std::cout << "round " << round << " (" << mode << ") killed after commit " << kill_after
            << ", the directory at " << directory << "\n";
}

// Each view commits its rows with its checkpoint on its own (9fc42d4), buffered until the end
// of the round: a kill right after one view's commit and before another's loses the round's
// buffered commits (all of them, or those the log's buffer had not yet written out when full).
// Once caught up the views equal a rebuild, each event counted once. The kill comes right after
// the Nth commit, never a multiple of the views' count: part-way through a round.
TEST(ProjectionCrashTest, AKillBetweenTwoViewsCommitsLosesNothingAndAppliesNothingTwice) {
  ScratchDir dir;
  {
    CommandWorld world(dir.path());
    BuildCrashWorld(&world);
  }
  const uint64_t views = StoredViewNames().size();
  ASSERT_GT(views, 2u);
  for (int round = 0; round < 6; round++) {
    // A catch-up of the backlog, or a live start whose subscription catches it up.
    const uint64_t kill_after = views * (2 + round) + 1 + round % (views - 1);
    BacklogThenKillAfterCommit(dir, round, round % 2 == 0 ? "catchup" : "live",
                               std::to_string(kill_after));
    if (HasFatalFailure()) return;
  }
  ExpectCaughtUpViewsEqualARebuild(dir);
}

// An ingested commit is durable at once, while the directory's commit of the same round, made
// before it, is buffered: a kill right after the first ingested commit of a restarted runner's
// catch-up (its memtables empty, so RocksDB writes no buffer of its own) must not leave that
// view ahead of the directory.
TEST(ProjectionCrashTest, AKillRightAfterAnIngestedCommitLeavesNoViewAheadOfTheDirectory) {
  ScratchDir dir;
  {
    CommandWorld world(dir.path());
    BuildCrashWorld(&world);
  }
  for (int round = 0; round < 3; round++) {
    BacklogThenKillAfterCommit(dir, round, "catchup", "big:1");
    if (HasFatalFailure()) return;
  }
  ExpectCaughtUpViewsEqualARebuild(dir);
}

}  // namespace
}  // namespace tandem::test
