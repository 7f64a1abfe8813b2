// The event log's durability journal: one file of preallocated, zero-filled space that each
// group commit's write batch is written into with O_DSYNC, from the start of the file onwards,
// wrapping back to the start when it is full.
//
// Why not RocksDB's WAL: an appended file grows, so each sync of it also commits the file's new
// size to the filesystem journal (two device writes). Overwriting blocks that are already
// allocated and written syncs data only: on this project's disk ≈ 105 µs against ≈ 170 µs. The
// WAL is still written, unsynced: it keeps a crashed process's writes (the page cache survives
// the process) and lets read-only openers see them. The journal is for what the page cache does
// not survive (power loss, a kernel crash).
//
// Contract:
//  - A record holds the write batch of one group commit and its global positions [first, last].
//    Each record's first position follows the previous record's last, so the records from the
//    start of the file form one chain; the chain ends at the first record that is torn, zeroed
//    or stale (left from before a wrap, hence with older positions).
//  - Write returns once the records are on the device.
//  - Rewind makes the next write start at the beginning again. The caller must first have made
//    every record written so far durable elsewhere (the log syncs RocksDB's WAL).
//  - Not thread-safe: one thread writes (the log's syncer); Replay runs before it starts.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tandem/basics/status.h"

namespace tandem {

class Journal {
 public:
  // Test hook, process-wide: when set, every write to a journal file (records and zero-fill)
  // first calls it with the file's path, and an error it returns fails that write, nothing
  // written, as the device's error would.
  using WriteFault = Status (*)(const std::string& path);
  static void SetWriteFaultForTesting(WriteFault fault);

  // Opens the journal file at `path`, creating it zero-filled to `capacity_bytes` if it is
  // missing or shorter.
  static Status Open(const std::string& path, uint64_t capacity_bytes,
                     std::unique_ptr<Journal>* journal);
  // Opens an existing journal for Replay only; NotFound if there is none.
  static Status OpenExisting(const std::string& path, std::unique_ptr<Journal>* journal);
  ~Journal();

  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Bytes one record of `payload_bytes` takes in the journal.
  static size_t RecordSize(size_t payload_bytes);
  // Appends the framed record (header with checksum, then payload) to `out`.
  static void EncodeRecord(uint64_t first_position, uint64_t last_position,
                           std::string_view payload, std::string* out);

  using ApplyRecord =
      std::function<Status(uint64_t first_position, uint64_t last_position, std::string_view)>;
  // Walks the chain from the start of the file and applies, in order, every record after
  // position `after`. The first applied record must start at after + 1: a chain that continues
  // only later means acknowledged positions are lost, reported as Corruption naming them.
  // `*last` is the last position applied (`after` if none). Stops at `apply`'s first error.
  Status Replay(uint64_t after, const ApplyRecord& apply, uint64_t* last);

  // True if `bytes` of encoded records fit between the write offset and the end of the file.
  bool Fits(size_t bytes) const { return offset_ + bytes <= capacity_; }
  uint64_t capacity() const { return capacity_; }
  // Writes encoded records at the write offset and returns once they are on the device.
  Status Write(std::string_view records);
  void Rewind() { offset_ = 0; }

 private:
  Journal(std::string path, int fd, uint64_t capacity);

  const std::string path_;
  const int fd_;
  const uint64_t capacity_;
  uint64_t offset_ = 0;
};

}  // namespace tandem
