// `tandem serve` killed with SIGKILL while its command intake works through a backlog, again and
// again: every command is answered at least once (repeats answered alike, flagged deduplicated)
// and written exactly once. The cluster lives in this test process (`--kafka BOOTSTRAP`), so the
// topics outlive each killed serve.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "kafka_records.h"
#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/kafka_options.h"
#include "test_util.h"

namespace tandem::test {
namespace {

// Kills that land mid-backlog (some command sent still unanswered), in at most kMaxRounds.
constexpr int kKills = 3;
constexpr int kMaxRounds = 3 * kKills;
// Each serve that is killed gets a fresh wave of commands first: a fast serve may have answered
// the whole backlog before its kill, and the next one would then have nothing to answer.
constexpr int kMilestonesPerWave = 700;

class ServeCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedClusterOptions options;
    options.partitions = 2;
    options.topics = {topics_.events, topics_.commands, topics_.command_results};
    ASSERT_TRUE(EmbeddedKafkaCluster::Start(options, &cluster_).ok());
  }
  void TearDown() override {
    if (serve_ > 0) {
      kill(serve_, SIGKILL);
      waitpid(serve_, nullptr, 0);
    }
  }

  // Starts serve on the test's cluster and waits until it says it is ready.
  void StartServe() {
    const std::string out = dir_.Sub("serve.out");
    std::remove(out.c_str());
    serve_ = fork();
    ASSERT_GE(serve_, 0);
    if (serve_ == 0) {
      const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      const std::string data = dir_.Sub("data");
      const std::string bootstrap = cluster_->bootstrap();
      // The mock cluster hands a killed member's partitions over only once its session expired.
      execl(TANDEM_PATH, TANDEM_PATH, "serve", "--data", data.c_str(), "--kafka", bootstrap.c_str(),
            "--kafka-config", "session.timeout.ms=6000", nullptr);
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::stringstream text;
      text << std::ifstream(out).rdbuf();
      if (text.str().find("ready;") != std::string::npos) return;
      ASSERT_EQ(waitpid(serve_, nullptr, WNOHANG), 0) << "serve exited: " << text.str();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "serve was not ready within 30 s";
  }

  int StopServe(int signal) {
    kill(serve_, signal);
    int status = 0;
    waitpid(serve_, &status, 0);
    serve_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // The wave's milestone plans, after the workspace, client and project with the first wave.
  void SendCommands(int wave) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", cluster_->bootstrap().c_str(), err, sizeof err);
    rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    ASSERT_NE(producer, nullptr) << err;
    auto send = [&](const std::string& id, boost::json::object command) {
      command["command_id"] = id;
      command["workspace"] = "northwind";
      command["actor"] = "owner";
      const std::string value = boost::json::serialize(command);
      ids_.push_back(id);
      // Keyed by workspace: the workspace's commands are executed in the order sent.
      ASSERT_EQ(rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topics_.commands.c_str()),
                                  RD_KAFKA_V_KEY("northwind", 9),
                                  RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    };
    if (wave == 0) {
      send("ws", {{"type", "workspace.create"}, {"name", "Northwind"}});
      send("client", {{"type", "client.add"}, {"client_id", "acme"}, {"name", "Acme"}});
      send("project", {{"type", "project.create"},
                       {"project_id", "web"},
                       {"client_id", "acme"},
                       {"name", "Web"}});
    }
    for (int i = wave * kMilestonesPerWave; i < (wave + 1) * kMilestonesPerWave; i++) {
      const std::string m = "m" + std::to_string(i);
      send("plan-" + m, {{"type", "milestone.plan"},
                         {"project_id", "web"},
                         {"milestone_id", m},
                         {"title", m},
                         {"planned_date", "2027-03-01"}});
    }
    ASSERT_EQ(rd_kafka_flush(producer, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(producer);
  }

  std::vector<KafkaRecord> Results(size_t at_least) {
    return ReadTopic(cluster_->bootstrap(), topics_.command_results, at_least,
                     std::chrono::seconds(60));
  }
  // Every result on the topic now.
  std::vector<KafkaRecord> AllResults() {
    return ReadTopic(cluster_->bootstrap(), topics_.command_results, kEveryRecordNow,
                     std::chrono::seconds(60));
  }
  // How many of the commands sent have an answer on the topic now.
  size_t CommandsAnswered() {
    std::set<std::string> answered;
    for (const KafkaRecord& r : AllResults()) answered.insert(r.key);
    return answered.size();
  }

  ScratchDir dir_;
  KafkaTopics topics_;
  std::unique_ptr<EmbeddedKafkaCluster> cluster_;
  pid_t serve_ = -1;
  std::vector<std::string> ids_;
};

TEST_F(ServeCrashTest, KilledServeAnswersEveryCommandAndWritesEachOnce) {
  const unsigned seed = std::random_device()();
  std::cout << "kill delays seeded with " << seed << "\n";
  std::mt19937 random(seed);
  int waves = 0, mid_backlog = 0;
  unsigned max_delay_ms = 400;
  while (mid_backlog < kKills && waves < kMaxRounds) {
    const size_t before = AllResults().size();
    SendCommands(waves++);
    StartServe();
    // Killed once it has answered something more, a moment later: mid-backlog, between a
    // batch's answers and its commit or in the middle of its commands.
    ASSERT_GT(Results(before + 1).size(), before) << "wave " << waves;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(max_delay_ms == 0 ? 0 : random() % max_delay_ms));
    StopServe(SIGKILL);
    if (CommandsAnswered() < ids_.size()) {
      mid_backlog++;
    } else {
      max_delay_ms /= 4;  // this machine answers a wave quickly: kill sooner
    }
  }
  ASSERT_EQ(mid_backlog, kKills) << "the serve answered every wave before its kill";
  StartServe();
  // Every command id answered (repeats allowed); then a clean stop.
  std::map<std::string, std::vector<boost::json::object>> by_id;
  size_t answered = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (by_id.size() < ids_.size() && std::chrono::steady_clock::now() < deadline) {
    std::vector<KafkaRecord> results = AllResults();
    answered = results.size();
    by_id.clear();
    for (const KafkaRecord& r : results) {
      by_id[r.key].push_back(boost::json::parse(r.value).as_object());
    }
  }
  EXPECT_EQ(StopServe(SIGTERM), 0);
  size_t repeats = 0, written_before_a_kill = 0;
  for (const std::string& id : ids_) {
    const auto& answers = by_id[id];
    ASSERT_FALSE(answers.empty()) << id;
    // The first answer may already be a repeat's: killed after the write, before the answer.
    for (size_t i = 0; i < answers.size(); i++) {
      EXPECT_TRUE(answers[i].at("ok").as_bool())
          << id << ": " << boost::json::serialize(answers[i]);
      if (i > 0) {
        EXPECT_TRUE(answers[i].at("deduplicated").as_bool()) << id;
      }
    }
    repeats += answers.size() - 1;
    written_before_a_kill += answers[0].at("deduplicated").as_bool();
  }
  // Each command written once: one MilestonePlanned per milestone in the log.
  std::unique_ptr<EventLog> log = OpenLogOrDie(dir_.Sub("data"));
  std::vector<RecordedEvent> events;
  ReadOptions all;
  all.max_count = SIZE_MAX;
  ASSERT_TRUE(log->ReadAll(1, all, &events).ok());
  int planned = 0;
  for (const RecordedEvent& e : events) {
    planned += e.event().payload_type() == schema::Payload::MilestonePlanned;
  }
  EXPECT_EQ(planned, waves * kMilestonesPerWave);
  std::cout << "answered " << answered << " results for " << ids_.size() << " commands (" << repeats
            << " repeated after kills; " << written_before_a_kill
            << " written before a kill and first answered after it)\n";
}

}  // namespace
}  // namespace tandem::test
