// Damage to stored bytes, the way a failing device would do it, for tests of what the log
// refuses to trust.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

namespace tandem::test {

// Overwrites 4 bytes of `file` where the body `body` of a comment event is stored (a FlatBuffers
// string: le32 length, bytes, NUL). Fails the test if the body is not there.
inline void DamageCommentBodyIn(const std::string& file, const std::string& body) {
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string needle(4, '\0');
  needle[0] = static_cast<char>(body.size());
  needle += body + '\0';
  const size_t at = bytes.find(needle);
  ASSERT_NE(at, std::string::npos) << "no body '" << body << "' in " << file;
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(at + 4));
  f.write("\x5a\x5a\x5a\x5a", 4);
}

// Inverts a byte of the table `table`, 100 bytes in: its first block, the oldest rows it holds
// (opens read the newest).
inline void DamageTable(const std::string& table) {
  std::fstream file(table, std::ios::in | std::ios::out | std::ios::binary);
  char byte = 0;
  file.seekg(100);
  file.read(&byte, 1);
  byte = static_cast<char>(~byte);
  file.seekp(100);
  file.write(&byte, 1);
}

// Damages (DamageTable) the largest table in the RocksDB folder `dir` (in an event log, the
// events'). Returns the table's path, empty (and fails the test) when the folder has none.
inline std::string DamageATableIn(const std::string& dir) {
  std::string table;
  uintmax_t largest = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst" && entry.file_size() > largest) {
      table = entry.path().string();
      largest = entry.file_size();
    }
  }
  EXPECT_FALSE(table.empty()) << "no table in " << dir;
  if (!table.empty()) DamageTable(table);
  return table;
}

}  // namespace tandem::test
