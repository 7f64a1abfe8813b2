// When a Kafka-fed view is served, against librdkafka's mock cluster: a partition whose leader
// is away keeps the view unserved without stalling the others, and a partition without records
// does not make a served view unserved when its worker restarts. (The rules one by one, on the
// fold alone: worker_fold_ready_test.)
#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "publish_log.h"
#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/kafka_projection_worker.h"
#include "worker_world.h"

namespace tandem::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kView[] = "client-timeline";

class KafkaWorkerReadyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<CommandWorld>(dir_.Sub("world"));
    BuildWorkerWorld(world_.get(), 300, 7);
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &store_).ok());
  }
  void TearDown() override {
    store_.reset();
    if (mock_ != nullptr) rd_kafka_mock_cluster_destroy(mock_);
    if (mock_rk_ != nullptr) rd_kafka_destroy(mock_rk_);
  }

  // A mock cluster of two brokers: partition 0 led by broker 1 (also the group's
  // coordinator), partition 1 by broker 2.
  std::string StartTwoBrokers(const std::string& group) {
    char err[512];
    mock_rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
    mock_ = rd_kafka_mock_cluster_new(mock_rk_, 2);
    const std::string events = KafkaTopics().events;  // the topics are a temporary
    const char* topic = events.c_str();
    EXPECT_EQ(rd_kafka_mock_topic_create(mock_, topic, 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(rd_kafka_mock_partition_set_leader(mock_, topic, 0, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(rd_kafka_mock_partition_set_leader(mock_, topic, 1, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(rd_kafka_mock_coordinator_set(mock_, "group", group.c_str(), 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    return rd_kafka_mock_cluster_bootstraps(mock_);
  }

  // Every event of the log to `partition`.
  uint64_t SendAllTo(TestProducer* producer, int32_t partition) {
    uint64_t n = 0;
    std::vector<RecordedEvent> page;
    for (uint64_t next = 1;; next = page.back().global_position() + 1) {
      EXPECT_TRUE(world_->log()->ReadAll(next, ReadOptions(), &page).ok());
      if (page.empty()) break;
      for (const RecordedEvent& e : page) {
        EventMessage m;
        EXPECT_TRUE(EncodeEventMessage(e, EventFormat::kFlatBuffers, nullptr, &m).ok());
        producer->Send(partition, m);
        n++;
      }
    }
    producer->Flush();
    return n;
  }

  std::unique_ptr<KafkaProjectionWorker> StartWorker(const std::string& bootstrap,
                                                     const std::string& group,
                                                     KafkaWorkerOptions options = {}) {
    return StartKafkaWorker(options, bootstrap, group, kView, store_.get());
  }

  Status Served() { return ServedStatus(store_.get(), kView); }

  ScratchDir dir_;
  std::unique_ptr<CommandWorld> world_;
  std::unique_ptr<ViewStore> store_;
  rd_kafka_t* mock_rk_ = nullptr;
  rd_kafka_mock_cluster_t* mock_ = nullptr;
};

TEST_F(KafkaWorkerReadyTest,
       APartitionWhoseLeaderIsAwayKeepsTheViewUnservedWithoutStallingTheOthers) {
  const std::string bootstrap = StartTwoBrokers("g-stall");
  TestProducer producer(bootstrap, KafkaTopics().events, 2);
  const uint64_t n = SendAllTo(&producer, 0);
  ASSERT_GT(n, 300u);
  ASSERT_EQ(rd_kafka_mock_broker_set_down(mock_, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
  auto worker = StartWorker(bootstrap, "g-stall");
  const auto began = Clock::now();
  while (worker->EventsFolded() < n && Clock::now() - began < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(worker->EventsFolded(), n) << "partition 0 is not folded while 1's leader is away";
  // Partition 1 never reported its end: the view cannot say it holds every workspace.
  EXPECT_EQ(Served().reason(), "view.not_built");
  const auto stop_began = Clock::now();
  ASSERT_TRUE(worker->Stop().ok());
  EXPECT_LT(Clock::now() - stop_began, std::chrono::seconds(5));
}

// Partition 0 never has a record; partition 1 gets records while the worker is down.
TEST_F(KafkaWorkerReadyTest, AServedViewWithAnEmptyPartitionStaysServedAcrossARestart) {
  std::unique_ptr<EmbeddedKafkaCluster> cluster;
  EmbeddedClusterOptions co;
  co.partitions = 2;
  co.topics = {KafkaTopics().events};
  ASSERT_TRUE(EmbeddedKafkaCluster::Start(co, &cluster).ok());
  TestProducer producer(cluster->bootstrap(), KafkaTopics().events, 2);
  const uint64_t n = SendAllTo(&producer, 1);
  {
    auto worker = StartWorker(cluster->bootstrap(), "g-flap");
    const auto began = Clock::now();
    while (!(worker->EventsFolded() == n && Served().ok()) &&
           Clock::now() - began < std::chrono::seconds(15)) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    ASSERT_TRUE(Served().ok()) << Served().ToString();
    ASSERT_TRUE(worker->Stop().ok());
  }
  // While it was down, partition 1 got n more records (the log again: duplicates, skipped).
  ASSERT_EQ(SendAllTo(&producer, 1), n);
  std::mutex mu;
  std::vector<bool> served;
  KafkaWorkerOptions options;
  options.max_batch_events = 50;
  options.on_commit = [&](int32_t, uint64_t) {
    std::lock_guard<std::mutex> lock(mu);
    served.push_back(Served().ok());
  };
  auto worker = StartWorker(cluster->bootstrap(), "g-flap", options);
  const auto began = Clock::now();
  while (worker->RecordsSkipped() < n && Clock::now() - began < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_TRUE(worker->Stop().ok());
  std::lock_guard<std::mutex> lock(mu);
  const auto unserved = std::count(served.begin(), served.end(), false);
  EXPECT_GT(served.size(), 1u);
  EXPECT_EQ(unserved, 0) << "of " << served.size() << " commits after the restart";
}

}  // namespace
}  // namespace tandem::test
