#include "durable_position.h"

#include <bit>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tandem/basics/logger.h"

namespace tandem {
namespace {

constexpr char kMagic[8] = {'T', 'N', 'D', 'M', 'D', 'U', 'R', '1'};
constexpr size_t kFileBytes = 16;
constexpr size_t kSlotOffset = 8;
static_assert(std::atomic<uint64_t>::is_always_lock_free && sizeof(std::atomic<uint64_t>) == 8,
              "the slot is shared between processes through a mapping");

uint64_t LittleEndian(uint64_t v) {
  return std::endian::native == std::endian::little ? v : __builtin_bswap64(v);
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

std::string PathIn(const std::string& folder) { return folder + "/" + DurablePosition::kFileName; }

// Writes a file holding position 0 and makes it durable under its name.
Status CreateFile(const std::string& folder, const std::string& path) {
  const std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating", temp);
  char bytes[kFileBytes] = {};
  std::memcpy(bytes, kMagic, sizeof(kMagic));
  Status s;
  if (::pwrite(fd, bytes, kFileBytes, 0) != static_cast<ssize_t>(kFileBytes) || ::fsync(fd) != 0) {
    s = Errno("writing", temp);
  }
  ::close(fd);
  if (s.ok() && ::rename(temp.c_str(), path.c_str()) != 0) s = Errno("renaming", temp);
  if (!s.ok()) return s;
  // The new name is durable only once its folder is synced.
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) s = Errno("syncing the folder of", path);
  if (dir >= 0) ::close(dir);
  return s;
}

}  // namespace

Status DurablePosition::OpenForWriting(const std::string& folder, uint64_t position,
                                       std::unique_ptr<DurablePosition>* out) {
  const std::string path = PathIn(folder);
  uint64_t ignored = 0;
  Status s = Read(folder, &ignored);
  if (!s.ok()) {
    if (!s.IsNotFound()) LogWarn("event_log", "rewriting " + path + ": " + s.ToString());
    // Readers see either no file or a whole one: it is written aside and renamed into place.
    s = CreateFile(folder, path);
    if (!s.ok()) return s;
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Errno("opening", path);
  void* mapping = ::mmap(nullptr, kFileBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mapping == MAP_FAILED) s = Errno("mapping", path);
  if (s.ok()) {
    // Stored through the mapping like every later update, so that a concurrent reader never
    // sees a torn value; the sync makes the recovered position the floor after a power loss.
    out->reset(new DurablePosition(mapping, reinterpret_cast<std::atomic<uint64_t>*>(
                                                static_cast<char*>(mapping) + kSlotOffset)));
    (*out)->Publish(position);
    if (::fsync(fd) != 0) {
      s = Errno("syncing", path);
      out->reset();
    }
  }
  ::close(fd);
  return s;
}

Status DurablePosition::Read(const std::string& folder, uint64_t* position) {
  *position = 0;
  const std::string path = PathIn(folder);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no " + path);
    return Errno("opening", path);
  }
  struct stat st;
  Status s;
  void* mapping = MAP_FAILED;
  if (::fstat(fd, &st) != 0) {
    s = Errno("reading", path);
  } else if (st.st_size != static_cast<off_t>(kFileBytes)) {
    s = Status::Corruption(path + " has " + std::to_string(st.st_size) + " bytes, not " +
                           std::to_string(kFileBytes));
  } else {
    mapping = ::mmap(nullptr, kFileBytes, PROT_READ, MAP_SHARED, fd, 0);
    if (mapping == MAP_FAILED) s = Errno("mapping", path);
  }
  ::close(fd);
  if (!s.ok()) return s;
  // Read through the mapping, as the writer stores: a plain read() may copy the slot in pieces.
  const char* bytes = static_cast<const char*>(mapping);
  if (std::memcmp(bytes, kMagic, sizeof(kMagic)) != 0) {
    s = Status::Corruption(path + " is not a durable-position file");
  } else {
    const auto* slot = reinterpret_cast<const std::atomic<uint64_t>*>(bytes + kSlotOffset);
    *position = LittleEndian(slot->load(std::memory_order_acquire));
  }
  ::munmap(mapping, kFileBytes);
  return s;
}

DurablePosition::~DurablePosition() { ::munmap(mapping_, kFileBytes); }

void DurablePosition::Publish(uint64_t position) {
  slot_->store(LittleEndian(position), std::memory_order_release);
}

}  // namespace tandem
