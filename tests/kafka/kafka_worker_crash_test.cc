// Kafka-fed workers as real `tandem worker` processes, killed with SIGKILL while records keep
// arriving. The embedded cluster lives in this (the parent) process, so the topic survives
// every kill. After each kill the worker's view must hold exactly the records before its
// stored offsets (it hashes like a fold of those events); in the end it hashes like the
// log-fed view.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "cli_run.h"
#include "publish_log.h"
#include "tandem/kafka/embedded_cluster.h"
#include "worker_world.h"

namespace tandem::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kView = "internal-timeline";

// `tandem worker` in a child process, its stdout and stderr (info log lines) read back.
class WorkerProcess {
 public:
  WorkerProcess(const std::string& data, const std::string& group, const std::string& bootstrap) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      dup2(fds[1], STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      setenv("TANDEM_LOG_LEVEL", "info", 1);
      // A killed member is noticed after its session times out; short here, so the group
      // rebalances within the test's patience.
      execl(TANDEM_PATH, "tandem", "worker", "--projection", kView, "--group", group.c_str(),
            "--kafka", bootstrap.c_str(), "--data", data.c_str(), "--kafka-config",
            "session.timeout.ms=4000", "--kafka-config", "heartbeat.interval.ms=300", nullptr);
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
    fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~WorkerProcess() {
    if (pid_ > 0) Signal(SIGKILL);
    if (fd_ >= 0) close(fd_);
  }

  // Everything the child wrote so far.
  const std::string& Output() {
    char buf[4096];
    for (ssize_t n; (n = read(fd_, buf, sizeof buf)) > 0;) output_.append(buf, n);
    return output_;
  }
  size_t Count(const std::string& text) {
    size_t n = 0;
    const std::string& out = Output();
    for (size_t at = out.find(text); at != std::string::npos; at = out.find(text, at + 1)) n++;
    return n;
  }
  // Waits until `text` appeared `times` times in the child's output.
  bool WaitFor(const std::string& text, size_t times = 1, seconds timeout = seconds(30)) {
    const auto deadline = Clock::now() + timeout;
    while (Count(text) < times) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return true;
  }
  // Sends `sig` and reaps the child; its wait status.
  int Signal(int sig) {
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    Output();
    return status;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
};

class KafkaWorkerCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WorkerScene scene;
    StartWorkerScene(dir_.Sub("world"), 1200, 11, &scene);
    cluster_ = std::move(scene.cluster);
    world_ = std::move(scene.world);
    producer_ = std::move(scene.producer);
  }

  // Publishes the log's events after `published_` up to `to`, paced like a live relay;
  // `at_fraction` (0..1) of the way, `midway` runs once.
  void Publish(uint64_t to, double at_fraction = 2, const std::function<void()>& midway = nullptr) {
    const uint64_t from = published_ + 1;
    const uint64_t kill_at = from + static_cast<uint64_t>((to - from) * at_fraction);
    producer_->SendLog(world_->log(), from, to, [&](uint64_t position) {
      published_ = position;
      if (position % 20 == 0) std::this_thread::sleep_for(milliseconds(5));
      if (position == kill_at && midway) midway();
    });
    producer_->Flush();
  }

  // The worker's view holds exactly the records before its stored offsets.
  void ExpectViewMatchesItsOffsets(const std::string& data, const std::string& what) {
    const auto offsets = StoredOffsets(data + "/views", kView);
    std::unique_ptr<ViewStore> store;
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), data + "/views", &store).ok());
    const std::string stored = StoredHashOf(store.get(), kView);
    store.reset();
    EXPECT_EQ(stored, ExpectedHash(world_->log(), dir_.Sub("expected-" + std::to_string(++n_)),
                                   kView, offsets))
        << what;
  }

  // Records the worker in `data` has stored as read (the sum of its next offsets).
  static int64_t StoredRecords(const std::string& data) {
    int64_t n = 0;
    for (const auto& [partition, next] : StoredOffsets(data + "/views", kView)) n += next;
    return n;
  }

  // Waits until the worker in `data` stored more than `records` records.
  static bool WaitForProgress(const std::string& data, int64_t records) {
    const auto deadline = Clock::now() + seconds(20);
    while (StoredRecords(data) <= records) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
  }

  // Waits until the worker in `data` stored the end of every partition, and serves its view.
  bool WaitForEnd(const std::string& data, seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (StoredOffsets(data + "/views", kView) != producer_->sent() ||
           !StoredServed(data + "/views", kView)) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return true;
  }

  std::string LogFed() { return LogFedHashes(world_->log(), dir_.Sub("log-fed"), {kView})[kView]; }

  ScratchDir dir_;
  std::unique_ptr<EmbeddedKafkaCluster> cluster_;
  std::unique_ptr<CommandWorld> world_;
  std::unique_ptr<TestProducer> producer_;
  uint64_t published_ = 0;
  int n_ = 0;
};

TEST_F(KafkaWorkerCrashTest, AWorkerKilledMidStreamAgainAndAgainEndsEqualToTheLogFedView) {
  const std::string data = dir_.Sub("worker");
  const uint64_t last = world_->log()->LastPosition();
  const uint64_t seed = std::random_device()();
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  constexpr int kKills = 3;
  for (int round = 0; round < kKills; round++) {
    // A group of its own each round, so no dead member's session delays the join: the group
    // holds nothing, the offsets live with the view.
    WorkerProcess worker(data, "g" + std::to_string(round), cluster_->bootstrap());
    ASSERT_TRUE(worker.WaitFor("worker assigned")) << worker.Output();
    std::uniform_real_distribution<double> fraction(0.2, 0.9);
    const int64_t before = StoredRecords(data);
    Publish(last * (round + 1) / (kKills + 1), fraction(rng), [&] {
      // Killed once it has committed something this round, between or inside batches.
      EXPECT_TRUE(WaitForProgress(data, before)) << worker.Output();
      std::this_thread::sleep_for(milliseconds(rng() % 20));
      EXPECT_TRUE(WIFSIGNALED(worker.Signal(SIGKILL)));
    });
    ExpectViewMatchesItsOffsets(data, "after kill " + std::to_string(round));
  }
  WorkerProcess worker(data, "g-last", cluster_->bootstrap());
  ASSERT_TRUE(worker.WaitFor("worker assigned")) << worker.Output();
  Publish(last);
  ASSERT_TRUE(WaitForEnd(data, seconds(60))) << worker.Output();
  const int status = worker.Signal(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << worker.Output();
  EXPECT_NE(worker.Output().find("tandem worker: stopped"), std::string::npos);
  std::unique_ptr<ViewStore> store;
  ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), data + "/views", &store).ok());
  EXPECT_EQ(HashOf(store.get(), kView), LogFed());
  EXPECT_EQ(TimelineMilestoneComments(store.get(), kView), LogMilestoneComments(world_->log()));
}

TEST_F(KafkaWorkerCrashTest, OfTwoWorkersInAGroupTheSurvivorTakesOverAKilledOnesPartitions) {
  const std::string a_data = dir_.Sub("a"), b_data = dir_.Sub("b");
  const uint64_t last = world_->log()->LastPosition();
  WorkerProcess a(a_data, "pair", cluster_->bootstrap());
  ASSERT_TRUE(a.WaitFor("worker assigned")) << a.Output();
  WorkerProcess b(b_data, "pair", cluster_->bootstrap());
  // B's arrival rebalances the group: A is assigned again, B gets its share.
  ASSERT_TRUE(b.WaitFor("worker assigned")) << b.Output();
  ASSERT_TRUE(a.WaitFor("worker assigned", 2)) << a.Output();
  Publish(last / 2);
  bool a_killed = false;
  Publish(last * 3 / 4, 0.5, [&] {
    // Both fold their share by now.
    EXPECT_TRUE(WaitForProgress(a_data, 0)) << a.Output();
    EXPECT_TRUE(WaitForProgress(b_data, 0)) << b.Output();
    a.Signal(SIGKILL);
    a_killed = true;
  });
  ASSERT_TRUE(a_killed);
  Publish(last);
  // The survivor notices A's session end, is assigned every partition and folds A's share
  // from the beginning (it never had it): it stores the end of all four.
  ASSERT_TRUE(WaitForEnd(b_data, seconds(60))) << b.Output();
  const int status = b.Signal(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << b.Output();
  // `tandem view-hash` on the survivor's folder (views, no log) says the same as on the log.
  const CliRun hashed = RunTandem(dir_, b_data, std::string("view-hash ") + kView);
  EXPECT_EQ(hashed.exit_code, 0) << hashed.output;
  EXPECT_NE(hashed.output.find("sha256=" + LogFed()), std::string::npos) << hashed.output;
  ExpectViewMatchesItsOffsets(a_data, "the killed worker");
}

TEST_F(KafkaWorkerCrashTest, AnUnknownProjectionIsAUsageError) {
  const CliRun run = RunTandem(dir_, dir_.Sub("w"),
                               "worker --projection timeline --kafka " + cluster_->bootstrap());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("unknown stored view 'timeline'"), std::string::npos) << run.output;
}

TEST_F(KafkaWorkerCrashTest, AWorkerRefusesADataFolderThatHoldsALog) {
  const CliRun run =
      RunTandem(dir_, dir_.Sub("world/log"),
                "worker --projection client-timeline --kafka " + cluster_->bootstrap());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("worker.data_has_log"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace tandem::test
