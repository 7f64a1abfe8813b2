// `tandem-bench`: benchmarks that always measure their baseline in the same run.
#include <iostream>
#include <string>
#include <vector>

#include "append_bench.h"

int main(int argc, char** argv) {
  const std::string usage =
      "usage: tandem-bench <benchmark> [options]\n\nbenchmarks:\n"
      "  append   durable append throughput vs raw RocksDB floors (W = 1, 8, 64 writers)\n";
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << usage;
    return argc < 2 ? 2 : 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  if (std::string(argv[1]) == "append") return tandem::bench::RunAppendBench(args);
  std::cerr << "tandem-bench: unknown benchmark '" << argv[1] << "'\n" << usage;
  return 2;
}
