// Command-line parsing shared by the benchmarks.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace tandem::bench {

// Parses `args` against `desc` (which must have a "help" option) into `vm`. Returns -1 when the
// benchmark should run, otherwise its exit code: 0 after printing the help, 2 after a usage
// error (printed to stderr, prefixed with `name`).
int ParseBenchOptions(const std::string& name,
                      const boost::program_options::options_description& desc,
                      const std::vector<std::string>& args,
                      boost::program_options::variables_map* vm);

}  // namespace tandem::bench
