// `tandem`: the command-line entry point to the engine.
#include <iostream>
#include <string>
#include <vector>

#include "cli_options.h"
#include "verbs.h"

namespace {

struct Verb {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>&);
};

const Verb kVerbs[] = {
    {"append", "append events (JSON on stdin or --file) to a stream", tandem::cli::RunAppend},
    {"read", "print a stream or $all as JSON lines", tandem::cli::RunRead},
    {"verify", "check the whole data folder; exit 1 with the first problem",
     tandem::cli::RunVerify},
    {"command", "execute one command (JSON on stdin); print its events or the refusal as JSON",
     tandem::cli::RunCommand},
    {"demo", "build a small collaboration history and show what happened", tandem::cli::RunDemo},
    {"report", "print KPIs as a member sees them, or through a report link",
     tandem::cli::RunReport},
};

void PrintUsage(std::ostream& out) {
  out << "usage: tandem <verb> [options]   (tandem <verb> --help for a verb's options)\n\n"
         "verbs:\n";
  for (const Verb& v : kVerbs)
    out << "  " << v.name << std::string(10 - std::string(v.name).size(), ' ') << v.summary << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(std::cerr);
    return tandem::cli::kExitUsage;
  }
  std::string verb = argv[1];
  if (verb == "--help" || verb == "-h" || verb == "help") {
    PrintUsage(std::cout);
    return tandem::cli::kExitOk;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Verb& v : kVerbs) {
    if (verb == v.name) return v.run(args);
  }
  std::cerr << "tandem: unknown verb '" << verb << "'\n";
  PrintUsage(std::cerr);
  return tandem::cli::kExitUsage;
}
