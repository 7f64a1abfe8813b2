#include "bench_options.h"

#include <iostream>

namespace tandem::bench {

int ParseBenchOptions(const std::string& name,
                      const boost::program_options::options_description& desc,
                      const std::vector<std::string>& args,
                      boost::program_options::variables_map* vm) {
  namespace po = boost::program_options;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), *vm);
    po::notify(*vm);
  } catch (const po::error& e) {
    std::cerr << "tandem-bench " << name << ": " << e.what() << "\n";
    return 2;
  }
  if (vm->count("help")) {
    std::cout << desc;
    return 0;
  }
  return -1;
}

}  // namespace tandem::bench
