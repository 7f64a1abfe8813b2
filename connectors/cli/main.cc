// `tandem`: the command-line entry point to the engine.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli_options.h"
#include "tandem/basics/logger.h"
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
    {"view", "print a view (timeline, board, ...) as JSON or CSV, live or as of a moment",
     tandem::cli::RunView},
    {"rebuild", "drop views and fold them again from the log", tandem::cli::RunRebuild},
    {"view-hash", "print a SHA-256 of each view's content", tandem::cli::RunViewHash},
    {"projections", "show each view's version, checkpoint and lag", tandem::cli::RunProjections},
    {"report", "print KPIs as a member sees them, or through a report link",
     tandem::cli::RunReport},
    {"worker", "fold one projection from Kafka in a consumer group, until stopped",
     tandem::cli::RunWorker},
    {"status", "show the log's head, the relay's published position and lag, and Kafka",
     tandem::cli::RunStatus},
    {"serve", "run the engine with Kafka (relay, command intake, live views) until stopped",
     tandem::cli::RunServe},
    {"tail", "print the events topic's events as JSON lines", tandem::cli::RunTail},
};

void PrintUsage(std::ostream& out) {
  out << "usage: tandem <verb> [options]   (tandem <verb> --help for a verb's options)\n\n"
         "verbs:\n";
  for (const Verb& v : kVerbs)
    out << "  " << v.name << std::string(13 - std::string(v.name).size(), ' ') << v.summary << "\n";
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
  // A command-line tool is quiet unless asked: only warnings and errors reach stderr, or what
  // TANDEM_LOG_LEVEL asks for.
  if (std::getenv("TANDEM_LOG_LEVEL") == nullptr) tandem::SetLogLevel(tandem::LogLevel::kWarn);
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Verb& v : kVerbs) {
    if (verb == v.name) return v.run(args);
  }
  std::cerr << "tandem: unknown verb '" << tandem::cli::Printable(verb) << "'\n";
  PrintUsage(std::cerr);
  return tandem::cli::kExitUsage;
}
