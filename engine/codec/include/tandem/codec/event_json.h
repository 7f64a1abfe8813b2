// Converts between events and their JSON form, using the FlatBuffers schema itself (embedded at
// build time), so the JSON form always matches tandem_events.fbs: an event is an object with the
// Event table's fields, and its payload as "payload_type" plus "payload".
//
//   {"actor": "member:ana", "audience": "Client", "payload_type": "MilestonePlanned",
//    "payload": {"project_id": "p1", "milestone_id": "m1", "title": "Kick-off",
//                "planned_date": "2026-12-01"}}
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/basics/status.h"
#include "tandem/events/new_event.h"
#include "tandem/events/recorded_event.h"

namespace flatbuffers {
class Parser;
}

namespace tandem {

class EventJsonCodec {
 public:
  static Status Create(std::unique_ptr<EventJsonCodec>* codec);
  ~EventJsonCodec();

  // Parses one event object, or an array of them, into events ready to append. Fields the log
  // assigns (tenant, stream_id, stream_version, global_position, recorded_at_us) are refused:
  // the append names the stream, and the log numbers it. Refusals are InvalidArgument with a
  // stable reason: event_json.invalid_utf8, event_json.malformed_json, event_json.no_events,
  // event_json.not_an_object, event_json.log_assigned_field, event_json.missing_payload,
  // event_json.schema_mismatch (unknown type or field, wrong type), event_json.invalid_event.
  Status ParseNewEvents(std::string_view json, std::vector<NewEvent>* events) const;

  // One line of JSON with every envelope field, defaults included.
  Status ToJson(const RecordedEvent& event, std::string* json) const;
  // The same for any verified Event FlatBuffer.
  Status EventBytesToJson(std::string_view bytes, std::string* json) const;

 private:
  EventJsonCodec();
  Status ParseOne(const std::string& json_object, size_t index, NewEvent* event) const;

  // Parsing mutates the parser's builder, so parses are serialised.
  mutable std::mutex parse_mu_;
  std::unique_ptr<flatbuffers::Parser> parser_;
  std::unique_ptr<flatbuffers::Parser> printer_;
};

}  // namespace tandem
