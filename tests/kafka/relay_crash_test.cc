// The relay under kill -9: a child process (crash_relay) appends events and publishes them to
// the embedded cluster, which lives in this (the parent) process so that the topic outlives
// the child. The child is killed at random moments, while catching up, while live, with
// events in flight; a relay started afterwards drains the log. The topic then holds every
// event of the log exactly once, per partition in strictly increasing positions.
//
// The kill schedule is drawn from a seed printed at the start; TANDEM_CRASH_SEED=<seed>
// replays it (the child's timing still varies).
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <random>

#include "child_process.h"
#include "relay_checks.h"
#include "tandem/kafka/embedded_cluster.h"
#include "test_util.h"

namespace tandem::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kPartitions = 4;
constexpr int kRounds = 12;
// Events each child appends: bounded so that the whole test stays well under a minute, also
// under ASan on two slow cores.
constexpr int kEventsPerRound = 300;
// Every third round, what the child appends before its relay starts: a catch-up to kill.
constexpr int kBacklog = 1500;

struct ChildState {
  bool open = false;
  uint64_t open_head = 0, open_published = 0;
  uint64_t head = 0, published = 0, appended = 0;
  std::string error;
};

void Parse(const std::string& line, ChildState* state) {
  if (line.rfind("open ", 0) == 0) {
    state->open = true;
    state->open_head = LineField(line, "head");
    state->open_published = LineField(line, "published");
  } else if (line.rfind("at ", 0) == 0) {
    state->head = LineField(line, "head");
    state->published = LineField(line, "published");
    state->appended = LineField(line, "appended");
  } else if (line.rfind("error ", 0) == 0) {
    state->error = line;
  }
}

using KillWhen = std::function<bool(const ChildState&, milliseconds since_open)>;

// `tuning`: the child's STORE_MS and MAX_IN_FLIGHT, when not its defaults.
ChildState RunAndKill(const std::string& dir, const std::string& bootstrap, int round, int backlog,
                      const KillWhen& kill_when, const std::vector<std::string>& tuning = {}) {
  ChildState state;
  Clock::time_point opened{};
  std::vector<std::string> argv = {CRASH_RELAY_PATH,
                                   dir,
                                   bootstrap,
                                   "r" + std::to_string(round),
                                   std::to_string(kEventsPerRound),
                                   std::to_string(backlog)};
  argv.insert(argv.end(), tuning.begin(), tuning.end());
  const ChildOutcome outcome = RunChildUntilKilled(
      argv,
      [&](const std::string& line) {
        Parse(line, &state);
        if (state.open && opened == Clock::time_point{}) opened = Clock::now();
      },
      [&] {
        const auto since_open = std::chrono::duration_cast<milliseconds>(Clock::now() - opened);
        return !state.error.empty() || (state.open && kill_when(state, since_open));
      },
      std::chrono::seconds(20));
  EXPECT_FALSE(outcome.gave_up) << "round " << round << " never reached its kill point";
  EXPECT_TRUE(WIFSIGNALED(outcome.status) && WTERMSIG(outcome.status) == SIGKILL)
      << "round " << round << " ended on its own; status " << outcome.status << " " << state.error;
  EXPECT_EQ(state.error, "");
  return state;
}

TEST(RelayCrashTest, ARelayKilledMidFlightAgainAndAgainPublishesEveryEventExactlyOnce) {
  ScratchDir dir;
  auto cluster = StartEventsCluster(kPartitions);
  ASSERT_NE(cluster, nullptr);
  const char* env_seed = std::getenv("TANDEM_CRASH_SEED");
  const uint64_t seed = env_seed != nullptr ? std::stoull(env_seed) : std::random_device{}();
  std::cout << "seed=" << seed << " (TANDEM_CRASH_SEED replays the kill schedule)\n";
  std::mt19937_64 rng(seed);
  auto uniform = [&](uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
  };
  int in_flight_kills = 0, catch_up_kills = 0;
  for (int round = 0; round < kRounds; round++) {
    KillWhen when;
    std::string plan;
    int backlog = 0;
    if (round % 3 == 2) {
      // Part-way through catching up a backlog (in its first half, so that a kill seen a few
      // milliseconds late still lands inside it).
      backlog = kBacklog;
      const uint64_t events = uniform(1, kBacklog / 2);
      plan = "after " + std::to_string(events) + " events of a backlog";
      when = [=](const ChildState& s, milliseconds) {
        return s.published >= s.open_published + events;
      };
    } else if (round % 3 == 0) {
      // At a random moment after the start: during the tail read, the catch-up or live.
      const milliseconds delay(uniform(0, 250));
      plan = std::to_string(delay.count()) + " ms after the start";
      when = [=](const ChildState&, milliseconds t) { return t >= delay; };
    } else {
      // Once the relay has passed a random point of what this child appends.
      const uint64_t events = uniform(20, kEventsPerRound - 20);
      plan = "after " + std::to_string(events) + " events published";
      when = [=](const ChildState& s, milliseconds) { return s.published >= s.open_head + events; };
    }
    const ChildState s = RunAndKill(dir.path(), cluster->bootstrap(), round, backlog, when);
    ASSERT_TRUE(s.error.empty()) << s.error;
    std::cout << "round " << round << " killed " << plan << ": published " << s.published
              << " of head " << s.head << " (opened at " << s.open_published << " of "
              << s.open_head << ")\n";
    if (s.published < s.head) in_flight_kills++;
    if (s.published < s.open_head) catch_up_kills++;
  }
  // Kills with events not yet acknowledged are the point of the test.
  EXPECT_GE(in_flight_kills, kRounds / 2);
  EXPECT_GE(catch_up_kills, 2);
  std::cout << "kills with unacknowledged events: " << in_flight_kills
            << ", during a catch-up: " << catch_up_kills << "\n";

  // A last relay drains what the killed ones left.
  auto log = OpenLogOrDie(dir.Sub("log"));
  EventRelayOptions options;
  options.kafka.bootstrap = cluster->bootstrap();
  options.position_file = dir.Sub("relay.position");
  std::unique_ptr<EventRelay> relay;
  ASSERT_TRUE(EventRelay::Open(options, log.get(), &relay).ok());
  ASSERT_TRUE(relay->Start().ok());
  ASSERT_TRUE(WaitPublished(*relay, log->LastPosition()));
  ASSERT_TRUE(relay->Stop().ok());
  const uint64_t head = log->LastPosition();
  std::cout << "events=" << head << "\n";
  ExpectTopicHoldsLogOnce(log.get(), ReadWholeTopic(cluster->bootstrap(), "tandem.events"),
                          kPartitions);
}

// Found in review: on a fresh topic (the embedded cluster restarted) a session starts its
// published position over from 0, but the position file kept the old one until the next store.
// A relay killed in between left a file ahead of the topic: the next session took it as the
// threshold of every partition still empty and skipped those partitions' events for good.
TEST(RelayCrashTest, ARelayKilledWhileRefillingAFreshTopicLeavesNoGap) {
  ScratchDir dir;
  auto cluster = StartEventsCluster(kPartitions);
  ASSERT_NE(cluster, nullptr);
  EventRelayOptions options;
  options.position_file = dir.Sub("relay.position");
  {
    // One workspace's events first (one partition), then everyone's.
    auto log = OpenLogOrDie(dir.Sub("log"));
    for (int i = 0; i < 200; i++) {
      const std::string tenant = i < 100 ? "first" : "tenant-" + std::to_string(i % 6);
      AppendResult result;
      ASSERT_TRUE(log->Append({tenant, "project:p"}, ExpectedVersion::Any(),
                              {CommentEvent("e" + std::to_string(i))}, "", &result)
                      .ok());
    }
    options.kafka.bootstrap = cluster->bootstrap();
    std::unique_ptr<EventRelay> relay;
    ASSERT_TRUE(EventRelay::Open(options, log.get(), &relay).ok());
    ASSERT_TRUE(relay->Start().ok());
    ASSERT_TRUE(WaitPublished(*relay, 200));
    ASSERT_TRUE(relay->Stop().ok());
  }
  // A fresh cluster: the relay publishes everything again, one event at a time, storing its
  // position seldom; it is killed while only the first workspace's partition holds records.
  cluster.reset();
  cluster = StartEventsCluster(kPartitions);
  ASSERT_NE(cluster, nullptr);
  const ChildState s = RunAndKill(dir.path(), cluster->bootstrap(), 0, 0,
                                  [](const ChildState& state, milliseconds) {
                                    return state.published >= 3 && state.published <= 50;
                                  },
                                  {"60000", "1"});
  ASSERT_TRUE(s.error.empty()) << s.error;

  auto log = OpenLogOrDie(dir.Sub("log"));
  options.kafka.bootstrap = cluster->bootstrap();
  std::unique_ptr<EventRelay> relay;
  ASSERT_TRUE(EventRelay::Open(options, log.get(), &relay).ok());
  ASSERT_TRUE(relay->Start().ok());
  ASSERT_TRUE(WaitPublished(*relay, log->LastPosition()));
  ASSERT_TRUE(relay->Stop().ok());
  ExpectTopicHoldsLogOnce(log.get(), ReadWholeTopic(cluster->bootstrap(), "tandem.events"),
                          kPartitions);
}

}  // namespace
}  // namespace tandem::test
