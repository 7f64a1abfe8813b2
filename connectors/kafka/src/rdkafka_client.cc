#include "rdkafka_client.h"

#include <cstring>

namespace tandem::kafka {

Status MakeConf(const KafkaOptions& options, const std::map<std::string, std::string>& settings,
                KafkaConf* conf) {
  KafkaConf made(rd_kafka_conf_new());
  char error[512];
  auto set = [&](const std::string& name, const std::string& value) {
    if (rd_kafka_conf_set(made.get(), name.c_str(), value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
      return Status::InvalidArgument("kafka.bad_config", name + ": " + error);
    }
    return Status::OK();
  };
  if (options.bootstrap.empty()) {
    return Status::InvalidArgument("kafka.no_bootstrap", "no Kafka bootstrap address given");
  }
  Status s = set("bootstrap.servers", options.bootstrap);
  for (const auto& [name, value] : settings) {
    if (s.ok()) s = set(name, value);
  }
  for (const auto& [name, value] : options.client_config) {
    if (s.ok()) s = set(name, value);
  }
  if (!s.ok()) return s;
  *conf = std::move(made);
  return Status::OK();
}

Status MakeClient(rd_kafka_type_t type, KafkaConf conf, KafkaHandle* handle) {
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof error);
  if (rk == nullptr) return Status::InvalidArgument("kafka.bad_config", error);
  (void)conf.release();  // rd_kafka_new owns it now
  handle->reset(rk);
  return Status::OK();
}

Status KafkaError(rd_kafka_resp_err_t err, const std::string& what) {
  const std::string message = what + ": " + rd_kafka_err2str(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      return Status::TimedOut(message);
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return Status::NotFound("kafka.unknown_topic", message);
    default:
      return Status::IOError(message);
  }
}

Status PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms, int32_t* count) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &metadata, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError(err, "metadata of " + topic);
  Status s = Status::NotFound("kafka.unknown_topic", "no topic " + topic);
  for (int i = 0; i < metadata->topic_cnt; i++) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic != t.topic) continue;
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      s = KafkaError(t.err, "metadata of " + topic);
    } else if (t.partition_cnt > 0) {
      *count = t.partition_cnt;
      s = Status::OK();
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return s;
}

}  // namespace tandem::kafka
