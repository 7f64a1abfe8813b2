#include "tandem/kafka/event_message.h"

#include <librdkafka/rdkafka.h>

#include <charconv>

#include "tandem/events/event_record.h"

namespace tandem {

int32_t PartitionForTenant(std::string_view tenant, int32_t partition_count) {
  // The same hash Kafka's Java client and librdkafka's murmur2 partitioner give a key, so a
  // tool that partitions by tenant lands on the same partition.
  return rd_kafka_msg_partitioner_murmur2(nullptr, tenant.data(), tenant.size(), partition_count,
                                          nullptr, nullptr);
}

Status EncodeEventMessage(const RecordedEvent& recorded, EventFormat format,
                          const EventJsonCodec* json, EventMessage* message) {
  const schema::Event& event = recorded.event();
  message->key = event.tenant()->str() + "/" + event.stream_id()->str();
  if (format == EventFormat::kJson) {
    if (json == nullptr) {
      return Status::InvalidArgument("kafka.no_json_codec", "the JSON format needs a codec");
    }
    Status s = json->ToJson(recorded, &message->value);
    if (!s.ok()) return s;
  } else {
    message->value.assign(recorded.bytes());
  }
  message->headers = {
      {event_headers::kEventType, schema::EnumNamePayload(event.payload_type())},
      {event_headers::kSchemaVersion, std::to_string(event.schema_version())},
      {event_headers::kTenant, event.tenant()->str()},
      {event_headers::kGlobalPosition, std::to_string(event.global_position())},
      {event_headers::kEventId, event.event_id() != nullptr ? event.event_id()->str() : ""},
      {event_headers::kFormat, EventFormatName(format)},
  };
  return Status::OK();
}

Status DecodeEventValue(std::string_view value, RecordedEvent* event) {
  Status s = event_record::Verify(value, 0);
  if (!s.ok()) {
    return Status::Corruption("kafka.unverifiable_event",
                              "record is not a valid event: " + s.ToString());
  }
  *event = RecordedEvent(value);
  return Status::OK();
}

Status ParseGlobalPositionHeader(std::string_view header_value, uint64_t* position) {
  uint64_t parsed = 0;
  const char* end = header_value.data() + header_value.size();
  auto [ptr, ec] = std::from_chars(header_value.data(), end, parsed);
  if (header_value.empty() || ec != std::errc() || ptr != end || parsed == 0) {
    return Status::Corruption("kafka.missing_position",
                              "record has no valid " + std::string(event_headers::kGlobalPosition));
  }
  *position = parsed;
  return Status::OK();
}

}  // namespace tandem
