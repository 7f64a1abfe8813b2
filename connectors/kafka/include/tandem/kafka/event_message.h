// How an event becomes a Kafka record on the events topic, and how a consumer gets it back.
//
// Contract (what downstream consumers may rely on; the README's "Kafka" section says the same):
//  - Key: the event's stream, "tenant/stream" (e.g. "northwind/project:website").
//  - Partition: chosen by the tenant (murmur2 of the tenant, as Kafka's default partitioner
//    hashes a key), so every event of a workspace is on one partition in log order. Per
//    partition, global positions strictly increase; a project's events are in stream order.
//  - Value: the event's FlatBuffer (tandem_events.fbs) or its JSON form, per EventFormat.
//  - Headers (ASCII): tandem.event_type (payload type name), tandem.schema_version,
//    tandem.tenant, tandem.global_position (decimal), tandem.event_id, tandem.format
//    ("flatbuffers" or "json").
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tandem/basics/status.h"
#include "tandem/codec/event_json.h"
#include "tandem/events/recorded_event.h"
#include "tandem/kafka/kafka_options.h"

namespace tandem {

namespace event_headers {
inline constexpr const char* kEventType = "tandem.event_type";
inline constexpr const char* kSchemaVersion = "tandem.schema_version";
inline constexpr const char* kTenant = "tandem.tenant";
inline constexpr const char* kGlobalPosition = "tandem.global_position";
inline constexpr const char* kEventId = "tandem.event_id";
inline constexpr const char* kFormat = "tandem.format";
}  // namespace event_headers

struct EventMessage {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The partition of `tenant`'s events among `partition_count` (> 0).
int32_t PartitionForTenant(std::string_view tenant, int32_t partition_count);

// `json` is needed (non-null) only for EventFormat::kJson.
Status EncodeEventMessage(const RecordedEvent& event, EventFormat format,
                          const EventJsonCodec* json, EventMessage* message);

// A FlatBuffers record value back into an event: the verifier and the envelope checks run
// first, so bytes that fail are Corruption (reason kafka.unverifiable_event), never data.
Status DecodeEventValue(std::string_view value, RecordedEvent* event);

// The global position a record's headers carry; Corruption (kafka.missing_position) when the
// header is absent or not a decimal number.
Status ParseGlobalPositionHeader(std::string_view header_value, uint64_t* position);

}  // namespace tandem
