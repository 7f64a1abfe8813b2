// File and checksum helpers shared by the journal's current and previous formats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tandem/basics/status.h"

namespace tandem::journal_io {

void StoreBigEndian32(char* p, uint32_t v);
uint32_t ReadBigEndian32(const char* p);
// zlib's CRC-32 of `n` bytes.
uint32_t Checksum(const char* data, size_t n);
// True if a record's first 4 bytes (big-endian) are the checksum of the rest.
bool ChecksumMatches(const std::string& record);

// IOError saying `what` failed on `path`, with errno's text.
Status Errno(const std::string& what, const std::string& path);
Status WriteFully(int fd, const char* data, size_t n, uint64_t offset, const std::string& path);
// Installs the test hook WriteFully consults first (Journal::SetWriteFaultForTesting).
void SetWriteFault(Status (*fault)(const std::string& path));
// Reads up to `n` bytes at `offset`; fewer only at the end of the file.
Status ReadFully(int fd, char* data, size_t n, uint64_t offset, const std::string& path,
                 size_t* got);
// Writes zeros from `from` up to `capacity` and syncs, so that later writes overwrite allocated
// blocks and their syncs need no metadata commit.
Status ZeroFill(int fd, uint64_t from, uint64_t capacity, const std::string& path);
// Makes a new name in the folder holding `path` survive a power loss.
Status SyncFolderOf(const std::string& path);
Status FileSize(int fd, const std::string& path, uint64_t* size);

// "first..last", as positions are named in messages.
std::string PositionRange(uint64_t first, uint64_t last);

}  // namespace tandem::journal_io
