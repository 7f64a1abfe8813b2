#include "published_position.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

namespace tandem::kafka {
namespace {

constexpr char kMagic[8] = {'T', 'N', 'D', 'M', 'R', 'L', 'Y', '1'};
constexpr size_t kFileBytes = 24;

uint64_t LittleEndian(uint64_t v) {
  return std::endian::native == std::endian::little ? v : __builtin_bswap64(v);
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Status WritePositionFile(const std::string& path, uint64_t position) {
  char bytes[kFileBytes];
  std::memcpy(bytes, kMagic, sizeof kMagic);
  const uint64_t value = LittleEndian(position), complement = LittleEndian(~position);
  std::memcpy(bytes + 8, &value, sizeof value);
  std::memcpy(bytes + 16, &complement, sizeof complement);
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating", temp);
  Status s;
  if (::write(fd, bytes, kFileBytes) != static_cast<ssize_t>(kFileBytes) || ::fsync(fd) != 0) {
    s = Errno("writing", temp);
  }
  if (::close(fd) != 0 && s.ok()) s = Errno("closing", temp);
  if (s.ok() && ::rename(temp.c_str(), path.c_str()) != 0) s = Errno("renaming", temp);
  if (!s.ok()) return s;
  // The new name is durable only once its folder is synced.
  const std::string folder = FolderOf(path);
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) s = Errno("syncing the folder of", path);
  if (dir >= 0) ::close(dir);
  return s;
}

Status ReadPositionFile(const std::string& path, uint64_t* position) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("relay.no_position_file", "no " + path);
    return Errno("opening", path);
  }
  char bytes[kFileBytes + 1];
  const ssize_t n = ::read(fd, bytes, sizeof bytes);
  ::close(fd);
  if (n < 0) return Errno("reading", path);
  uint64_t value = 0, complement = 0;
  if (n == static_cast<ssize_t>(kFileBytes)) {
    std::memcpy(&value, bytes + 8, sizeof value);
    std::memcpy(&complement, bytes + 16, sizeof complement);
    value = LittleEndian(value);
    complement = LittleEndian(complement);
  }
  if (n != static_cast<ssize_t>(kFileBytes) || std::memcmp(bytes, kMagic, sizeof kMagic) != 0 ||
      value != ~complement) {
    return Status::Corruption("relay.bad_position_file", path + " is damaged");
  }
  *position = value;
  return Status::OK();
}

}  // namespace tandem::kafka
