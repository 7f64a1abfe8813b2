#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <rocksdb/db.h>

namespace tandem {

// Reads every block of every live table of `db` (its column families `families`) and checks its
// checksum: Corruption naming the damaged file. A table that a writer in another process has
// deleted since `db` was opened (compacted away: its rows are in newer tables, which a later
// open sees) is skipped, not reported: `DB::VerifyChecksum` opens every table again by name and
// failed on those beside a running writer.
// `progress`, when given, is called after each table with the bytes of the tables checked so far
// and of all the tables to check.
using TableCheckProgress = std::function<void(uint64_t done_bytes, uint64_t total_bytes)>;
rocksdb::Status VerifyTableChecksums(rocksdb::DB* db,
                                     const std::vector<rocksdb::ColumnFamilyHandle*>& families,
                                     const TableCheckProgress& progress = nullptr);

}  // namespace tandem
