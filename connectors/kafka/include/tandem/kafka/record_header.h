// Reading a consumed record's headers without copying them, for every consumer of the events
// topic (the relay's tail read, workers, `tandem tail`, the benchmark).
#pragma once
#include <optional>
#include <string_view>

struct rd_kafka_message_s;  // librdkafka's rd_kafka_message_t

namespace tandem {

// The last value of the record's header `name`; nullopt when it has none (or a null value).
// The view lives as long as the record.
std::optional<std::string_view> RecordHeader(const rd_kafka_message_s* record, const char* name);

}  // namespace tandem
