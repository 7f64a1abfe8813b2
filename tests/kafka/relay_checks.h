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
#include "tandem/kafka/event_message.h"
#include "tandem/kafka/event_relay.h"
#include "tandem/log/event_log.h"

namespace tandem::test {

// The global position a record carries (0 when it has none).
inline uint64_t PositionOf(const KafkaRecord& r) {
  auto it = r.headers.find(event_headers::kGlobalPosition);
  uint64_t position = 0;
  if (it == r.headers.end() || !ParseGlobalPositionHeader(it->second, &position).ok()) return 0;
  return position;
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
