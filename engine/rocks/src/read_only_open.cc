#include "tandem/rocks/read_only_open.h"

#include <algorithm>
#include <thread>

#include <rocksdb/file_system.h>

#include "tandem/basics/logger.h"

namespace tandem {
namespace {

// Which MANIFEST is current and how much of it is written: RocksDB only appends to a MANIFEST
// and names a new one in CURRENT, so any change of the database's files changes this.
struct ManifestStamp {
  std::string current;
  uint64_t manifest_bytes = 0;
  bool operator==(const ManifestStamp&) const = default;
};

rocksdb::IOStatus ReadStamp(rocksdb::FileSystem* fs, const std::string& path,
                            ManifestStamp* stamp) {
  rocksdb::IOStatus s = rocksdb::ReadFileToString(fs, path + "/CURRENT", &stamp->current);
  if (!s.ok()) return s;
  std::string manifest = stamp->current;
  while (!manifest.empty() && manifest.back() == '\n') manifest.pop_back();
  return fs->GetFileSize(path + "/" + manifest, rocksdb::IOOptions(), &stamp->manifest_bytes,
                         nullptr);
}

void Close(std::vector<rocksdb::ColumnFamilyHandle*>* handles, rocksdb::DB** db) {
  if (*db == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : *handles) (*db)->DestroyColumnFamilyHandle(h);
  handles->clear();
  delete *db;
  *db = nullptr;
}

}  // namespace

rocksdb::Status OpenForReadOnlyConsistently(
    const rocksdb::DBOptions& db_options, const std::string& path,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& column_families,
    std::vector<rocksdb::ColumnFamilyHandle*>* handles, rocksdb::DB** db,
    const ReadOnlyOpenOptions& options) {
  if (db_options.max_open_files != -1) {
    return rocksdb::Status::InvalidArgument(
        "a consistent read-only open needs max_open_files -1 (every table opened at the open)");
  }
  *db = nullptr;
  rocksdb::Env* env = db_options.env != nullptr ? db_options.env : rocksdb::Env::Default();
  rocksdb::FileSystem* fs = env->GetFileSystem().get();
  const auto give_up = std::chrono::steady_clock::now() + options.give_up_after;
  std::chrono::milliseconds pause(1);
  for (int attempt = 1;; ++attempt) {
    ManifestStamp before;
    const bool stamped = ReadStamp(fs, path, &before).ok();
    rocksdb::Status s =
        rocksdb::DB::OpenForReadOnly(db_options, path, column_families, handles, db);
    ManifestStamp after;
    // Without a CURRENT file there is no database for a writer to change: the open's own
    // answer (not found, damaged) stands.
    if (!stamped) return s;
    if (ReadStamp(fs, path, &after).ok() && after == before) return s;
    Close(handles, db);
    if (std::chrono::steady_clock::now() >= give_up) {
      return rocksdb::Status::Busy("the database at " + path + " kept changing while opened (" +
                                   std::to_string(attempt) + " read-only opens)");
    }
    LogDebug("rocks", "read-only open retried path=" + path + " attempt=" +
                          std::to_string(attempt) + " (a writer changed the database during it)");
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(64));
  }
}

}  // namespace tandem
