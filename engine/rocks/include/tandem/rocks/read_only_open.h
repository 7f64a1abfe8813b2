#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <rocksdb/db.h>

namespace tandem {

struct ReadOnlyOpenOptions {
  // How long to keep retrying while a writer keeps changing the database under the open.
  std::chrono::milliseconds give_up_after{10000};
};

// Opens the database at `path` read-only as RocksDB's `DB::OpenForReadOnly` does, with one more
// guarantee: what the open returns is one state the database had, even while another process
// writes it.
//
// Why: a read-only open reads the MANIFEST, then lists and replays the write-ahead log files.
// A writer that finishes a flush in between records it in a MANIFEST the open has already read
// and deletes the write-ahead log file the flush emptied: the open then misses that file's
// writes (a hole, reported as OK) or fails reading it (a false IOError or Corruption). Every
// such deletion (and every compaction's deletion of tables) is preceded by a MANIFEST write,
// so an open during which the MANIFEST did not change saw a state that was whole. Table files
// are all opened by the open itself (`max_open_files` -1, RocksDB's default, is required), so
// their later deletion does not reach the returned database.
//
// Returns what `DB::OpenForReadOnly` returns for a state that held still, or Busy when the
// database kept changing for `give_up_after`.
rocksdb::Status OpenForReadOnlyConsistently(
    const rocksdb::DBOptions& db_options, const std::string& path,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& column_families,
    std::vector<rocksdb::ColumnFamilyHandle*>* handles, rocksdb::DB** db,
    const ReadOnlyOpenOptions& options = ReadOnlyOpenOptions());

// The same for a database whose column families are not known in advance: `describe` turns the
// names RocksDB lists (inside the checked window, so that a family created or dropped beside
// the open is seen like any other change) into what to open them with. When the database has
// no CURRENT file (none was ever created), the names are just "default", and the open answers.
using DescribeColumnFamilies = std::function<std::vector<rocksdb::ColumnFamilyDescriptor>(
    const std::vector<std::string>& names)>;
rocksdb::Status OpenForReadOnlyConsistently(
    const rocksdb::DBOptions& db_options, const std::string& path,
    const DescribeColumnFamilies& describe, std::vector<rocksdb::ColumnFamilyHandle*>* handles,
    rocksdb::DB** db, const ReadOnlyOpenOptions& options = ReadOnlyOpenOptions());

}  // namespace tandem
