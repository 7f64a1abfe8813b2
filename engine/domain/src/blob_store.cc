#include "tandem/domain/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/evp.h>

namespace tandem {
namespace {

namespace fs = std::filesystem;

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

// Writes `bytes` to `path` and fsyncs it.
Status WriteSynced(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating " + path);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Errno("writing " + path);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Errno("syncing " + path);
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0) return Errno("closing " + path);
  return Status::OK();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("opening " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Errno("syncing " + dir);
}

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned char b : std::string_view(reinterpret_cast<char*>(digest), length)) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Status BlobStore::Open(const BlobStoreOptions& options, const std::string& path,
                       std::unique_ptr<BlobStore>* store) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Status::IOError("creating blob folder " + path + ": " + ec.message());
  store->reset(new BlobStore(options, path));
  return Status::OK();
}

// Two levels of fan-out keep directories small.
std::string BlobStore::PathOf(const std::string& sha256) const {
  return path_ + "/" + sha256.substr(0, 2) + "/" + sha256;
}

Status BlobStore::Put(std::string_view bytes, BlobRef* ref) {
  if (bytes.size() > options_.max_blob_bytes) {
    return Status::InvalidArgument("file.too_large", "the file is " + std::to_string(bytes.size()) +
                                                         " bytes, more than the limit of " +
                                                         std::to_string(options_.max_blob_bytes));
  }
  ref->sha256 = Sha256Hex(bytes);
  ref->size = bytes.size();
  ref->content_ref = "sha256:" + ref->sha256;
  const std::string final_path = PathOf(ref->sha256);
  std::error_code ec;
  if (fs::exists(final_path, ec)) return Status::OK();
  const std::string dir = fs::path(final_path).parent_path();
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("creating " + dir + ": " + ec.message());
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = final_path + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(counter.fetch_add(1));
  Status s = WriteSynced(tmp, bytes);
  if (s.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) s = Errno("renaming " + tmp);
  if (!s.ok()) {
    fs::remove(tmp, ec);
    return s;
  }
  return SyncDirectory(dir);
}

Status BlobStore::Get(const std::string& sha256, std::string* bytes) const {
  if (!IsSha256Hex(sha256)) {
    return Status::InvalidArgument("blob.invalid_ref", "not a sha256 blob name: " + sha256);
  }
  std::ifstream in(PathOf(sha256), std::ios::binary);
  if (!in) return Status::NotFound("no blob " + sha256);
  std::ostringstream buf;
  buf << in.rdbuf();
  *bytes = buf.str();
  if (Sha256Hex(*bytes) != sha256) {
    bytes->clear();
    return Status::Corruption("blob " + sha256 + " does not match its hash");
  }
  return Status::OK();
}

}  // namespace tandem
