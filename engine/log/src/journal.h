// The event log's durability journal: one file of preallocated, zero-filled space that each
// group commit's write batch is written into with O_DSYNC, from the start of its record area
// onwards, wrapping back to that start when it is full.
//
// Why not RocksDB's WAL: an appended file grows, so each sync of it also commits the file's new
// size to the filesystem journal (two device writes). Overwriting blocks that are already
// allocated and written syncs data only: on this project's disk ≈ 105 µs against ≈ 170 µs. The
// WAL is still written, unsynced: it keeps a crashed process's writes (the page cache survives
// the process) and lets read-only openers see them. The journal is for what the page cache does
// not survive (power loss, a kernel crash).
//
// Layout (format 2): two copies of a header, then records. The header names the journal (an id
// chosen when it was created), its size (a shorter file was cut) and its current pass: a wrap
// counter, a random pass id and the first position the pass writes. Each Rewind starts a new
// pass and writes the header copy of its counter's parity, so a header write torn by a power
// loss leaves the other copy (the previous pass, whose records are all durable elsewhere)
// readable; a copy damaged after its pass wrote records is told apart by those records.
//
// Contract:
//  - A record holds the write batch of one group commit, its global positions [first, last],
//    its pass id and the first position of the Write that wrote it. The records of a pass form
//    one chain from the record area's start: the first starts at the pass's first position,
//    each next one at the previous one's last + 1.
//  - Write returns once the records are on the device. Writes are sequential, so a record of a
//    later Write on the device proves that every earlier Write completed.
//  - Replay tells a torn tail from damage: the chain ends at zeroed space, at a record of
//    another pass, or at a record that is torn or damaged. Intact records of the current pass
//    beyond that end that belong to a later Write prove the end is damage, not the tail: the
//    positions in between were acknowledged and are reported lost (Corruption). Records of
//    the same Write as the damaged one are the torn tail of an unacknowledged Write.
//  - Rewind starts a new pass. The caller must first have made every record written so far
//    durable elsewhere (the log syncs RocksDB's WAL or flushes).
//  - Format 1, the previous build's (no header; 24-byte record headers, no pass), is replayed
//    under its own rules (the chain ends at the first record that does not fit it) and is
//    converted to format 2 by the first Rewind.
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
  // Test hook, process-wide: when set, every write to a journal file (records, headers and
  // zero-fill) first calls it with the file's path, and an error it returns fails that write,
  // nothing written, as the device's error would.
  using WriteFault = Status (*)(const std::string& path);
  static void SetWriteFaultForTesting(WriteFault fault);

  // Where records begin; before them, the two header copies.
  static constexpr uint64_t kRecordsOffset = 1024;
  // Bytes of a record's header (format 2).
  static constexpr size_t kRecordHeaderBytes = 40;

  // InvalidArgument unless a journal of `capacity_bytes` can hold a record and address every
  // record with its 32-bit length field.
  static Status CheckCapacity(uint64_t capacity_bytes);
  // Creates a new journal at `path` (there must be none): zero-filled to `capacity_bytes`, its
  // header written, synced, then renamed into place and its folder synced, so that a journal
  // file is never half-made and does not vanish from the folder in a power loss.
  static Status Create(const std::string& path, uint64_t capacity_bytes,
                       std::unique_ptr<Journal>* journal);
  // Opens an existing journal; NotFound if there is none, Corruption if it has format 2's
  // header marks but no readable header. Only a `writable` journal may be grown, rewound and
  // written.
  static Status OpenExisting(const std::string& path, bool writable,
                             std::unique_ptr<Journal>* journal);
  ~Journal();

  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // 2, or 1 for a journal written by the previous build (until the first Rewind converts it).
  int format() const { return format_; }
  // Chosen when the journal was created or converted; 0 for format 1.
  uint64_t id() const { return header_.id; }
  const std::string& path() const { return path_; }

  // Extends the file with zeros up to `capacity_bytes` if it is shorter, then syncs it. A
  // journal made larger earlier keeps its size: its records may reach past the new capacity.
  Status Grow(uint64_t capacity_bytes);

  // Bytes one record of `payload_bytes` takes in the journal.
  static size_t RecordSize(size_t payload_bytes);
  // Appends one framed record of the current pass to `out`. `out` holds the records of one
  // Write: every record appended to it is marked with the first position of the first.
  void EncodeRecord(uint64_t first_position, uint64_t last_position, std::string_view payload,
                    std::string* out) const;

  using VisitRecord =
      std::function<Status(uint64_t first_position, uint64_t last_position, std::string_view)>;
  // Walks the current pass's chain and, for every record after position `after`, in order:
  // first calls `check` on each; then, only if every check passed and the journal shows no lost
  // positions, calls `apply` on each (so a failed replay has applied nothing). The first
  // applied record must start at after + 1: a chain that continues only later means
  // acknowledged positions are lost, reported as Corruption naming them; so is damage followed
  // by intact records of a later Write. `*last` is the last position applied (`after` if
  // none). Stops at the first error of `check` or `apply`.
  Status Replay(uint64_t after, const VisitRecord& check, const VisitRecord& apply, uint64_t* last);

  // True if `bytes` of encoded records fit between the write offset and the end of the file.
  bool Fits(size_t bytes) const { return offset_ + bytes <= capacity_; }
  uint64_t capacity() const { return capacity_; }
  // Writes records encoded for the current pass at the write offset and returns once they are
  // on the device.
  Status Write(std::string_view records);
  // Starts a new pass at the start of the record area whose first record will begin at
  // `next_position`, and returns once its header is on the device.
  Status Rewind(uint64_t next_position);

 private:
  struct Header {
    uint64_t id = 0;
    uint64_t wraps = 0;
    uint64_t pass = 0;
    uint64_t pass_first = 0;  // 0 in a journal just created: no pass has begun
    uint64_t size = 0;        // of the file when the header was written; it never shrinks
  };
  Journal(std::string path, int fd, uint64_t capacity, int format, const Header& header);
  Status WriteHeader(const Header& header);
  Status ReplayFormat1(uint64_t after, const VisitRecord& check, const VisitRecord& apply,
                       uint64_t* last);
  // True if the record area begins with an intact record of a pass other than the header's
  // that starts at or after it: the header copy of a later pass was damaged.
  Status StartsWithALaterPass(bool* later) const;
  // Reads the record at `offset` into `record` if it is an intact, well-formed record of the
  // current pass; `*found` tells whether it is (not finding one is no error).
  Status ReadRecord(uint64_t offset, std::string* record, bool* found) const;
  // Looks beyond `offset`, where the chain that ends at position `chain_last` broke, for an
  // intact record of the current pass written by a later Write than the one that broke.
  Status FindLaterWrite(uint64_t offset, uint64_t chain_last, uint64_t* found_offset,
                        uint64_t* found_first, bool* found) const;

  const std::string path_;
  const int fd_;
  uint64_t capacity_;
  int format_;
  Header header_;
  uint64_t offset_;
};

}  // namespace tandem
