// Reading a topic back in tests with a plain librdkafka consumer (no group, no Tandem code),
// as a downstream system would: every record of every partition, with its headers.
#pragma once
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace tandem::test {

struct KafkaRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key, value;
  std::map<std::string, std::string> headers;
};

// Asks ReadTopic for every record the topic holds when it starts reading (its partitions' high
// watermarks then), however long that takes up to the timeout: a loaded machine slows the read
// but does not cut it short.
inline constexpr size_t kEveryRecordNow = SIZE_MAX;

// Every record of `topic` from the beginning until `expected` records were read (all of them,
// with kEveryRecordNow) or `timeout` passed. Records are in partition order, then offset order.
inline std::vector<KafkaRecord> ReadTopic(
    const std::string& bootstrap, const std::string& topic, size_t expected,
    std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  std::vector<KafkaRecord> records;
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  // Assigned partitions, no group membership; the group only names the reader.
  rd_kafka_conf_set(conf, "group.id", "tandem-test-reader", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) return records;
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  int partitions = 0;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (md->topic_cnt == 1) partitions = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(rkt);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::map<int32_t, std::pair<int64_t, int64_t>> to_read;  // partition -> next offset, end
  for (int p = 0; expected == kEveryRecordNow && p < partitions; p++) {
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 10000) ==
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      to_read[p] = {low, high};
    }
  }
  auto read_to_end = [&] {
    if (expected != kEveryRecordNow || static_cast<int>(to_read.size()) != partitions) {
      return false;
    }
    for (const auto& [p, range] : to_read) {
      if (range.first < range.second) return false;
    }
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::map<int32_t, std::vector<KafkaRecord>> by_partition;
  size_t count = 0;
  while (count < expected && !read_to_end() && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      KafkaRecord r;
      r.partition = m->partition;
      r.offset = m->offset;
      if (m->key != nullptr) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload != nullptr) r.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0;
             rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             i++) {
          r.headers[name] = std::string(static_cast<const char*>(value), size);
        }
      }
      if (auto at = to_read.find(r.partition); at != to_read.end()) {
        at->second.first = std::max(at->second.first, r.offset + 1);
      }
      by_partition[r.partition].push_back(std::move(r));
      count++;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  for (auto& [p, list_of] : by_partition) {
    for (auto& r : list_of) records.push_back(std::move(r));
  }
  return records;
}

}  // namespace tandem::test
