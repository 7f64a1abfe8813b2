#include "tandem/rocks/table_checksums.h"

#include <filesystem>
#include <map>
#include <string>

#include <rocksdb/convenience.h>

namespace tandem {

rocksdb::Status VerifyTableChecksums(rocksdb::DB* db,
                                     const std::vector<rocksdb::ColumnFamilyHandle*>& families,
                                     const TableCheckProgress& progress) {
  std::map<std::string, rocksdb::Options> options_of;
  for (rocksdb::ColumnFamilyHandle* family : families) {
    rocksdb::Options options(db->GetDBOptions(), db->GetOptions(family));
    // A table read outside its database has no manifest to compare its unique id with (RocksDB
    // warns of each such open otherwise).
    options.verify_sst_unique_id_in_manifest = false;
    options_of.emplace(family->GetName(), options);
  }
  std::vector<rocksdb::LiveFileMetaData> tables;
  db->GetLiveFilesMetaData(&tables);
  std::erase_if(tables, [&](const rocksdb::LiveFileMetaData& table) {
    return options_of.count(table.column_family_name) == 0;
  });
  uint64_t total = 0, done = 0;
  for (const rocksdb::LiveFileMetaData& table : tables) total += table.size;
  const rocksdb::EnvOptions env_options;
  for (const rocksdb::LiveFileMetaData& table : tables) {
    const rocksdb::Options& options = options_of.at(table.column_family_name);
    const std::string path = table.db_path + "/" + table.relative_filename;
    rocksdb::Status s = rocksdb::VerifySstFileChecksum(options, env_options, path);
    done += table.size;
    if (s.ok() && progress) progress(done, total);
    if (s.ok()) continue;
    std::error_code ec;
    const bool gone = !std::filesystem::exists(path, ec) && !ec;  // not a failing stat
    if (!s.IsCorruption() && gone) continue;
    // Some errors (a table cut short) do not say which file they are about.
    if (s.ToString().find(table.relative_filename) == std::string::npos) {
      const std::string what = path + ": " + (s.getState() != nullptr ? s.getState() : "");
      return s.IsCorruption() ? rocksdb::Status::Corruption(what) : rocksdb::Status::IOError(what);
    }
    return s;
  }
  return rocksdb::Status::OK();
}

}  // namespace tandem
