#include "tandem/rocks/table_checksums.h"

#include <filesystem>
#include <map>
#include <string>

#include <rocksdb/convenience.h>

namespace tandem {

rocksdb::Status VerifyTableChecksums(rocksdb::DB* db,
                                     const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  std::map<std::string, rocksdb::Options> options_of;
  for (rocksdb::ColumnFamilyHandle* family : families) {
    options_of.emplace(family->GetName(),
                       rocksdb::Options(db->GetDBOptions(), db->GetOptions(family)));
  }
  std::vector<rocksdb::LiveFileMetaData> tables;
  db->GetLiveFilesMetaData(&tables);
  const rocksdb::EnvOptions env_options;
  for (const rocksdb::LiveFileMetaData& table : tables) {
    const auto options = options_of.find(table.column_family_name);
    if (options == options_of.end()) continue;
    const std::string path = table.db_path + "/" + table.relative_filename;
    rocksdb::Status s = rocksdb::VerifySstFileChecksum(options->second, env_options, path);
    std::error_code ec;
    if (!s.ok() && !s.IsCorruption() && !std::filesystem::exists(path, ec)) continue;
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

}  // namespace tandem
