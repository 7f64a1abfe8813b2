// Appends never wait for Kafka: with every broker down the log keeps accepting events and the
// relay's lag grows; when the brokers return everything arrives, in order, once.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metric_value.h"
#include "relay_checks.h"
#include "tandem/kafka/embedded_cluster.h"
#include "test_util.h"

namespace tandem::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPartitions = 4;

void Append(EventLog* log, int first, int count) {
  for (int i = first; i < first + count; i++) {
    const std::string tenant = "tenant-" + std::to_string(i % 7);
    AppendResult result;
    ASSERT_TRUE(log->Append({tenant, "project:p" + std::to_string(i % 2)}, ExpectedVersion::Any(),
                            {CommentEvent("c" + std::to_string(i))}, "", &result)
                    .ok());
  }
}

TEST(RelayOutageTest, AllBrokersDownWhileAppendsContinueLosesNothingAndDuplicatesNothing) {
  ScratchDir dir;
  auto log = OpenLogOrDie(dir.Sub("log"));
  auto cluster = StartEventsCluster(kPartitions, /*brokers=*/2);
  ASSERT_NE(cluster, nullptr);
  prometheus::Registry registry;
  EventRelayOptions options;
  options.kafka.bootstrap = cluster->bootstrap();
  options.position_file = dir.Sub("relay.position");
  options.store_interval = std::chrono::milliseconds(10);
  options.metrics = &registry;
  // Far fewer than the outage's events: the relay waits for room instead of buffering them all.
  options.max_in_flight = 16;
  std::unique_ptr<EventRelay> relay;
  ASSERT_TRUE(EventRelay::Open(options, log.get(), &relay).ok());
  ASSERT_TRUE(relay->Start().ok());
  Append(log.get(), 0, 100);
  ASSERT_TRUE(WaitPublished(*relay, 100));

  for (int b = 1; b <= cluster->brokers(); b++) ASSERT_TRUE(cluster->SetBrokerUp(b, false).ok());
  // Appends go on at their own pace while Kafka is away.
  const auto started = Clock::now();
  Append(log.get(), 100, 300);
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_LE(relay->PublishedPosition(), 100u);
  EXPECT_GE(relay->Lag(), 300u);
  EXPECT_GE(MetricValue(registry, "tandem_relay_lag_events"), 300);

  for (int b = 1; b <= cluster->brokers(); b++) ASSERT_TRUE(cluster->SetBrokerUp(b, true).ok());
  Append(log.get(), 400, 100);
  ASSERT_TRUE(WaitPublished(*relay, 500)) << "published " << relay->PublishedPosition();
  ASSERT_TRUE(relay->Stop().ok());
  EXPECT_EQ(MetricValue(registry, "tandem_relay_lag_events"), 0);
  ExpectTopicHoldsLogOnce(log.get(), ReadWholeTopic(cluster->bootstrap(), "tandem.events"),
                          kPartitions);
}

TEST(RelayOutageTest, StopDuringAnOutageReturnsAfterTheFlushTimeoutAndLosesNothing) {
  ScratchDir dir;
  auto log = OpenLogOrDie(dir.Sub("log"));
  auto cluster = StartEventsCluster(kPartitions);
  ASSERT_NE(cluster, nullptr);
  EventRelayOptions options;
  options.kafka.bootstrap = cluster->bootstrap();
  options.position_file = dir.Sub("relay.position");
  options.flush_timeout = std::chrono::milliseconds(300);
  auto start = [&] {
    std::unique_ptr<EventRelay> relay;
    EXPECT_TRUE(EventRelay::Open(options, log.get(), &relay).ok());
    EXPECT_TRUE(relay->Start().ok());
    return relay;
  };
  auto relay = start();
  Append(log.get(), 0, 50);
  ASSERT_TRUE(WaitPublished(*relay, 50));
  ASSERT_TRUE(cluster->SetBrokerUp(1, false).ok());
  Append(log.get(), 50, 50);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto stopping = Clock::now();
  ASSERT_TRUE(relay->Stop().ok());
  EXPECT_LT(Clock::now() - stopping, std::chrono::seconds(5));
  uint64_t stored = 0;
  ASSERT_TRUE(ReadPublishedPosition(dir.Sub("relay.position"), &stored).ok());
  EXPECT_EQ(stored, 50u);
  relay.reset();

  ASSERT_TRUE(cluster->SetBrokerUp(1, true).ok());
  relay = start();
  ASSERT_TRUE(WaitPublished(*relay, 100));
  ASSERT_TRUE(relay->Stop().ok());
  ExpectTopicHoldsLogOnce(log.get(), ReadWholeTopic(cluster->bootstrap(), "tandem.events"),
                          kPartitions);
}

// A listener that accepts connections and never answers: a cluster behind a black hole.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    bind(fd_, reinterpret_cast<sockaddr*>(&address), size);
    listen(fd_, 64);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    bootstrap_ = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  }
  ~SilentListener() { close(fd_); }
  const std::string& bootstrap() const { return bootstrap_; }

 private:
  int fd_;
  std::string bootstrap_;
};

TEST(RelayOutageTest, StopReturnsSoonWhileTheClusterDoesNotAnswer) {
  ScratchDir dir;
  auto log = OpenLogOrDie(dir.Sub("log"));
  SilentListener silent;
  Append(log.get(), 0, 10);
  EventRelayOptions options;
  options.kafka.bootstrap = silent.bootstrap();
  options.position_file = dir.Sub("relay.position");
  std::unique_ptr<EventRelay> relay;
  ASSERT_TRUE(EventRelay::Open(options, log.get(), &relay).ok());
  ASSERT_TRUE(relay->Start().ok());
  // The session waits for the cluster's metadata: a shutdown must not wait with it.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto stopping = Clock::now();
  ASSERT_TRUE(relay->Stop().ok());
  EXPECT_LT(Clock::now() - stopping, std::chrono::milliseconds(1500));
  EXPECT_EQ(relay->PublishedPosition(), 0u);
  EXPECT_EQ(relay->Lag(), 10u);
}

}  // namespace
}  // namespace tandem::test
