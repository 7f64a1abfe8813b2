// `tandem-bench relay`: the relay against its floor in one run, on the embedded cluster. A log
// is filled with N events; (a) a plain librdkafka producer with the relay's settings sends the
// same keys, values, headers and partitions, timed to the last acknowledgement; (b) the relay
// publishes the log from position 0 until its published position is the head; the ratio of
// the two rates is printed. (c) Appends at a moderate rate, timed from the append's
// acknowledgement to the record's arrival at a consumer of the topic (p50/p99). Prints
// key=value lines.
#pragma once

#include <string>
#include <vector>

namespace tandem::bench {

int RunRelayBench(const std::vector<std::string>& args);

}  // namespace tandem::bench
