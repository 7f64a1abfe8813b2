// Which tables of a closed RocksDB folder hold a column family's rows, for tests that damage one
// part of a store and not another.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include <gtest/gtest.h>

namespace tandem::test {

// The path of the largest table of column family `family` in the closed RocksDB folder `dir`;
// empty (and the test fails) when it has none.
inline std::string LargestTableOfFamily(const std::string& dir, const std::string& family) {
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok()) << dir;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* opened = nullptr;
  rocksdb::Status s =
      rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &opened);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return "";
  std::unique_ptr<rocksdb::DB> db(opened);
  std::vector<rocksdb::LiveFileMetaData> tables;
  db->GetLiveFilesMetaData(&tables);
  std::string largest;
  uint64_t size = 0;
  for (const rocksdb::LiveFileMetaData& table : tables) {
    if (table.column_family_name == family && table.size > size) {
      largest = table.db_path + "/" + table.relative_filename;
      size = table.size;
    }
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  EXPECT_FALSE(largest.empty()) << "no table of " << family << " in " << dir;
  return largest;
}

}  // namespace tandem::test
