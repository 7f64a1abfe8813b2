// The relay publishes every committed event to the events topic once, in log order per
// partition, also across restarts, a lost position file and a fresh cluster.
#include "tandem/kafka/event_relay.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <fstream>
#include <thread>

#include "metric_value.h"
#include "publish_log.h"
#include "relay_checks.h"
#include "tandem/kafka/embedded_cluster.h"
#include "test_util.h"

namespace tandem::test {
namespace {

constexpr int kPartitions = 4;
const std::vector<std::string> kTenants = {"acme", "globex", "initech", "umbrella", "hooli"};

class EventRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = OpenLogOrDie(dir_.Sub("log"));
    StartCluster();
  }

  void StartCluster() {
    EmbeddedClusterOptions options;
    options.partitions = kPartitions;
    options.topics = {"tandem.events"};
    ASSERT_TRUE(EmbeddedKafkaCluster::Start(options, &cluster_).ok());
  }

  EventRelayOptions Options() {
    EventRelayOptions options;
    options.kafka.bootstrap = cluster_->bootstrap();
    options.position_file = dir_.Sub("relay.position");
    options.store_interval = std::chrono::milliseconds(10);
    return options;
  }

  std::unique_ptr<EventRelay> StartRelay(const EventRelayOptions& options) {
    std::unique_ptr<EventRelay> relay;
    Status s = EventRelay::Open(options, log_.get(), &relay);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (relay) {
      EXPECT_TRUE(relay->Start().ok());
    }
    return relay;
  }

  // `count` comments spread over the tenants and three projects each, a few per append.
  void AppendEvents(int count) {
    for (int i = 0; i < count;) {
      const std::string& tenant = kTenants[static_cast<size_t>(appended_ % kTenants.size())];
      const StreamId stream{tenant, "project:p" + std::to_string(appended_ % 3)};
      std::vector<NewEvent> events;
      for (int k = 0; k < 3 && i < count; k++, i++) {
        events.push_back(CommentEvent("c" + std::to_string(appended_) + "-" + std::to_string(k)));
      }
      AppendResult result;
      ASSERT_TRUE(log_->Append(stream, ExpectedVersion::Any(), events, "", &result).ok());
      appended_++;
    }
  }

  // Runs a relay until everything is published, then stops it.
  void PublishAll(const EventRelayOptions& options) {
    auto relay = StartRelay(options);
    ASSERT_TRUE(relay);
    ASSERT_TRUE(WaitPublished(*relay, log_->LastPosition()));
    ASSERT_TRUE(relay->Stop().ok());
  }

  std::vector<KafkaRecord> Topic() {
    return ReadWholeTopic(cluster_->bootstrap(), "tandem.events");
  }

  ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<EmbeddedKafkaCluster> cluster_;
  uint64_t appended_ = 0;
};

TEST_F(EventRelayTest, EveryCommittedEventArrivesOnceInStreamOrderWithItsBytesAndHeaders) {
  AppendEvents(300);
  auto relay = StartRelay(Options());
  ASSERT_TRUE(WaitPublished(*relay, 300));
  // Events committed while it runs follow.
  AppendEvents(200);
  ASSERT_TRUE(WaitPublished(*relay, 500));
  EXPECT_EQ(relay->Lag(), 0u);
  ASSERT_TRUE(relay->Stop().ok());
  const auto records = Topic();
  ExpectTopicHoldsLogOnce(log_.get(), records, kPartitions);
  // The tenants spread over the partitions.
  std::set<int32_t> partitions;
  for (const auto& r : records) partitions.insert(r.partition);
  EXPECT_GE(partitions.size(), 2u);
}

TEST_F(EventRelayTest, JsonFormatValuesAreTheCommandLineJson) {
  AppendEvents(60);
  EventRelayOptions options = Options();
  options.kafka.event_format = EventFormat::kJson;
  PublishAll(options);
  std::unique_ptr<EventJsonCodec> codec;
  ASSERT_TRUE(EventJsonCodec::Create(&codec).ok());
  ExpectTopicHoldsLogOnce(log_.get(), Topic(), kPartitions, EventFormat::kJson, codec.get());
}

TEST_F(EventRelayTest, PublishedPositionIsStoredForOtherProcesses) {
  uint64_t stored = 99;
  ASSERT_TRUE(ReadPublishedPosition(dir_.Sub("relay.position"), &stored).ok());
  EXPECT_EQ(stored, 0u);
  AppendEvents(40);
  PublishAll(Options());
  ASSERT_TRUE(ReadPublishedPosition(dir_.Sub("relay.position"), &stored).ok());
  EXPECT_EQ(stored, 40u);
}

TEST_F(EventRelayTest, ARelayStartedAgainPublishesOnlyWhatIsNew) {
  AppendEvents(100);
  PublishAll(Options());
  AppendEvents(50);
  PublishAll(Options());
  ExpectTopicHoldsLogOnce(log_.get(), Topic(), kPartitions);
}

TEST_F(EventRelayTest, ARelayWhosePositionFileWasDeletedPublishesNoDuplicate) {
  AppendEvents(100);
  PublishAll(Options());
  ASSERT_EQ(std::remove(dir_.Sub("relay.position").c_str()), 0);
  AppendEvents(30);
  prometheus::Registry registry;
  EventRelayOptions options = Options();
  options.metrics = &registry;
  PublishAll(options);
  ExpectTopicHoldsLogOnce(log_.get(), Topic(), kPartitions);
  // What the topic held was skipped, not sent again.
  EXPECT_EQ(MetricValue(registry, "tandem_relay_skipped_total"), 100);
  EXPECT_EQ(MetricValue(registry, "tandem_relay_events_total"), 30);
}

TEST_F(EventRelayTest, ADamagedPositionFileIsReadAsZeroAndPublishesNoDuplicate) {
  AppendEvents(80);
  PublishAll(Options());
  std::ofstream(dir_.Sub("relay.position"), std::ios::trunc) << "garbage that is not a position";
  uint64_t stored = 0;
  EXPECT_EQ(ReadPublishedPosition(dir_.Sub("relay.position"), &stored).reason(),
            "relay.bad_position_file");
  AppendEvents(20);
  PublishAll(Options());
  ExpectTopicHoldsLogOnce(log_.get(), Topic(), kPartitions);
  ASSERT_TRUE(ReadPublishedPosition(dir_.Sub("relay.position"), &stored).ok());
  EXPECT_EQ(stored, 100u);
}

TEST_F(EventRelayTest, AFreshClusterGetsEveryEventAgain) {
  AppendEvents(70);
  PublishAll(Options());
  // The embedded cluster keeps messages in memory: after a restart the topic is empty.
  cluster_.reset();
  StartCluster();
  prometheus::Registry registry;
  EventRelayOptions options = Options();
  options.metrics = &registry;
  auto relay = StartRelay(options);
  // Its published position says 70 until the tail read finds the topic empty: count deliveries.
  for (int i = 0; i < 3000 && MetricValue(registry, "tandem_relay_events_total") < 70; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(relay->PublishedPosition(), 70u);
  ASSERT_TRUE(relay->Stop().ok());
  ExpectTopicHoldsLogOnce(log_.get(), Topic(), kPartitions);
}

TEST_F(EventRelayTest, AnEventTheProducerRefusesHoldsThePublishedPositionBeforeIt) {
  AppendEvents(10);
  AppendResult result;
  ASSERT_TRUE(log_->Append({"acme", "project:big"}, ExpectedVersion::Any(),
                           {CommentEvent(std::string(5000, 'x'))}, "", &result)
                  .ok());
  AppendEvents(10);
  EventRelayOptions options = Options();
  // Smaller than the big event: every session fails on it and starts again with a tail read.
  options.kafka.client_config["message.max.bytes"] = "3000";
  auto relay = StartRelay(options);
  ASSERT_TRUE(WaitPublished(*relay, 10));
  // Sessions come and go on the refused event; none gets past it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_EQ(relay->PublishedPosition(), 10u);
  EXPECT_EQ(relay->Lag(), 11u);
  ASSERT_TRUE(relay->Stop().ok());
  // Nothing past the refused event went out, and the repeated sessions sent nothing twice.
  EXPECT_EQ(Topic().size(), 10u);
  PublishAll(Options());
  ExpectTopicHoldsLogOnce(log_.get(), Topic(), kPartitions);
}

// The data folder was reset (a new log) but the cluster kept its topic: what the topic holds is
// another log's, and taking it for this one's would skip this log's events silently.
TEST_F(EventRelayTest, ATopicHoldingAnotherLogsEventsPublishesNothingAndSkipsNothing) {
  AppendEvents(60);
  PublishAll(Options());
  for (const int other_events : {10, 120}) {  // fewer and more events than the topic holds
    SCOPED_TRACE(other_events);
    auto other_log = OpenLogOrDie(dir_.Sub("other" + std::to_string(other_events)));
    for (int i = 0; i < other_events; i++) {
      AppendResult result;
      const std::string& tenant = kTenants[static_cast<size_t>(i) % kTenants.size()];
      ASSERT_TRUE(other_log
                      ->Append({tenant, "project:other"}, ExpectedVersion::Any(),
                               {CommentEvent("other" + std::to_string(i))}, "", &result)
                      .ok());
    }
    EventRelayOptions options = Options();
    options.position_file = dir_.Sub("other.position" + std::to_string(other_events));
    std::unique_ptr<EventRelay> relay;
    ASSERT_TRUE(EventRelay::Open(options, other_log.get(), &relay).ok());
    ASSERT_TRUE(relay->Start().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    EXPECT_EQ(relay->PublishedPosition(), 0u);
    ASSERT_TRUE(relay->Stop().ok());
    // The topic is left as it was: the first log's events, once.
    ExpectTopicHoldsLogOnce(log_.get(), Topic(), kPartitions);
  }
}

// Found in review: the log takes events up to max_event_bytes (1 MiB by default), but the
// producer's own default record limit is 1,000,000 bytes: such an event stopped the relay for
// good (every session refused it), though the embedded cluster takes it.
TEST_F(EventRelayTest, AnEventAsLargeAsTheLogTakesIsPublished) {
  AppendEvents(5);
  // A comment event holds its body twice.
  const size_t limit = EventLogOptions().max_event_bytes;
  AppendResult result;
  ASSERT_TRUE(log_->Append({"acme", "project:big"}, ExpectedVersion::Any(),
                           {CommentEvent(std::string((limit - 4096) / 2, 'x'))}, "", &result)
                  .ok());
  AppendEvents(5);
  auto relay = StartRelay(Options());
  EXPECT_TRUE(WaitPublished(*relay, 11, std::chrono::seconds(10)));
  ASSERT_TRUE(relay->Stop().ok());
  ExpectTopicHoldsLogOnce(log_.get(), Topic(), kPartitions);
}

// Found in review: after the topic's partition count grew, a workspace can move to a partition
// that already holds later positions of other workspaces. Its events that Kafka never
// acknowledged on its old partition were at or below that partition's last position, and the
// tail read skipped them: lost for good.
TEST_F(EventRelayTest, AfterThePartitionCountGrewNoEventIsSkippedThatIsNotOnTheTopic) {
  // Workspaces that move from partition 1 or 2 (of 3) to partition 0 (of 4), and others.
  std::vector<std::string> movers, stayers;
  for (int i = 0; movers.size() < 2 || stayers.size() < 2; i++) {
    const std::string tenant = "ws" + std::to_string(i);
    const int32_t before = PartitionForTenant(tenant, 3), after = PartitionForTenant(tenant, 4);
    if (before != 0 && after == 0 && movers.size() < 2) movers.push_back(tenant);
    if (before == 0 && stayers.size() < 2) stayers.push_back(tenant);
  }
  std::vector<std::string> tenants = movers;
  tenants.insert(tenants.end(), stayers.begin(), stayers.end());
  for (int i = 0; i < 80; i++) {
    AppendResult result;
    ASSERT_TRUE(log_->Append({tenants[static_cast<size_t>(i) % tenants.size()], "project:p"},
                             ExpectedVersion::Any(), {CommentEvent("e" + std::to_string(i))}, "",
                             &result)
                    .ok());
  }
  // What a relay left when the topic had 3 partitions: partition 0 acknowledged everything,
  // partitions 1 and 2 only up to position 20; then the topic grew to 4 partitions.
  {
    TestProducer producer(cluster_->bootstrap(), "tandem.events", kPartitions);
    std::vector<RecordedEvent> events;
    ASSERT_TRUE(log_->ReadAll(1, ReadOptions(), &events).ok());
    for (const RecordedEvent& e : events) {
      const int32_t old_partition = PartitionForTenant(e.event().tenant()->string_view(), 3);
      if (old_partition != 0 && e.global_position() > 20) continue;
      EventMessage m;
      ASSERT_TRUE(EncodeEventMessage(e, EventFormat::kFlatBuffers, nullptr, &m).ok());
      ASSERT_TRUE(producer.Send(old_partition, m));
    }
    producer.Flush();
  }
  EventRelayOptions options = Options();
  auto relay = StartRelay(options);
  ASSERT_TRUE(WaitPublished(*relay, 80));
  ASSERT_TRUE(relay->Stop().ok());
  std::set<uint64_t> on_topic;
  for (const auto& r : Topic()) on_topic.insert(PositionOf(r));
  for (uint64_t position = 1; position <= 80; position++) {
    EXPECT_TRUE(on_topic.count(position)) << "position " << position << " is not on the topic";
  }
}

TEST_F(EventRelayTest, MetricsShowPositionLagAndDeliveries) {
  AppendEvents(50);
  prometheus::Registry registry;
  EventRelayOptions options = Options();
  options.metrics = &registry;
  auto relay = StartRelay(options);
  ASSERT_TRUE(WaitPublished(*relay, 50));
  ASSERT_TRUE(relay->Stop().ok());
  EXPECT_EQ(MetricValue(registry, "tandem_relay_published_position"), 50);
  EXPECT_EQ(MetricValue(registry, "tandem_relay_lag_events"), 0);
  EXPECT_EQ(MetricValue(registry, "tandem_relay_events_total"), 50);
  EXPECT_EQ(MetricValue(registry, "tandem_relay_skipped_total"), 0);
}

TEST_F(EventRelayTest, OptionsWithoutAPositionFileOrWithBadSettingsAreRefused) {
  std::unique_ptr<EventRelay> relay;
  EventRelayOptions options = Options();
  options.position_file.clear();
  EXPECT_EQ(EventRelay::Open(options, log_.get(), &relay).reason(), "relay.no_position_file");
  options = Options();
  options.kafka.client_config["no.such.property"] = "1";
  EXPECT_EQ(EventRelay::Open(options, log_.get(), &relay).reason(), "kafka.bad_config");
}

}  // namespace
}  // namespace tandem::test
