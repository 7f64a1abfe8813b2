// The views database's RocksDB statuses as Tandem's: the code kept, RocksDB's words kept as the
// message (they name the file or key involved).
#pragma once

#include <rocksdb/status.h>

#include "tandem/basics/status.h"

namespace tandem {

Status FromRocks(const rocksdb::Status& s);

}  // namespace tandem
