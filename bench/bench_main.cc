// `tandem-bench`: benchmarks that always measure their baseline in the same run.
#include <iostream>
#include <string>
#include <vector>

#include "append_bench.h"
#include "command_bench.h"
#include "project_bench.h"
#include "relay_bench.h"

int main(int argc, char** argv) {
  const std::string usage =
      "usage: tandem-bench <benchmark> [options]\n\nbenchmarks:\n"
      "  append   durable append throughput vs raw RocksDB floors (W = 1, 8, 64 writers)\n"
      "  command  cost per command on a 1k- and a 100k-comment project; commands/s vs appends/s\n"
      "  project  projections on a generated 1M-event history: fold, rebuild vs raw floor, live\n"
      "           lag, as-of reads\n"
      "  relay    events/s from the log to Kafka vs a raw producer; append -> consumed latency\n";
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << usage;
    return argc < 2 ? 2 : 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  if (std::string(argv[1]) == "append") return tandem::bench::RunAppendBench(args);
  if (std::string(argv[1]) == "command") return tandem::bench::RunCommandBench(args);
  if (std::string(argv[1]) == "project") return tandem::bench::RunProjectBench(args);
  if (std::string(argv[1]) == "relay") return tandem::bench::RunRelayBench(args);
  std::cerr << "tandem-bench: unknown benchmark '" << argv[1] << "'\n" << usage;
  return 2;
}
