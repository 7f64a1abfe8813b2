// What ties derived data (a view's checkpoint, a snapshot of the views) to the log it was folded
// from: the SHA-256 of the log's record at the position it stands at. A log restored from an
// older copy and appended to again has other records at the same positions, so the position
// alone would take views folded from events the log no longer holds for its own.
#pragma once

#include <cstdint>
#include <string>

#include "tandem/basics/status.h"
#include "tandem/log/event_log.h"

namespace tandem {

// Lowercase hex of the SHA-256 of the record's stored bytes.
std::string RecordDigest(const RecordedEvent& record);

// The digest of the log's record at `position` (> 0) in `*digest`; NotFound when the log holds
// no record there, another status when it cannot be read.
Status RecordDigestAt(EventLog* log, uint64_t position, std::string* digest);

}  // namespace tandem
