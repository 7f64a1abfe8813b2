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

// One attempt: the families listed (when `describe` is set), then the open.
rocksdb::Status ListAndOpen(const rocksdb::DBOptions& db_options, const std::string& path,
                            const std::vector<rocksdb::ColumnFamilyDescriptor>& fixed,
                            const DescribeColumnFamilies* describe,
                            std::vector<rocksdb::ColumnFamilyHandle*>* handles, rocksdb::DB** db) {
  if (describe == nullptr) {
    return rocksdb::DB::OpenForReadOnly(db_options, path, fixed, handles, db);
  }
  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, path, &names);
  if (!listed.ok()) {
    // No database at all: the open says so in its own words. Else the listing's failure is
    // the answer (opening "default" alone would read as a database without views).
    if (db_options.env->FileExists(path + "/CURRENT").IsNotFound()) {
      return rocksdb::DB::OpenForReadOnly(
          db_options, path, (*describe)({rocksdb::kDefaultColumnFamilyName}), handles, db);
    }
    return listed;
  }
  return rocksdb::DB::OpenForReadOnly(db_options, path, (*describe)(names), handles, db);
}

rocksdb::Status OpenLoop(const rocksdb::DBOptions& options_in, const std::string& path,
                         const std::vector<rocksdb::ColumnFamilyDescriptor>& fixed,
                         const DescribeColumnFamilies* describe,
                         std::vector<rocksdb::ColumnFamilyHandle*>* handles, rocksdb::DB** db,
                         const ReadOnlyOpenOptions& options) {
  *db = nullptr;
  if (options_in.max_open_files != -1) {
    return rocksdb::Status::InvalidArgument(
        "a consistent read-only open needs max_open_files -1 (every table opened at the open)");
  }
  rocksdb::DBOptions db_options = options_in;
  if (db_options.env == nullptr) db_options.env = rocksdb::Env::Default();
  rocksdb::FileSystem* fs = db_options.env->GetFileSystem().get();
  const auto give_up = std::chrono::steady_clock::now() + options.give_up_after;
  std::chrono::milliseconds pause(1);
  for (int attempt = 1;; ++attempt) {
    ManifestStamp before, after;
    const rocksdb::IOStatus stamped_before = ReadStamp(fs, path, &before);
    rocksdb::Status s = ListAndOpen(db_options, path, fixed, describe, handles, db);
    const rocksdb::IOStatus stamped_after = ReadStamp(fs, path, &after);
    if (stamped_before.ok() && stamped_after.ok() && before == after) return s;
    // Nothing to stamp after an open that failed: no database there (or none readable), and
    // the open's own answer stands. A stamp that failed beside a successful open is a MANIFEST
    // being replaced (a writer opening): a change like any other.
    if (!s.ok() && !stamped_after.ok()) return s;
    Close(handles, db);
    if (std::chrono::steady_clock::now() >= give_up) {
      return rocksdb::Status::Busy("a writer kept changing the database at " + path +
                                   " while it was opened read-only (" + std::to_string(attempt) +
                                   " opens); try again");
    }
    LogDebug("rocks", "read-only open retried path=" + path + " attempt=" +
                          std::to_string(attempt) + " (a writer changed the database during it)");
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(64));
  }
}

}  // namespace

rocksdb::Status OpenForReadOnlyConsistently(const rocksdb::DBOptions& db_options,
                                            const std::string& path,
                                            const DescribeColumnFamilies& describe,
                                            std::vector<rocksdb::ColumnFamilyHandle*>* handles,
                                            rocksdb::DB** db, const ReadOnlyOpenOptions& options) {
  return OpenLoop(db_options, path, {}, &describe, handles, db, options);
}

rocksdb::Status OpenForReadOnlyConsistently(
    const rocksdb::DBOptions& db_options, const std::string& path,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& column_families,
    std::vector<rocksdb::ColumnFamilyHandle*>* handles, rocksdb::DB** db,
    const ReadOnlyOpenOptions& options) {
  return OpenLoop(db_options, path, column_families, nullptr, handles, db, options);
}

}  // namespace tandem
