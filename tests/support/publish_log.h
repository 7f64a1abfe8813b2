// Feeding the events topic in tests without the relay: a plain librdkafka producer sends a
// log's events as the relay would (EncodeEventMessage, partition PartitionForTenant), in log
// order, and can send any hand-made record (garbage, missing headers) where a test wants it.
#pragma once
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tandem/kafka/event_message.h"
#include "tandem/log/event_log.h"

namespace tandem::test {

class TestProducer {
 public:
  TestProducer(const std::string& bootstrap, std::string topic, int32_t partitions)
      : topic_(std::move(topic)), partitions_(partitions) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "1", err, sizeof err);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    EXPECT_NE(rk_, nullptr) << err;
  }
  ~TestProducer() {
    Flush();
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
  }
  TestProducer(const TestProducer&) = delete;
  TestProducer& operator=(const TestProducer&) = delete;

  // Sends one record to `partition`; false (and a test failure) when librdkafka refuses it.
  bool Send(int32_t partition, const EventMessage& m) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(m.headers.size());
    for (const auto& [name, value] : m.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);
      ADD_FAILURE() << "produce: " << rd_kafka_err2str(err);
      return false;
    }
    sent_[partition]++;
    rd_kafka_poll(rk_, 0);
    return true;
  }

  // Sends an event to its tenant's partition, as the relay does.
  bool SendEvent(const RecordedEvent& event) {
    EventMessage m;
    Status s = EncodeEventMessage(event, EventFormat::kFlatBuffers, nullptr, &m);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() && Send(PartitionForTenant(event.event().tenant()->str(), partitions_), m);
  }

  // Sends the log's events with positions in [from, to], in log order; `after_each` (when set)
  // runs after each event (pacing, kill points). Returns how many were sent.
  uint64_t SendLog(EventLog* log, uint64_t from = 1, uint64_t to = UINT64_MAX,
                   const std::function<void(uint64_t position)>& after_each = nullptr) {
    uint64_t sent = 0;
    std::vector<RecordedEvent> page;
    for (uint64_t next = from; next <= to; next = page.back().global_position() + 1) {
      EXPECT_TRUE(log->ReadAll(next, ReadOptions(), &page).ok());
      if (page.empty()) break;
      for (const RecordedEvent& e : page) {
        if (e.global_position() > to) return sent;
        if (!SendEvent(e)) return sent;
        sent++;
        if (after_each) after_each(e.global_position());
      }
    }
    return sent;
  }

  // Waits until Kafka acknowledged every record sent.
  void Flush() {
    if (rk_ == nullptr) return;
    EXPECT_EQ(rd_kafka_flush(rk_, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  // Records sent per partition: on a fresh topic, each partition's end offset.
  const std::map<int32_t, int64_t>& sent() const { return sent_; }
  int32_t partitions() const { return partitions_; }

 private:
  std::string topic_;
  int32_t partitions_;
  rd_kafka_t* rk_ = nullptr;
  std::map<int32_t, int64_t> sent_;
};

}  // namespace tandem::test
