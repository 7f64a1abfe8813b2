// librdkafka handles owned by RAII, and client configuration built from KafkaOptions with
// errors as Status. Internal to the Kafka module.
#pragma once
#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "tandem/basics/status.h"
#include "tandem/kafka/kafka_options.h"

namespace tandem::kafka {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  void operator()(rd_kafka_headers_t* h) const { rd_kafka_headers_destroy(h); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaDeleter>;
using KafkaMessage = std::unique_ptr<rd_kafka_message_t, KafkaDeleter>;

// A configuration with bootstrap.servers, then `settings` (Tandem's choices for this client),
// then the user's client_config (which wins). InvalidArgument (kafka.bad_config) naming the
// property librdkafka refused.
Status MakeConf(const KafkaOptions& options, const std::map<std::string, std::string>& settings,
                KafkaConf* conf);

// Creates a producer or consumer from `conf` (taken over whether or not it succeeds).
Status MakeClient(rd_kafka_type_t type, KafkaConf conf, KafkaHandle* handle);

// Status for a librdkafka error code, naming what failed.
Status KafkaError(rd_kafka_resp_err_t err, const std::string& what);

// Partitions of `topic` per the cluster's metadata (NotFound kafka.unknown_topic when the
// topic does not exist), waiting up to `timeout_ms`.
Status PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms, int32_t* count);

}  // namespace tandem::kafka
