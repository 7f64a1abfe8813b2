// The writer's acknowledged position, published for readers in other processes.
//
// RocksDB holds more than is acknowledged: the writer inserts a group into it while the journal
// write that makes the group durable is still under way, and a failed journal write leaves the
// group there, unacknowledged. A read-only open therefore cannot take its last position from
// RocksDB. Instead the writing process publishes, after each acknowledgement, the last
// acknowledged position in `tandem.durable` next to the journal, and readers cap their view at
// it.
//
// The file (format 2) is 32 bytes: the magic "TNDMDUR2", the writer's durability as 8
// little-endian bytes (0 synced, 1 buffered), then a 16-byte aligned slot holding the position
// and its bitwise complement, each as 8 little-endian bytes. Bytes that are not a position and
// its complement are Corruption, so that damage is never read as a position. The writer stores
// the two halves with two 8-byte atomic stores and a reader loads them with two atomic loads:
// a reader that catches an update half-done sees a pair that does not match and reads again;
// any pair that matches is one the writer stored. Format 1 (16 bytes, "TNDMDUR1", the position
// without a check) is refused by readers and rewritten by the next read-write open.
//
// It is created and synced (with its folder) by a read-write open after recovery; updates go
// through a shared mapping without a sync. After a power loss it may therefore hold an older,
// lower position, which only hides acknowledged events from readers until the next read-write
// open rewrites it. A writer killed between its two stores (a window of a few instructions)
// leaves a pair that does not match: readers fail closed until the next read-write open.
//
// What the position promises depends on the writer's durability, which the file records: a
// synced writer acknowledges a group once it is durable, so the position never covers a group
// that was not durable when it was published. A buffered writer acknowledges groups before
// they are synced: its position is what it acknowledged, which a power loss may take back.
// Either way no reader sees a group the writer has not acknowledged.
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

  // Creates or rewrites the file in `folder` with `position` and the writer's durability and
  // syncs it (and the folder when the file is new), then maps it for Publish.
  static Status OpenForWriting(const std::string& folder, uint64_t position, bool buffered,
                               std::unique_ptr<DurablePosition>* out);
  // Reads the position published in `folder` and, if `buffered` is given, whether its writer
  // acknowledges before syncing. NotFound if the file is missing, Corruption if it is not one
  // this code wrote or its slot is damaged.
  static Status Read(const std::string& folder, uint64_t* position, bool* buffered = nullptr);

  ~DurablePosition();
  DurablePosition(const DurablePosition&) = delete;
  DurablePosition& operator=(const DurablePosition&) = delete;

  // Makes `position` visible to readers in any process. Not synced; see above. One thread at a
  // time.
  void Publish(uint64_t position);

 private:
  explicit DurablePosition(void* mapping);

  void* mapping_;
  std::atomic<uint64_t>* mode_;
  std::atomic<uint64_t>* value_;
  std::atomic<uint64_t>* complement_;
};

}  // namespace tandem
