#include "tandem/events/event_record.h"

#include <cstdint>

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "tandem/events/recorded_event.h"

namespace tandem::event_record {
namespace {

std::string NewEventId() {
  // Seeded once per thread from the OS; random_generator would make a syscall per id.
  thread_local boost::uuids::random_generator_mt19937 generator;
  return boost::uuids::to_string(generator());
}

}  // namespace

std::string Encode(const StreamId& stream, const NewEvent& event) {
  flatbuffers::FlatBufferBuilder fbb(512);
  auto event_id = fbb.CreateString(event.event_id.empty() ? NewEventId() : event.event_id);
  auto tenant = fbb.CreateString(stream.tenant);
  auto stream_name = fbb.CreateString(stream.name);
  auto actor = fbb.CreateString(event.actor);
  auto correlation = fbb.CreateString(event.correlation_id);
  auto causation = fbb.CreateString(event.causation_id);
  auto payload = event.payload.Pack(fbb);
  schema::EventBuilder b(fbb);
  b.add_event_id(event_id);
  b.add_tenant(tenant);
  b.add_stream_id(stream_name);
  // Zero equals the default, so these are only stored because ForceDefaults is on for them.
  fbb.ForceDefaults(true);
  b.add_stream_version(0);
  b.add_global_position(0);
  b.add_recorded_at_us(0);
  fbb.ForceDefaults(false);
  b.add_actor(actor);
  b.add_audience(event.audience);
  b.add_correlation_id(correlation);
  b.add_causation_id(causation);
  b.add_payload_type(event.payload.type);
  b.add_payload(payload);
  fbb.Finish(b.Finish(), schema::EventIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

void Stamp(std::string* record, uint64_t stream_version, uint64_t global_position,
           int64_t recorded_at_us) {
  auto* e = schema::GetMutableEvent(record->data());
  e->mutate_stream_version(stream_version);
  e->mutate_global_position(global_position);
  e->mutate_recorded_at_us(recorded_at_us);
}

Status Verify(std::string_view bytes, uint64_t expected_position) {
  // The verifier checks each scalar's alignment relative to the buffer's start only; reading
  // in place from a misaligned start would be undefined, so such bytes are checked in a copy.
  if (reinterpret_cast<uintptr_t>(bytes.data()) % kAlignment != 0) {
    RecordedEvent aligned(bytes);
    return Verify(aligned.bytes(), expected_position);
  }
  // Named only on failure: a catch-up verifies millions of events.
  const auto where = [&] {
    return expected_position ? "event at position " + std::to_string(expected_position)
                             : std::string("event");
  };
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!schema::VerifyEventBuffer(verifier)) {
    return Status::Corruption(where() + " failed FlatBuffers verification (" +
                              std::to_string(bytes.size()) + " bytes)");
  }
  const auto* e = schema::GetEvent(bytes.data());
  if (!e->tenant() || e->tenant()->size() == 0 || !e->stream_id() || e->stream_id()->size() == 0) {
    return Status::Corruption(where() + " has no tenant or stream");
  }
  if (e->payload_type() == schema::Payload::NONE || !e->payload()) {
    return Status::Corruption(where() + " has no payload");
  }
  if (expected_position != 0 && e->global_position() != expected_position) {
    return Status::Corruption(where() + " claims position " + std::to_string(e->global_position()));
  }
  return Status::OK();
}

}  // namespace tandem::event_record
