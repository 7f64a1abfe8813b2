#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli_options.h"
#include "tandem/basics/utf8.h"
#include "tandem/domain/command_json.h"
#include "verbs.h"

namespace tandem::cli {
namespace {

// Reads at most `max_bytes` of the file (stdin for "-"): one byte more than any command may
// have is enough for the parser to refuse it, so a huge input costs no more memory than that.
bool ReadCommandText(const std::string& path, uint64_t max_bytes, std::string* text,
                     std::string* error) {
  FILE* in = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (in == nullptr) {
    *error = "cannot read " + path;
    return false;
  }
  struct stat st;
  if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) {
    text->reserve(std::min<uint64_t>(static_cast<uint64_t>(st.st_size), max_bytes));
  }
  char buf[64 * 1024];
  while (text->size() < max_bytes) {
    const size_t want = std::min<uint64_t>(sizeof buf, max_bytes - text->size());
    const size_t n = std::fread(buf, 1, want, in);
    text->append(buf, n);
    if (n < want) break;
  }
  const bool failed = std::ferror(in) != 0;
  if (in != stdin) std::fclose(in);
  if (failed) *error = "cannot read " + path;
  return !failed;
}

// What `tandem command` prints must be valid JSON, hence valid UTF-8, whatever a message holds.
void PrintJson(const std::string& json) { std::cout << utf8::Sanitize(json) << "\n"; }

}  // namespace

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
  CommandLimits limits;
  limits.max_file_bytes = vm["max-file-bytes"].as<uint64_t>();
  uint64_t largest = 0;
  for (CommandType t : AllCommandTypes()) largest = std::max(largest, MaxCommandBytes(t, limits));
  std::string text, error;
  if (!ReadCommandText(vm["file"].as<std::string>(), largest + 1, &text, &error)) {
    std::cerr << "tandem command: " << error << "\n";
    return kExitUsage;
  }
  Engine engine;
  if (!OpenEngine(vm, &engine)) return kExitFailed;
  CommandResult result;
  Status s = engine.commands->ExecuteJson(text, &result);
  if (!s.ok()) {
    PrintJson(CommandErrorToJson(s));
    return kExitFailed;
  }
  std::string json;
  s = CommandResultToJson(*engine.codec, result, &json);
  if (!s.ok()) return Fail("command", s);
  PrintJson(json);
  return kExitOk;
}

}  // namespace tandem::cli
