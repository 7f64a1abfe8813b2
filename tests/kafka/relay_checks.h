// What the relay's tests check about the events topic against the log: every event of the log
// exactly once, on its tenant's partition, per partition in strictly increasing positions, each
// record's key, value and headers as the record format says.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "kafka_records.h"
#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/event_message.h"
#include "tandem/kafka/event_relay.h"
#include "tandem/log/event_log.h"

namespace tandem::test {

// The global position a record carries (0 when it has none).
// An embedded cluster of `brokers` with the events topic in `partitions` partitions; null (and
// the test failed) when it cannot start.
inline std::unique_ptr<EmbeddedKafkaCluster> StartEventsCluster(int partitions, int brokers = 1) {
  EmbeddedClusterOptions options;
  options.brokers = brokers;
  options.partitions = partitions;
  options.topics = {KafkaTopics().events};
  std::unique_ptr<EmbeddedKafkaCluster> cluster;
  Status s = EmbeddedKafkaCluster::Start(options, &cluster);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return cluster;
}

inline uint64_t PositionOf(const KafkaRecord& r) {
  auto it = r.headers.find(event_headers::kGlobalPosition);
  uint64_t position = 0;
  if (it == r.headers.end() || !ParseGlobalPositionHeader(it->second, &position).ok()) return 0;
  return position;
}

// Every record the topic holds now (as its watermarks count them), so that a check sees
// duplicates too, not only the first records it expects.
inline std::vector<KafkaRecord> ReadWholeTopic(const std::string& bootstrap,
                                               const std::string& topic) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  int partitions = 0;
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (md->topic_cnt == 1) partitions = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(rkt);
  size_t total = 0;
  for (int32_t p = 0; p < partitions; p++) {
    int64_t low = 0, high = 0;
    EXPECT_EQ(rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 10000),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    total += static_cast<size_t>(high - low);
  }
  rd_kafka_destroy(rk);
  return ReadTopic(bootstrap, topic, total);
}

// Waits until the relay's published position reaches `position`; false after `timeout`.
inline bool WaitPublished(const EventRelay& relay, uint64_t position,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (relay.PublishedPosition() < position) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Checks the topic's `records` against the log: each of its events once, nothing else.
inline void ExpectTopicHoldsLogOnce(EventLog* log, const std::vector<KafkaRecord>& records,
                                    int32_t partitions,
                                    EventFormat format = EventFormat::kFlatBuffers,
                                    const EventJsonCodec* json = nullptr) {
  const uint64_t head = log->LastPosition();
  std::map<uint64_t, int> seen;
  std::map<int32_t, uint64_t> last_in_partition;
  std::map<std::string, uint64_t> last_version_of_key;
  for (const KafkaRecord& r : records) {
    const uint64_t position = PositionOf(r);
    ASSERT_GT(position, 0u) << "record at partition " << r.partition << " offset " << r.offset;
    seen[position]++;
    EXPECT_GT(position, last_in_partition[r.partition])
        << "partition " << r.partition << " offset " << r.offset << " goes back";
    last_in_partition[r.partition] = position;
    RecordedEvent event;
    ASSERT_TRUE(log->Get(position, &event).ok()) << position;
    const schema::Event& e = event.event();
    const std::string tenant = e.tenant()->str();
    EXPECT_EQ(r.partition, PartitionForTenant(tenant, partitions)) << position;
    EXPECT_EQ(r.key, tenant + "/" + e.stream_id()->str());
    // Per stream (key), versions follow one another: a project's events in stream order.
    uint64_t& last_version = last_version_of_key[r.key];
    EXPECT_EQ(event.stream_version(), last_version + 1) << r.key << " at " << position;
    last_version = event.stream_version();
    if (format == EventFormat::kFlatBuffers) {
      RecordedEvent decoded;
      ASSERT_TRUE(DecodeEventValue(r.value, &decoded).ok()) << position;
      EXPECT_EQ(decoded.bytes(), event.bytes()) << position;
    } else {
      std::string expected;
      ASSERT_TRUE(json->ToJson(event, &expected).ok());
      EXPECT_EQ(r.value, expected) << position;
    }
    EXPECT_EQ(r.headers.at(event_headers::kEventType), schema::EnumNamePayload(e.payload_type()));
    EXPECT_EQ(r.headers.at(event_headers::kSchemaVersion), std::to_string(e.schema_version()));
    EXPECT_EQ(r.headers.at(event_headers::kTenant), tenant);
    EXPECT_EQ(r.headers.at(event_headers::kEventId), e.event_id()->str());
    EXPECT_EQ(r.headers.at(event_headers::kFormat), EventFormatName(format));
  }
  uint64_t missing = 0, duplicated = 0;
  for (uint64_t p = 1; p <= head; p++) {
    auto it = seen.find(p);
    if (it == seen.end()) {
      if (missing++ < 5) ADD_FAILURE() << "position " << p << " is not on the topic";
    } else if (it->second > 1) {
      if (duplicated++ < 5) ADD_FAILURE() << "position " << p << " is " << it->second << " times";
    }
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(duplicated, 0u);
  EXPECT_EQ(records.size(), head) << "the topic holds other records than the log's events";
}

}  // namespace tandem::test
