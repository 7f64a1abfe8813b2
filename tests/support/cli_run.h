// Runs the real `tandem` binary (TANDEM_PATH) as a user would, with a data folder of its own.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "test_util.h"

namespace tandem::test {

struct CliRun {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// Runs `tandem <args> --data <data>` with `input` on stdin; `scratch` holds the stdin file.
inline CliRun RunTandem(const ScratchDir& scratch, const std::string& data, const std::string& args,
                        const std::string& input = "") {
  const std::string in_path = scratch.Sub("stdin.json");
  std::ofstream(in_path) << input;
  const std::string cmd =
      std::string(TANDEM_PATH) + " " + args + " --data " + data + " < " + in_path + " 2>&1";
  CliRun run{0, ""};
  FILE* pipe = popen(cmd.c_str(), "r");
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) run.output.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace tandem::test
