#pragma once

#include <vector>

#include <rocksdb/db.h>

namespace tandem {

// Reads every block of every live table of `db` (its column families `families`) and checks its
// checksum: Corruption naming the damaged file. A table that a writer in another process has
// deleted since `db` was opened (compacted away: its rows are in newer tables, which a later
// open sees) is skipped, not reported: `DB::VerifyChecksum` opens every table again by name and
// failed on those beside a running writer.
rocksdb::Status VerifyTableChecksums(rocksdb::DB* db,
                                     const std::vector<rocksdb::ColumnFamilyHandle*>& families);

}  // namespace tandem
