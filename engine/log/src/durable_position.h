// The writer's acknowledged position, published for readers in other processes.
//
// RocksDB holds more than is durable: the writer inserts a group into it while the journal
// write that makes the group durable is still under way, and a failed journal write leaves the
// group there, unacknowledged. A read-only open therefore cannot take its last position from
// RocksDB. Instead the writing process publishes, after each acknowledgement, the last
// acknowledged position in `tandem.durable` next to the journal, and readers cap their view at
// it.
//
// The file is 16 bytes: the magic "TNDMDUR1", then the position as 8 little-endian bytes. It is
// created and synced (with its folder) once, by a read-write open after recovery; updates go
// through a shared mapping without a sync. After a power loss it may therefore hold an older,
// lower position, which only hides durable events from readers until the next read-write open
// rewrites it. It never holds a position that was not durable when it was written.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "tandem/basics/status.h"

namespace tandem {

class DurablePosition {
 public:
  static constexpr const char* kFileName = "tandem.durable";

  // Creates or rewrites the file in `folder` with `position` and syncs it (and the folder when
  // the file is new), then maps it for Publish.
  static Status OpenForWriting(const std::string& folder, uint64_t position,
                               std::unique_ptr<DurablePosition>* out);
  // Reads the position published in `folder`. NotFound if the file is missing, Corruption if
  // it is not one this code wrote.
  static Status Read(const std::string& folder, uint64_t* position);

  ~DurablePosition();
  DurablePosition(const DurablePosition&) = delete;
  DurablePosition& operator=(const DurablePosition&) = delete;

  // Makes `position` visible to readers in any process. Not synced; see above.
  void Publish(uint64_t position);

 private:
  DurablePosition(void* mapping, std::atomic<uint64_t>* slot) : mapping_(mapping), slot_(slot) {}

  void* mapping_;
  std::atomic<uint64_t>* slot_;
};

}  // namespace tandem
