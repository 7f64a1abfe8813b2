// RocksDB's diagnostic messages (its LOG file: options at open, flushes, compactions, background
// errors) as lines of Tandem's own log, component "rocksdb": errors as warnings, warnings as
// info, the rest at debug (TANDEM_LOG_LEVEL=debug shows them).
//
// Why not RocksDB's LOG file: RocksDB 7.8's file logger asserts that its writes succeed, and
// Debian builds it with assertions, so a full disk aborted every process touching a database
// (a running `tandem serve` included) instead of returning the I/O error to the caller; and
// every open kept the previous file as LOG.old.<time>, hundreds of them beside a database that
// the CLI opens once per command.
#pragma once

#include <memory>

#include <rocksdb/env.h>

namespace tandem {

std::shared_ptr<rocksdb::Logger> NewRocksInfoLog();

}  // namespace tandem
