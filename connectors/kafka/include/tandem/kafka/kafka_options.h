// Where Tandem's Kafka traffic goes: the cluster's address, the topic names and any extra
// librdkafka settings. The same options serve the embedded cluster and a real one; nothing in
// the connectors depends on which it is.
#pragma once
#include <map>
#include <string>

namespace tandem {

// How an event is written as a Kafka record value.
enum class EventFormat {
  kFlatBuffers,  // the event's verified FlatBuffer bytes, exactly as the log stores them
  kJson,         // the event's JSON form (EventJsonCodec::ToJson), for Kafka Connect, ksqlDB...
};

struct KafkaTopics {
  // Every committed event, one topic for all event types (see the README, "Kafka").
  std::string events = "tandem.events";
  // Commands submitted by integrations, and their outcomes keyed by command id.
  std::string commands = "tandem.commands";
  std::string command_results = "tandem.command-results";
};

struct KafkaOptions {
  // "host:port,host:port"; for the embedded cluster, its bootstrap address once started.
  std::string bootstrap;
  KafkaTopics topics;
  // Format of the records on `topics.events`.
  EventFormat event_format = EventFormat::kFlatBuffers;
  // Further librdkafka properties for every client (e.g. security.protocol, sasl.*); applied
  // after Tandem's own, so they win.
  std::map<std::string, std::string> client_config;
};

// "flatbuffers" or "json"; InvalidArgument-free parse: false for anything else.
bool ParseEventFormat(const std::string& text, EventFormat* format);
const char* EventFormatName(EventFormat format);

}  // namespace tandem
