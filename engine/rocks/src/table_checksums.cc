#include "tandem/rocks/table_checksums.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <rocksdb/convenience.h>
#include <rocksdb/env.h>

namespace tandem {
namespace {

// A table checked outside its database has no unique id to compare, which RocksDB notes at
// INFO for every file; the check's findings come back as its status.
class QuietLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

}  // namespace

rocksdb::Status VerifyTableChecksums(rocksdb::DB* db,
                                     const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  std::map<std::string, rocksdb::Options> options_of;
  const auto quiet = std::make_shared<QuietLogger>();
  for (rocksdb::ColumnFamilyHandle* family : families) {
    rocksdb::Options options(db->GetDBOptions(), db->GetOptions(family));
    options.info_log = quiet;
    options_of.emplace(family->GetName(), options);
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
