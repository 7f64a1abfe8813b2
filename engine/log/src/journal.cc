#include "journal.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal_io.h"
#include "log_keys.h"
#include "tandem/basics/logger.h"

namespace tandem {
namespace {

using journal_io::Checksum;
using journal_io::ChecksumMatches;
using journal_io::Errno;
using journal_io::FileSize;
using journal_io::PositionRange;
using journal_io::ReadBigEndian32;
using journal_io::ReadFully;
using journal_io::StoreBigEndian32;
using journal_io::SyncFolderOf;
using journal_io::WriteFully;
using journal_io::ZeroFill;
using log_keys::AppendBigEndian64;
using log_keys::ReadBigEndian64;

// Record header (format 2): be32 checksum, be32 payload length, be64 pass id, be64 first
// position, be64 last position, be64 first position of the Write. The checksum (zlib's CRC-32)
// covers everything after itself, payload included.
constexpr size_t kChecksumBytes = 4;
constexpr size_t kPassOffset = 8;
constexpr size_t kWriteFirstOffset = 32;

// Header copy: "tandemJL", be32 format, be64 journal id, be64 wraps, be64 pass id, be64 pass
// first position, be64 file size, be32 CRC-32 of the bytes before it. Copies sit in separate
// 512-byte sectors.
constexpr char kMagic[8] = {'t', 'a', 'n', 'd', 'e', 'm', 'J', 'L'};
constexpr uint32_t kFormat = 2;
constexpr size_t kHeaderCopyBytes = 56;
constexpr uint64_t kHeaderCopyStride = 512;

// The damage scan reads the file in pieces of this size.
constexpr size_t kScanChunkBytes = 1 << 20;

// A random 64-bit value with its top bit set: never 0, and its first byte is never a zero, so
// searching zero-filled space for it is fast.
uint64_t NewRandomId() {
  uint64_t v = 0;
  if (::getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
    v = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) *
            0x9e3779b97f4a7c15ull ^
        static_cast<uint64_t>(::getpid());
  }
  return v | (uint64_t{1} << 63);
}

struct RecordFields {
  uint64_t first, last, write_first;
};

RecordFields FieldsOf(const std::string& record) {
  return {ReadBigEndian64(record.data() + 16), ReadBigEndian64(record.data() + 24),
          ReadBigEndian64(record.data() + kWriteFirstOffset)};
}

}  // namespace

void Journal::SetWriteFaultForTesting(WriteFault fault) { journal_io::SetWriteFault(fault); }

Journal::Journal(std::string path, int fd, uint64_t capacity, int format, const Header& header)
    : path_(std::move(path)),
      fd_(fd),
      capacity_(capacity),
      format_(format),
      header_(header),
      offset_(kRecordsOffset) {}

Journal::~Journal() { ::close(fd_); }

Status Journal::CheckCapacity(uint64_t capacity_bytes) {
  // A record's length field has 32 bits; a journal no larger than that cannot hold a record
  // whose length would not fit it.
  const uint64_t smallest = kRecordsOffset + kRecordHeaderBytes + 1;
  if (capacity_bytes < smallest || capacity_bytes > UINT32_MAX) {
    return Status::InvalidArgument("journal capacity of " + std::to_string(capacity_bytes) +
                                   " bytes is outside " + std::to_string(smallest) +
                                   " bytes .. 4 GiB");
  }
  return Status::OK();
}

Status Journal::Create(const std::string& path, uint64_t capacity_bytes,
                       std::unique_ptr<Journal>* journal) {
  Status s = CheckCapacity(capacity_bytes);
  if (!s.ok()) return s;
  // Made in full under another name first: a journal file that exists is a whole one.
  const std::string making = path + ".new";
  int fd = ::open(making.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_DSYNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating the journal", making);
  Header header;
  header.id = NewRandomId();
  header.pass = NewRandomId();
  header.size = capacity_bytes;
  std::unique_ptr<Journal> made(new Journal(path, fd, capacity_bytes, kFormat, header));
  s = ZeroFill(fd, 0, capacity_bytes, making);
  // Both copies, so that neither holds anything but a header.
  if (s.ok()) s = made->WriteHeader(header);
  if (s.ok()) {
    header.wraps = 1;  // the same pass, in the other copy
    s = made->WriteHeader(header);
    made->header_ = header;
  }
  if (s.ok() && ::rename(making.c_str(), path.c_str()) != 0) {
    s = Errno("renaming the new journal to", path);
  }
  if (s.ok()) s = SyncFolderOf(path);
  if (!s.ok()) {
    made.reset();
    ::unlink(making.c_str());
    return s;
  }
  *journal = std::move(made);
  return Status::OK();
}

Status Journal::OpenExisting(const std::string& path, bool writable,
                             std::unique_ptr<Journal>* journal) {
  int fd = ::open(path.c_str(), writable ? (O_RDWR | O_DSYNC | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC));
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no journal at " + path);
    return Errno("opening the journal", path);
  }
  uint64_t size = 0;
  char copies[kRecordsOffset];
  size_t got = 0;
  Status s = FileSize(fd, path, &size);
  if (s.ok()) s = ReadFully(fd, copies, sizeof copies, 0, path, &got);
  if (!s.ok()) {
    ::close(fd);
    return s;
  }
  bool marked = false, valid = false;
  int valid_copies = 0;
  Header header;
  for (uint64_t at = 0; at + kHeaderCopyBytes <= got; at += kHeaderCopyStride) {
    const char* c = copies + at;
    if (std::memcmp(c, kMagic, sizeof kMagic) != 0) continue;
    marked = true;
    if (Checksum(c, kHeaderCopyBytes - 4) != ReadBigEndian32(c + kHeaderCopyBytes - 4)) continue;
    const uint32_t format = ReadBigEndian32(c + 8);
    if (format != kFormat) {
      ::close(fd);
      return Status::InvalidArgument("the journal " + path + " has format " +
                                     std::to_string(format) + ", which this build cannot read");
    }
    Header h{ReadBigEndian64(c + 12), ReadBigEndian64(c + 20), ReadBigEndian64(c + 28),
             ReadBigEndian64(c + 36), ReadBigEndian64(c + 44)};
    if (!valid || h.wraps > header.wraps) header = h;
    valid = true;
    valid_copies++;
  }
  if (marked && !valid) {
    ::close(fd);
    return Status::Corruption("the journal " + path + " has a damaged header");
  }
  if (valid && size < header.size) {
    ::close(fd);
    return Status::Corruption("the journal " + path + " is cut short: " + std::to_string(size) +
                              " bytes of the " + std::to_string(header.size) + " written");
  }
  // Without header marks it is the previous build's journal: records from offset 0.
  std::unique_ptr<Journal> opened(
      new Journal(path, fd, size, valid ? kFormat : 1, valid ? header : Header()));
  if (valid_copies == 1) {
    // One copy is unreadable. If its write was torn, the pass it began wrote nothing; if it was
    // damaged later, the record area begins with an intact record of a later pass.
    bool later = false;
    s = opened->StartsWithALaterPass(&later);
    if (!s.ok()) return s;
    if (later) {
      return Status::Corruption("the journal " + path +
                                " has a damaged header: its records belong to a later pass than "
                                "the header copy left");
    }
  }
  *journal = std::move(opened);
  return Status::OK();
}

Status Journal::StartsWithALaterPass(bool* later) const {
  *later = false;
  std::string record(kRecordHeaderBytes, '\0');
  size_t got = 0;
  Status s = ReadFully(fd_, record.data(), record.size(), kRecordsOffset, path_, &got);
  if (!s.ok() || got < record.size()) return s;
  const uint32_t length = ReadBigEndian32(record.data() + 4);
  const uint64_t first = ReadBigEndian64(record.data() + 16);
  if (length == 0 || ReadBigEndian64(record.data() + kPassOffset) == header_.pass ||
      first < std::max<uint64_t>(header_.pass_first, 1) ||
      length > capacity_ - kRecordsOffset - kRecordHeaderBytes) {
    return Status::OK();
  }
  record.resize(kRecordHeaderBytes + length);
  s = ReadFully(fd_, record.data() + kRecordHeaderBytes, length,
                kRecordsOffset + kRecordHeaderBytes, path_, &got);
  *later = s.ok() && got == length && ChecksumMatches(record);
  return s;
}

Status Journal::WriteHeader(const Header& header) {
  std::string copy(kMagic, sizeof kMagic);
  copy.resize(copy.size() + 4);
  StoreBigEndian32(copy.data() + sizeof kMagic, kFormat);
  AppendBigEndian64(&copy, header.id);
  AppendBigEndian64(&copy, header.wraps);
  AppendBigEndian64(&copy, header.pass);
  AppendBigEndian64(&copy, header.pass_first);
  AppendBigEndian64(&copy, header.size);
  copy.resize(copy.size() + 4);
  StoreBigEndian32(copy.data() + kHeaderCopyBytes - 4, Checksum(copy.data(), copy.size() - 4));
  // O_DSYNC: on the device when the write returns.
  return WriteFully(fd_, copy.data(), copy.size(), (header.wraps % 2) * kHeaderCopyStride, path_);
}

Status Journal::Grow(uint64_t capacity_bytes) {
  Status s = CheckCapacity(capacity_bytes);
  if (!s.ok() || capacity_bytes <= capacity_) return s;
  s = ZeroFill(fd_, capacity_, capacity_bytes, path_);
  if (s.ok()) capacity_ = capacity_bytes;
  return s;
}

Status Journal::Rewind(uint64_t next_position) {
  Header next;
  // The first Rewind of the previous build's journal converts it: the new header's marks make
  // every later open read it as format 2.
  next.id = format_ == kFormat ? header_.id : NewRandomId();
  next.wraps = header_.wraps + 1;
  next.pass = NewRandomId();
  next.pass_first = next_position;
  next.size = capacity_;
  Status s = WriteHeader(next);
  if (!s.ok()) return s;
  header_ = next;
  format_ = kFormat;
  offset_ = kRecordsOffset;
  return Status::OK();
}

size_t Journal::RecordSize(size_t payload_bytes) { return kRecordHeaderBytes + payload_bytes; }

void Journal::EncodeRecord(uint64_t first_position, uint64_t last_position,
                           std::string_view payload, std::string* out) const {
  const uint64_t write_first =
      out->empty() ? first_position : ReadBigEndian64(out->data() + kWriteFirstOffset);
  const size_t start = out->size();
  out->resize(start + 2 * 4);  // checksum and length, stored below
  AppendBigEndian64(out, header_.pass);
  AppendBigEndian64(out, first_position);
  AppendBigEndian64(out, last_position);
  AppendBigEndian64(out, write_first);
  out->append(payload);
  char* record = out->data() + start;
  StoreBigEndian32(record + kChecksumBytes, static_cast<uint32_t>(payload.size()));
  StoreBigEndian32(record, Checksum(record + kChecksumBytes, out->size() - start - kChecksumBytes));
}

Status Journal::Write(std::string_view records) {
  if (format_ != kFormat ||
      (!records.empty() && (records.size() < kRecordHeaderBytes ||
                            ReadBigEndian64(records.data() + kPassOffset) != header_.pass))) {
    return Status::InvalidArgument("journal records not encoded for the journal's current pass");
  }
  if (!Fits(records.size())) {
    return Status::InvalidArgument("journal records of " + std::to_string(records.size()) +
                                   " bytes do not fit at offset " + std::to_string(offset_));
  }
  // O_DSYNC: the write returns once the data is on the device.
  Status s = WriteFully(fd_, records.data(), records.size(), offset_, path_);
  if (s.ok()) offset_ += records.size();
  return s;
}

Status Journal::ReadRecord(uint64_t offset, std::string* record, bool* found) const {
  *found = false;
  if (offset + kRecordHeaderBytes > capacity_) return Status::OK();
  char header[kRecordHeaderBytes];
  size_t got = 0;
  Status s = ReadFully(fd_, header, kRecordHeaderBytes, offset, path_, &got);
  if (!s.ok() || got < kRecordHeaderBytes) return s;
  const uint32_t length = ReadBigEndian32(header + 4);
  const uint64_t first = ReadBigEndian64(header + 16);
  const uint64_t last = ReadBigEndian64(header + 24);
  const uint64_t write_first = ReadBigEndian64(header + kWriteFirstOffset);
  if (length == 0 || ReadBigEndian64(header + kPassOffset) != header_.pass || first == 0 ||
      last < first || write_first == 0 || write_first > first ||
      length > capacity_ - offset - kRecordHeaderBytes) {
    return Status::OK();  // zeroed space, another pass's record, or a damaged header
  }
  record->resize(kRecordHeaderBytes + length);
  std::memcpy(record->data(), header, kRecordHeaderBytes);
  s = ReadFully(fd_, record->data() + kRecordHeaderBytes, length, offset + kRecordHeaderBytes,
                path_, &got);
  if (!s.ok()) return s;
  *found = got == length && ChecksumMatches(*record);
  return Status::OK();
}

Status Journal::FindLaterWrite(uint64_t offset, uint64_t chain_last, uint64_t* found_offset,
                               uint64_t* found_first, bool* found) const {
  *found = false;
  // A record of the current pass carries its pass id at kPassOffset: search for those bytes.
  std::string pass;
  AppendBigEndian64(&pass, header_.pass);
  std::string chunk, record;
  for (uint64_t from = offset + kPassOffset; from + pass.size() <= capacity_;) {
    chunk.resize(static_cast<size_t>(std::min<uint64_t>(kScanChunkBytes, capacity_ - from)));
    size_t got = 0;
    Status s = ReadFully(fd_, chunk.data(), chunk.size(), from, path_, &got);
    if (!s.ok()) return s;
    if (got < pass.size()) return Status::OK();
    const char* base = chunk.data();
    for (const char* hit = base;
         (hit = static_cast<const char*>(::memmem(hit, got - static_cast<size_t>(hit - base),
                                                  pass.data(), pass.size()))) != nullptr;
         hit++) {
      const uint64_t start = from + static_cast<uint64_t>(hit - base) - kPassOffset;
      bool intact = false;
      s = ReadRecord(start, &record, &intact);
      if (!s.ok()) return s;
      if (!intact) continue;
      const RecordFields f = FieldsOf(record);
      // A record of the Write that broke the chain has a Write start at or before the first
      // missing position: it is part of the same torn write.
      if (f.first > chain_last && f.write_first > chain_last + 1) {
        *found = true;
        *found_offset = start;
        *found_first = f.first;
        return Status::OK();
      }
    }
    // The next piece overlaps this one by less than a pass id, so no occurrence is missed.
    from += got - (pass.size() - 1);
  }
  return Status::OK();
}

Status Journal::Replay(uint64_t after, const VisitRecord& check, const VisitRecord& apply,
                       uint64_t* last) {
  *last = after;
  if (format_ != kFormat) return ReplayFormat1(after, check, apply, last);
  if (header_.pass_first == 0) return Status::OK();  // no pass has started: nothing written
  if (header_.pass_first > after + 1) {
    // Everything before the pass's first position was durable without the journal when the
    // pass began.
    return Status::Corruption("the journal " + path_ + " starts at position " +
                              std::to_string(header_.pass_first) + " but the event log ends at " +
                              std::to_string(after) + ": positions " +
                              PositionRange(after + 1, header_.pass_first - 1) + " are lost");
  }
  struct Checked {
    uint64_t offset, first, last;
  };
  std::vector<Checked> checked;
  uint64_t chain_last = header_.pass_first - 1;
  uint64_t offset = kRecordsOffset;
  std::string record;
  for (;;) {
    bool intact = false;
    Status s = ReadRecord(offset, &record, &intact);
    if (!s.ok()) return s;
    if (intact && FieldsOf(record).first == chain_last + 1) {
      const RecordFields f = FieldsOf(record);
      chain_last = f.last;
      if (f.last > after) {
        if (f.first <= after) {
          return Status::Corruption(
              "the journal " + path_ + " holds positions " + PositionRange(f.first, f.last) +
              " as one write, but the event log ends inside it at " + std::to_string(after));
        }
        s = check(f.first, f.last, std::string_view(record).substr(kRecordHeaderBytes));
        if (!s.ok()) return s;
        checked.push_back({offset, f.first, f.last});
      }
      offset += record.size();
      continue;
    }
    // The chain ends here: the tail of the pass, or damage if a later Write follows.
    bool later = false;
    uint64_t later_offset = 0, later_first = 0;
    s = FindLaterWrite(offset, chain_last, &later_offset, &later_first, &later);
    if (!s.ok()) return s;
    if (!later) break;
    const uint64_t lost_from = std::max(chain_last, after) + 1;
    if (later_first > lost_from) {
      return Status::Corruption("the journal " + path_ + " is damaged at offset " +
                                std::to_string(offset) + ": positions " +
                                PositionRange(lost_from, later_first - 1) +
                                " are lost (intact records of a later write follow from position " +
                                std::to_string(later_first) + ")");
    }
    // The damaged records held only positions the event log has without them.
    LogWarn("event_log", "journal damaged path=" + path_ + " offset=" + std::to_string(offset) +
                             " positions=" + PositionRange(chain_last + 1, later_first - 1) +
                             " (already in the event log)");
    offset = later_offset;
    chain_last = later_first - 1;
  }
  for (const Checked& c : checked) {
    bool intact = false;
    Status s = ReadRecord(c.offset, &record, &intact);
    if (!s.ok()) return s;
    if (!intact || FieldsOf(record).first != c.first || FieldsOf(record).last != c.last) {
      return Status::Corruption("the journal " + path_ + " changed while it was replayed");
    }
    s = apply(c.first, c.last, std::string_view(record).substr(kRecordHeaderBytes));
    if (!s.ok()) return s;
    *last = c.last;
  }
  return Status::OK();
}

}  // namespace tandem
