#include "durable_position.h"

#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tandem/basics/logger.h"

namespace tandem {
namespace {

constexpr char kMagic[8] = {'T', 'N', 'D', 'M', 'D', 'U', 'R', '2'};
constexpr char kFormat1Magic[8] = {'T', 'N', 'D', 'M', 'D', 'U', 'R', '1'};
constexpr size_t kFormat1Bytes = 16;
constexpr size_t kFileBytes = 32;
constexpr size_t kModeOffset = 8;
constexpr size_t kValueOffset = 16;
constexpr size_t kComplementOffset = 24;
constexpr uint64_t kSynced = 0, kBuffered = 1;
// A reader that finds the slot's halves disagreeing reads again this often, a little apart,
// before it calls the slot damaged: long enough for a writer preempted between its two stores.
constexpr int kReadAttempts = 2000;
constexpr auto kReadPause = std::chrono::microseconds(50);
static_assert(std::atomic<uint64_t>::is_always_lock_free && sizeof(std::atomic<uint64_t>) == 8,
              "the slot's words are shared between processes through a mapping");

uint64_t LittleEndian(uint64_t v) {
  return std::endian::native == std::endian::little ? v : __builtin_bswap64(v);
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

std::string PathIn(const std::string& folder) { return folder + "/" + DurablePosition::kFileName; }

std::atomic<uint64_t>* WordAt(void* mapping, size_t offset) {
  return reinterpret_cast<std::atomic<uint64_t>*>(static_cast<char*>(mapping) + offset);
}

// Writes a file holding position 0 and makes it durable under its name.
Status CreateFile(const std::string& folder, const std::string& path) {
  const std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating", temp);
  char bytes[kFileBytes] = {};
  std::memcpy(bytes, kMagic, sizeof(kMagic));
  const uint64_t complement = LittleEndian(~uint64_t{0});
  std::memcpy(bytes + kComplementOffset, &complement, sizeof complement);
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

Status DurablePosition::OpenForWriting(const std::string& folder, uint64_t position, bool buffered,
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
    // Stored through the mapping like every later update, so that a concurrent reader takes
    // the old pair or the new one (and reads a half-done update again); the sync makes the
    // recovered position the floor after a power loss.
    out->reset(new DurablePosition(mapping));
    (*out)->mode_->store(LittleEndian(buffered ? kBuffered : kSynced), std::memory_order_release);
    (*out)->Publish(position);
    if (::fsync(fd) != 0) {
      s = Errno("syncing", path);
      out->reset();
    }
  }
  ::close(fd);
  return s;
}

Status DurablePosition::Read(const std::string& folder, uint64_t* position, bool* buffered) {
  *position = 0;
  if (buffered != nullptr) *buffered = false;
  const std::string path = PathIn(folder);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no " + path);
    return Errno("opening", path);
  }
  struct stat st;
  Status s;
  void* mapping = MAP_FAILED;
  char format1[sizeof kFormat1Magic];
  if (::fstat(fd, &st) != 0) {
    s = Errno("reading", path);
  } else if (st.st_size == static_cast<off_t>(kFormat1Bytes) &&
             ::pread(fd, format1, sizeof format1, 0) == static_cast<ssize_t>(sizeof format1) &&
             std::memcmp(format1, kFormat1Magic, sizeof format1) == 0) {
    // Its position has no check: damage would be read as a position. Fail closed.
    s = Status::Corruption(path +
                           " is in an older build's format, whose position cannot be checked: "
                           "open the log read-write once to rewrite it");
  } else if (st.st_size != static_cast<off_t>(kFileBytes)) {
    s = Status::Corruption(path + " has " + std::to_string(st.st_size) + " bytes, not " +
                           std::to_string(kFileBytes));
  } else {
    mapping = ::mmap(nullptr, kFileBytes, PROT_READ, MAP_SHARED, fd, 0);
    if (mapping == MAP_FAILED) s = Errno("mapping", path);
  }
  ::close(fd);
  if (!s.ok()) return s;
  // Read through the mapping, as the writer stores: a plain read() may copy a word in pieces.
  if (std::memcmp(mapping, kMagic, sizeof(kMagic)) != 0) {
    ::munmap(mapping, kFileBytes);
    return Status::Corruption(path + " is not a durable-position file");
  }
  const uint64_t mode = LittleEndian(WordAt(mapping, kModeOffset)->load(std::memory_order_acquire));
  bool matched = false;
  for (int attempt = 0; attempt < kReadAttempts && !matched; attempt++) {
    if (attempt > 0) std::this_thread::sleep_for(kReadPause);
    const uint64_t value = WordAt(mapping, kValueOffset)->load(std::memory_order_acquire);
    const uint64_t complement = WordAt(mapping, kComplementOffset)->load(std::memory_order_acquire);
    matched = complement == ~value;
    if (matched) *position = LittleEndian(value);
  }
  ::munmap(mapping, kFileBytes);
  if (!matched) {
    *position = 0;
    return Status::Corruption(path +
                              " is damaged: its position and the position's check disagree "
                              "(a read-write open rewrites it)");
  }
  if (mode != kSynced && mode != kBuffered) {
    *position = 0;
    return Status::Corruption(path + " is damaged: unknown durability " + std::to_string(mode));
  }
  if (buffered != nullptr) *buffered = mode == kBuffered;
  return Status::OK();
}

DurablePosition::DurablePosition(void* mapping)
    : mapping_(mapping),
      mode_(WordAt(mapping, kModeOffset)),
      value_(WordAt(mapping, kValueOffset)),
      complement_(WordAt(mapping, kComplementOffset)) {}

DurablePosition::~DurablePosition() { ::munmap(mapping_, kFileBytes); }

void DurablePosition::Publish(uint64_t position) {
  // A reader between the two stores sees halves that disagree and reads again.
  value_->store(LittleEndian(position), std::memory_order_release);
  complement_->store(LittleEndian(~position), std::memory_order_release);
}

}  // namespace tandem
