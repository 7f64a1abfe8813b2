// `tandem-bench append`: durable append throughput of the EventLog against raw RocksDB floors
// measured in the same run. Prints key=value lines.
#pragma once

#include <string>
#include <vector>

namespace tandem::bench {

int RunAppendBench(const std::vector<std::string>& args);

}  // namespace tandem::bench
