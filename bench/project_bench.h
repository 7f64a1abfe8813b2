// `tandem-bench project`: projections over a realistic generated history (1M events, 2,000
// projects, 50 clients by default): fold rates in memory, a full rebuild of every view against
// the raw fold floor (one 200-byte row per event, WriteBatches of 1,000, no sync) measured in
// the same run, the rebuild's peak RSS, live lag from an acknowledged append to the updated
// view at a fixed append rate, and as-of read latency. Prints key=value lines.
#pragma once

#include <string>
#include <vector>

namespace tandem::bench {

int RunProjectBench(const std::vector<std::string>& args);

}  // namespace tandem::bench
