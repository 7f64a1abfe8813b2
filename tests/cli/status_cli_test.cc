// `tandem status` as a user runs it next to a running engine: the log's head, the relay's
// published position and lag, and the embedded cluster's address.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "cli_run.h"
#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/event_relay.h"

namespace tandem::test {
namespace {

class StatusCliTest : public ::testing::Test {
 protected:
  // The log stays open for writing in this process, as `tandem serve` would hold it.
  void SetUp() override { log_ = OpenLogOrDie(dir_.Sub("data")); }

  void Append(int count) {
    for (int i = 0; i < count; i++) {
      AppendResult result;
      ASSERT_TRUE(log_->Append({"acme", "project:p"}, ExpectedVersion::Any(),
                               {CommentEvent("c" + std::to_string(i))}, "", &result)
                      .ok());
    }
  }

  CliRun Status(const std::string& args = "") {
    return RunTandem(dir_, dir_.Sub("data"), "status " + args);
  }

  ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(StatusCliTest, ShowsTheHeadThePublishedPositionTheLagAndTheBootstrap) {
  EmbeddedClusterOptions cluster_options;
  cluster_options.topics = {"tandem.events"};
  std::unique_ptr<EmbeddedKafkaCluster> cluster;
  ASSERT_TRUE(EmbeddedKafkaCluster::Start(cluster_options, &cluster).ok());
  ASSERT_TRUE(WriteBootstrapFile(dir_.Sub("data/kafka.bootstrap"), cluster->bootstrap()).ok());
  Append(30);
  EventRelayOptions options;
  options.kafka.bootstrap = cluster->bootstrap();
  options.position_file = dir_.Sub("data/relay.position");
  std::unique_ptr<EventRelay> relay;
  ASSERT_TRUE(EventRelay::Open(options, log_.get(), &relay).ok());
  ASSERT_TRUE(relay->Start().ok());
  for (int i = 0; i < 3000 && relay->PublishedPosition() < 30; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(relay->Stop().ok());
  Append(12);  // committed while no relay runs: the lag

  CliRun r = Status();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("log head:         42\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("relay published:  30\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("relay lag:        12 events\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("kafka bootstrap:  " + cluster->bootstrap() + "\n"), std::string::npos)
      << r.output;
  r = Status("--format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "{\"log_head\":42,\"relay_published\":30,\"relay_lag\":12,"
            "\"kafka_bootstrap\":\"" +
                cluster->bootstrap() + "\"}\n");
}

TEST_F(StatusCliTest, BeforeTheRelayEverRanTheWholeLogIsLag) {
  Append(5);
  CliRun r = Status();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("relay published:  0\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("relay lag:        5 events\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("kafka bootstrap:  none recorded\n"), std::string::npos) << r.output;
}

TEST_F(StatusCliTest, ADamagedPositionFileIsShownAsUnknown) {
  Append(5);
  std::ofstream(dir_.Sub("data/relay.position")) << "not a position";
  CliRun r = Status();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("relay published:  unknown"), std::string::npos) << r.output;
  r = Status("--format json");
  EXPECT_NE(r.output.find("\"relay_published\":null"), std::string::npos) << r.output;
}

TEST_F(StatusCliTest, AFolderWithoutALogFails) {
  CliRun r = RunTandem(dir_, dir_.Sub("nothing-here"), "status");
  EXPECT_EQ(r.exit_code, 1) << r.output;
}

}  // namespace
}  // namespace tandem::test
