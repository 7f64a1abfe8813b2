#include "tandem/kafka/embedded_cluster.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
// clang-format off: rdkafka_mock.h must follow rdkafka.h
#include <librdkafka/rdkafka_mock.h>
// clang-format on
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "rdkafka_client.h"

namespace tandem {
namespace {

class MockCluster final : public EmbeddedKafkaCluster {
 public:
  MockCluster(kafka::KafkaHandle host, rd_kafka_mock_cluster_t* mock, int brokers)
      : host_(std::move(host)), mock_(mock), brokers_(brokers) {
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(mock_);
  }
  ~MockCluster() override { rd_kafka_mock_cluster_destroy(mock_); }

  const std::string& bootstrap() const override { return bootstrap_; }
  int brokers() const override { return brokers_; }

  Status CreateTopic(const std::string& topic, int partitions) override {
    if (partitions <= 0) {
      return Status::InvalidArgument("kafka.bad_partitions", "a topic needs partitions");
    }
    // Replication factor 1: the mock keeps one copy whatever it is told.
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, 1);
    if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      return Status::InvalidArgument("kafka.topic_exists", "topic " + topic + " exists");
    }
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? Status::OK()
                                             : kafka::KafkaError(err, "creating " + topic);
  }

  Status SetBrokerUp(int id, bool up) override {
    if (id < 1 || id > brokers_) {
      return Status::InvalidArgument("kafka.unknown_broker", "no broker " + std::to_string(id));
    }
    rd_kafka_resp_err_t err =
        up ? rd_kafka_mock_broker_set_up(mock_, id) : rd_kafka_mock_broker_set_down(mock_, id);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? Status::OK()
                                             : kafka::KafkaError(err, "broker up/down");
  }

 private:
  kafka::KafkaHandle host_;  // the client the mock cluster runs inside; outlives it
  rd_kafka_mock_cluster_t* mock_;
  const int brokers_;
  std::string bootstrap_;
};

}  // namespace

Status EmbeddedKafkaCluster::Start(const EmbeddedClusterOptions& options,
                                   std::unique_ptr<EmbeddedKafkaCluster>* cluster) {
  if (options.brokers <= 0 || options.partitions <= 0) {
    return Status::InvalidArgument("kafka.bad_cluster", "the cluster needs brokers and partitions");
  }
  kafka::KafkaConf conf(rd_kafka_conf_new());
  char error[512];
  // The host client never connects anywhere: it only runs the mock brokers.
  if (rd_kafka_conf_set(conf.get(), "log_level", "3", error, sizeof error) != RD_KAFKA_CONF_OK) {
    return Status::InvalidArgument("kafka.bad_config", error);
  }
  kafka::KafkaHandle host;
  Status s = kafka::MakeClient(RD_KAFKA_PRODUCER, std::move(conf), &host);
  if (!s.ok()) return s;
  rd_kafka_mock_cluster_t* mock = rd_kafka_mock_cluster_new(host.get(), options.brokers);
  if (mock == nullptr) return Status::IOError("cannot start the embedded Kafka cluster");
  auto made = std::make_unique<MockCluster>(std::move(host), mock, options.brokers);
  for (const std::string& topic : options.topics) {
    s = made->CreateTopic(topic, options.partitions);
    if (!s.ok()) return s;
  }
  *cluster = std::move(made);
  return Status::OK();
}

Status WriteBootstrapFile(const std::string& path, const std::string& bootstrap) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot write " + temp + ": " + std::strerror(errno));
  const std::string line = bootstrap + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || ::rename(temp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::OK();
}

Status ReadBootstrapFile(const std::string& path, std::string* bootstrap) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("kafka.no_bootstrap_file", "no " + path);
  std::string line;
  std::getline(in, line);
  if (line.empty()) {
    return Status::Corruption("kafka.bad_bootstrap_file", path + " holds no address");
  }
  // Host names, IPv4 and bracketed IPv6 addresses, ports and commas only: the address is printed
  // (as JSON too) and handed to clients, and bytes on disk are not trusted.
  const bool plain = std::all_of(line.begin(), line.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view(".-_:,[]").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (!plain) {
    return Status::Corruption("kafka.bad_bootstrap_file",
                              path + " holds characters no broker address has");
  }
  *bootstrap = line;
  return Status::OK();
}

}  // namespace tandem
