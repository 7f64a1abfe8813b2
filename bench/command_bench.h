// `tandem-bench command`: what a command costs through the CommandHandler, on a project with
// a short and with a long history, and commands/s with many submitters against the log's own
// append rate measured in the same run. Prints key=value lines.
#pragma once

#include <string>
#include <vector>

namespace tandem::bench {

int RunCommandBench(const std::vector<std::string>& args);

}  // namespace tandem::bench
