// EmbeddedKafkaCluster: librdkafka's mock cluster started inside this process, so that a
// newcomer, the tests and `tandem serve` need no broker. Real clients (kcat, confluent-kafka,
// any librdkafka or Java client) reach it over loopback at bootstrap().
//
// Contract:
//  - Messages live in this process's memory only, and the mock keeps about 5 MiB per partition
//    (older batches are dropped silently): it is for development and tests. RocksDB stays the
//    durable record; the relay publishes everything again into a fresh, empty cluster.
//  - Start creates the given topics with `partitions` partitions each (the mock has no Admin
//    API; topics it auto-creates get 4). Ports are chosen by the system on each start.
//  - Destroying the cluster closes its brokers; clients connected to it see them go down.
//  - Broker up/down exists for fault tests (a broker outage while appends continue).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tandem/basics/status.h"

namespace tandem {

struct EmbeddedClusterOptions {
  int brokers = 1;
  int partitions = 4;
  // Topics created at start, each with `partitions` partitions.
  std::vector<std::string> topics;
};

class EmbeddedKafkaCluster {
 public:
  static Status Start(const EmbeddedClusterOptions& options,
                      std::unique_ptr<EmbeddedKafkaCluster>* cluster);
  virtual ~EmbeddedKafkaCluster() = default;

  // "127.0.0.1:port,..." of every broker.
  virtual const std::string& bootstrap() const = 0;
  virtual int brokers() const = 0;
  // Creates a topic (InvalidArgument if it exists with another partition count).
  virtual Status CreateTopic(const std::string& topic, int partitions) = 0;
  // Takes broker `id` (1..brokers()) down or brings it back: its connections are closed and
  // new ones refused while down.
  virtual Status SetBrokerUp(int id, bool up) = 0;
};

// Writes the bootstrap address to `path` (replacing it atomically), for clients of another
// process to find the embedded cluster (`<data>/kafka.bootstrap`).
Status WriteBootstrapFile(const std::string& path, const std::string& bootstrap);
// Reads what WriteBootstrapFile wrote; NotFound when there is no such file.
Status ReadBootstrapFile(const std::string& path, std::string* bootstrap);

}  // namespace tandem
