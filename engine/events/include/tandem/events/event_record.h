// Encoding, verification and stamping of the stored form of an event (a finished
// schema::Event FlatBuffer).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tandem/basics/status.h"
#include "tandem/basics/stream_id.h"
#include "tandem/events/new_event.h"

namespace tandem::event_record {

// Encodes `event` for `stream`, with the log-assigned fields present but zero so that Stamp()
// can set them in place without re-encoding (the writer thread stays cheap).
std::string Encode(const StreamId& stream, const NewEvent& event);

// Sets the log-assigned fields of an Encode()d record.
void Stamp(std::string* record, uint64_t stream_version, uint64_t global_position,
           int64_t recorded_at_us);

// What a record's first byte must be aligned to for it to be read in place: its widest scalar.
// RecordedEvent's storage is; bytes straight from RocksDB are not.
inline constexpr size_t kAlignment = 8;

// Runs the FlatBuffers verifier and the envelope's own invariants (tenant and stream present,
// payload present, stored position matches `expected_position` when that is non-zero). Accepts
// bytes at any alignment (misaligned ones are checked in an aligned copy); the caller reads
// them in place only from storage aligned to kAlignment, such as a RecordedEvent.
Status Verify(std::string_view bytes, uint64_t expected_position);

}  // namespace tandem::event_record
