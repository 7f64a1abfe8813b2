#include "journal.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log_keys.h"

namespace tandem {
namespace {

// Header: be32 checksum, be32 payload length, be64 first position, be64 last position. The
// checksum (zlib's CRC-32) covers everything after itself, payload included.
constexpr size_t kHeaderBytes = 24;
constexpr size_t kChecksumBytes = 4;

void StoreBigEndian32(char* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = static_cast<char>(v >> (24 - 8 * i));
}

uint32_t ReadBigEndian32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

uint32_t Checksum(const char* data, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes a uInt length; records are bounded by the journal's capacity, but stay safe.
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

std::atomic<Journal::WriteFault> write_fault{nullptr};

Status WriteFully(int fd, const char* data, size_t n, uint64_t offset, const std::string& path) {
  if (Journal::WriteFault fault = write_fault.load()) {
    Status s = fault(path);
    if (!s.ok()) return s;
  }
  while (n > 0) {
    ssize_t written = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (written < 0) {
      if (errno == EINTR) continue;
      return Errno("writing the journal", path);
    }
    data += written;
    n -= static_cast<size_t>(written);
    offset += static_cast<uint64_t>(written);
  }
  return Status::OK();
}

// Reads up to `n` bytes at `offset`; fewer only at the end of the file.
Status ReadFully(int fd, char* data, size_t n, uint64_t offset, const std::string& path,
                 size_t* got) {
  *got = 0;
  while (*got < n) {
    ssize_t r = ::pread(fd, data + *got, n - *got, static_cast<off_t>(offset + *got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Errno("reading the journal", path);
    }
    if (r == 0) break;
    *got += static_cast<size_t>(r);
  }
  return Status::OK();
}

// Writes zeros from the file's end up to `capacity` and syncs, so that later writes overwrite
// allocated blocks and their syncs need no metadata commit.
Status ZeroFill(int fd, uint64_t from, uint64_t capacity, const std::string& path) {
  const std::string zeros(1 << 20, '\0');
  for (uint64_t offset = from; offset < capacity; offset += zeros.size()) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), capacity - offset));
    Status s = WriteFully(fd, zeros.data(), n, offset, path);
    if (!s.ok()) return s;
  }
  if (::fsync(fd) != 0) return Errno("syncing the new journal", path);
  return Status::OK();
}

}  // namespace

void Journal::SetWriteFaultForTesting(WriteFault fault) { write_fault.store(fault); }

Journal::Journal(std::string path, int fd, uint64_t capacity)
    : path_(std::move(path)), fd_(fd), capacity_(capacity) {}

Journal::~Journal() { ::close(fd_); }

Status Journal::Open(const std::string& path, uint64_t capacity_bytes,
                     std::unique_ptr<Journal>* journal) {
  // A record's length field has 32 bits; a journal no larger than that cannot hold a record
  // whose length would not fit it.
  if (capacity_bytes < kHeaderBytes || capacity_bytes > UINT32_MAX) {
    return Status::InvalidArgument("journal capacity of " + std::to_string(capacity_bytes) +
                                   " bytes is outside 24 bytes .. 4 GiB");
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_DSYNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("opening the journal", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = Errno("inspecting the journal", path);
    ::close(fd);
    return s;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < capacity_bytes) {
    Status s = ZeroFill(fd, size, capacity_bytes, path);
    if (!s.ok()) {
      ::close(fd);
      return s;
    }
  }
  // A journal made larger earlier keeps its size: its records may reach past the new capacity.
  journal->reset(new Journal(path, fd, std::max(size, capacity_bytes)));
  return Status::OK();
}

Status Journal::OpenExisting(const std::string& path, std::unique_ptr<Journal>* journal) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no journal at " + path);
    return Errno("opening the journal", path);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = Errno("inspecting the journal", path);
    ::close(fd);
    return s;
  }
  journal->reset(new Journal(path, fd, static_cast<uint64_t>(st.st_size)));
  return Status::OK();
}

size_t Journal::RecordSize(size_t payload_bytes) { return kHeaderBytes + payload_bytes; }

void Journal::EncodeRecord(uint64_t first_position, uint64_t last_position,
                           std::string_view payload, std::string* out) {
  const size_t start = out->size();
  out->resize(start + 2 * 4);  // checksum and length, stored below
  log_keys::AppendBigEndian64(out, first_position);
  log_keys::AppendBigEndian64(out, last_position);
  out->append(payload);
  char* record = out->data() + start;
  StoreBigEndian32(record + kChecksumBytes, static_cast<uint32_t>(payload.size()));
  StoreBigEndian32(record, Checksum(record + kChecksumBytes, out->size() - start - kChecksumBytes));
}

Status Journal::Write(std::string_view records) {
  if (!Fits(records.size())) {
    return Status::InvalidArgument("journal records of " + std::to_string(records.size()) +
                                   " bytes do not fit at offset " + std::to_string(offset_));
  }
  // O_DSYNC: the write returns once the data is on the device.
  Status s = WriteFully(fd_, records.data(), records.size(), offset_, path_);
  if (s.ok()) offset_ += records.size();
  return s;
}

Status Journal::Replay(uint64_t after, const ApplyRecord& apply, uint64_t* last) {
  *last = after;
  uint64_t offset = 0;
  uint64_t chain_last = 0;  // 0 until the first record is read
  char header[kHeaderBytes];
  std::string record;
  for (;;) {
    size_t got = 0;
    Status s = ReadFully(fd_, header, kHeaderBytes, offset, path_, &got);
    if (!s.ok()) return s;
    if (got < kHeaderBytes) break;
    const uint32_t length = ReadBigEndian32(header + 4);
    const uint64_t first = log_keys::ReadBigEndian64(header + 8);
    const uint64_t last_position = log_keys::ReadBigEndian64(header + 16);
    if (length == 0 || first == 0 || last_position < first ||
        (chain_last != 0 && first != chain_last + 1) ||
        offset + kHeaderBytes + length > capacity_) {
      break;  // zeroed space, a stale record, or a torn header: the chain ends here
    }
    record.resize(kHeaderBytes + length);
    std::memcpy(record.data(), header, kHeaderBytes);
    s = ReadFully(fd_, record.data() + kHeaderBytes, length, offset + kHeaderBytes, path_, &got);
    if (!s.ok()) return s;
    if (got < length || Checksum(record.data() + kChecksumBytes, record.size() - kChecksumBytes) !=
                            ReadBigEndian32(record.data())) {
      break;  // torn: the write that was in flight when the process or machine stopped
    }
    chain_last = last_position;
    offset += record.size();
    if (last_position <= *last) continue;  // already in the store
    if (first <= *last) {
      return Status::Corruption("the journal " + path_ + " holds positions " +
                                std::to_string(first) + ".." + std::to_string(last_position) +
                                " as one write, but the event log ends inside it at " +
                                std::to_string(*last));
    }
    if (first != *last + 1) {
      return Status::Corruption("the journal " + path_ + " continues at position " +
                                std::to_string(first) + " but the event log ends at " +
                                std::to_string(*last) + ": positions " + std::to_string(*last + 1) +
                                ".." + std::to_string(first - 1) + " are lost");
    }
    s = apply(first, last_position, std::string_view(record).substr(kHeaderBytes));
    if (!s.ok()) return s;
    *last = last_position;
  }
  return Status::OK();
}

}  // namespace tandem
