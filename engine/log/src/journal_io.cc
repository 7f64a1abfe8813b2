#include "journal_io.h"

#include <atomic>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace tandem::journal_io {

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

bool ChecksumMatches(const std::string& record) {
  return Checksum(record.data() + 4, record.size() - 4) == ReadBigEndian32(record.data());
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

namespace {
std::atomic<Status (*)(const std::string&)> write_fault{nullptr};
}  // namespace

void SetWriteFault(Status (*fault)(const std::string& path)) { write_fault.store(fault); }

Status WriteFully(int fd, const char* data, size_t n, uint64_t offset, const std::string& path) {
  if (auto fault = write_fault.load()) {
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

// Writes zeros from `from` up to `capacity` and syncs, so that later writes overwrite allocated
// blocks and their syncs need no metadata commit.
Status ZeroFill(int fd, uint64_t from, uint64_t capacity, const std::string& path) {
  const std::string zeros(1 << 20, '\0');
  for (uint64_t offset = from; offset < capacity; offset += zeros.size()) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), capacity - offset));
    Status s = WriteFully(fd, zeros.data(), n, offset, path);
    if (!s.ok()) return s;
  }
  if (::fsync(fd) != 0) return Errno("syncing the journal", path);
  return Status::OK();
}

// Makes a new name in the folder holding `path` survive a power loss.
Status SyncFolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string folder =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("opening the folder", folder);
  Status s;
  if (::fsync(fd) != 0) s = Errno("syncing the folder", folder);
  ::close(fd);
  return s;
}

Status FileSize(int fd, const std::string& path, uint64_t* size) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Errno("inspecting the journal", path);
  *size = static_cast<uint64_t>(st.st_size);
  return Status::OK();
}

std::string PositionRange(uint64_t first, uint64_t last) {
  return std::to_string(first) + ".." + std::to_string(last);
}

}  // namespace tandem::journal_io
