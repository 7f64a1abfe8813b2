#include "tandem/codec/event_json.h"

#include <flatbuffers/idl.h>
#include <boost/json.hpp>

#include "tandem/basics/utf8.h"
#include "tandem/events/event_record.h"

namespace tandem::schema {
extern const char kEventSchemaText[];
}

namespace tandem {
namespace {

constexpr const char* kLogAssignedFields[] = {"tenant", "stream_id", "stream_version",
                                              "global_position", "recorded_at_us"};

std::string Where(size_t index) { return "event " + std::to_string(index); }

Status Refuse(const char* reason, const std::string& message) {
  // FlatBuffers' messages quote the input; what we print must stay valid UTF-8.
  return Status::InvalidArgument(std::string("event_json.") + reason, utf8::Sanitize(message));
}

}  // namespace

EventJsonCodec::EventJsonCodec() = default;
EventJsonCodec::~EventJsonCodec() = default;

Status EventJsonCodec::Create(std::unique_ptr<EventJsonCodec>* codec) {
  std::unique_ptr<EventJsonCodec> c(new EventJsonCodec());
  flatbuffers::IDLOptions parse_options;
  parse_options.skip_unexpected_fields_in_json = false;  // a misspelt field is an error
  c->parser_ = std::make_unique<flatbuffers::Parser>(parse_options);
  flatbuffers::IDLOptions print_options;
  print_options.strict_json = true;
  print_options.indent_step = -1;  // one line per event
  print_options.output_default_scalars_in_json = true;
  print_options.output_enum_identifiers = true;
  c->printer_ = std::make_unique<flatbuffers::Parser>(print_options);
  for (auto* p : {c->parser_.get(), c->printer_.get()}) {
    if (!p->Parse(schema::kEventSchemaText)) {
      return Status::Corruption("embedded event schema does not parse: " + p->error_);
    }
  }
  *codec = std::move(c);
  return Status::OK();
}

Status EventJsonCodec::ParseNewEvents(std::string_view json, std::vector<NewEvent>* events) const {
  events->clear();
  size_t bad = 0;
  if (!utf8::IsValid(json, &bad)) {
    return Refuse("invalid_utf8",
                  "the events are not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(json, ec);
  if (ec) return Refuse("malformed_json", "malformed JSON: " + ec.message());
  std::vector<const boost::json::value*> items;
  if (doc.is_array()) {
    for (const auto& v : doc.as_array()) items.push_back(&v);
  } else {
    items.push_back(&doc);
  }
  if (items.empty()) return Refuse("no_events", "no events given (empty array)");
  events->resize(items.size());
  for (size_t i = 0; i < items.size(); i++) {
    if (!items[i]->is_object()) return Refuse("not_an_object", Where(i) + " is not a JSON object");
    const auto& obj = items[i]->as_object();
    for (const char* field : kLogAssignedFields) {
      if (obj.contains(field)) {
        return Refuse("log_assigned_field",
                      Where(i) + ": '" + field + "' is assigned by the log and may not be given");
      }
    }
    if (!obj.contains("payload_type") || !obj.contains("payload")) {
      return Refuse("missing_payload", Where(i) + ": 'payload_type' and 'payload' are required");
    }
    Status s = ParseOne(boost::json::serialize(obj), i, &(*events)[i]);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status EventJsonCodec::ParseOne(const std::string& json_object, size_t index,
                                NewEvent* event) const {
  std::lock_guard<std::mutex> lock(parse_mu_);
  if (!parser_->ParseJson(json_object.c_str())) {
    return Refuse("schema_mismatch",
                  Where(index) + " does not match the event schema: " + parser_->error_);
  }
  const auto& builder = parser_->builder_;
  std::string_view bytes(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                         builder.GetSize());
  flatbuffers::Verifier verifier(builder.GetBufferPointer(), builder.GetSize());
  if (!schema::VerifyEventBuffer(verifier)) {
    return Refuse("invalid_event", Where(index) + " does not form a valid event");
  }
  const auto* e = flatbuffers::GetRoot<schema::Event>(bytes.data());
  if (e->payload_type() == schema::Payload::NONE || !e->payload()) {
    return Refuse("missing_payload", Where(index) + " has no payload");
  }
  auto str = [](const flatbuffers::String* s) { return s ? s->str() : std::string(); };
  event->event_id = str(e->event_id());
  event->actor = str(e->actor());
  event->audience = e->audience();
  event->correlation_id = str(e->correlation_id());
  event->causation_id = str(e->causation_id());
  event->payload.type = e->payload_type();
  event->payload.value = schema::PayloadUnion::UnPack(e->payload(), e->payload_type(), nullptr);
  return Status::OK();
}

Status EventJsonCodec::EventBytesToJson(std::string_view bytes, std::string* json) const {
  Status s = event_record::Verify(bytes, 0);
  if (!s.ok()) return s;
  json->clear();
  if (!flatbuffers::GenerateText(*printer_, bytes.data(), json)) {
    return Status::Corruption("event could not be rendered as JSON");
  }
  return Status::OK();
}

Status EventJsonCodec::ToJson(const RecordedEvent& event, std::string* json) const {
  return EventBytesToJson(event.bytes(), json);
}

}  // namespace tandem
