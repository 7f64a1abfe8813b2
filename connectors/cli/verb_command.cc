#include <iostream>

#include "cli_options.h"
#include "tandem/domain/command_json.h"
#include "verbs.h"

namespace tandem::cli {

int RunCommand(const std::vector<std::string>& args) {
  po::options_description desc("command options");
  AddCommonOptions(&desc);
  AddBlobOptions(&desc);
  desc.add_options()("file", po::value<std::string>()->default_value("-"),
                     "JSON file with one command object; - for stdin");
  po::variables_map vm;
  int rc = ParseVerbOptions("command",
                            "Executes one command (JSON on stdin) and prints the events it wrote, "
                            "or why it was refused, as JSON.",
                            desc, args, &vm);
  if (rc >= 0) return rc;
  std::string text, error;
  if (!ReadInput(vm["file"].as<std::string>(), &text, &error)) {
    std::cerr << "tandem command: " << error << "\n";
    return kExitUsage;
  }
  Engine engine;
  if (!OpenEngine(vm, &engine)) return kExitFailed;
  CommandResult result;
  Status s = engine.commands->ExecuteJson(text, &result);
  if (!s.ok()) {
    std::cout << CommandErrorToJson(s) << "\n";
    return kExitFailed;
  }
  std::string json;
  s = CommandResultToJson(*engine.codec, result, &json);
  if (!s.ok()) return Fail("command", s);
  std::cout << json << "\n";
  return kExitOk;
}

}  // namespace tandem::cli
