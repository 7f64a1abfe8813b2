// The relay's published position on disk (`<data>/relay.position`): a small file replaced
// atomically (written aside, synced, renamed, folder synced), so that a crash leaves the old
// position or the new one, never a torn one. Bytes on disk are not trusted: the value is stored
// with its complement and a file whose halves disagree is Corruption.
#pragma once
#include <cstdint>
#include <string>

#include "tandem/basics/status.h"

namespace tandem::kafka {

// Replaces `path` with one holding `position`, durably.
Status WritePositionFile(const std::string& path, uint64_t position);

// NotFound when there is no file; Corruption (relay.bad_position_file) when it is damaged.
Status ReadPositionFile(const std::string& path, uint64_t* position);

}  // namespace tandem::kafka
