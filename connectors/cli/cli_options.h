// Shared plumbing of the `tandem` verbs: option parsing and opening the log.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "tandem/codec/event_json.h"
#include "tandem/domain/blob_store.h"
#include "tandem/domain/command_handler.h"
#include "tandem/log/event_log.h"

namespace tandem::cli {

// Exit codes: 0 success, 1 the operation failed (conflict, corruption, ...), 2 bad usage.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

namespace po = boost::program_options;

// Adds the options every verb has (--data, --help).
void AddCommonOptions(po::options_description* desc);

// Parses `args` into `vm`. Returns -1 to continue, or the exit code to return now (after
// printing help or a usage error).
int ParseVerbOptions(const std::string& verb, const std::string& summary,
                     const po::options_description& desc, const std::vector<std::string>& args,
                     po::variables_map* vm,
                     const po::positional_options_description* positional = nullptr);

std::string DataDir(const po::variables_map& vm);

// Opens the log in --data, printing the error and returning false on failure.
bool OpenLog(const po::variables_map& vm, const EventLogOptions& options,
             std::unique_ptr<EventLog>* log);

// Adds --blobs and --max-file-bytes, for verbs that execute commands.
void AddBlobOptions(po::options_description* desc);

// Everything a verb needs to execute commands. Members are destroyed in reverse order, so the
// handler goes before the stores it uses.
struct Engine {
  std::unique_ptr<EventLog> log;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<EventJsonCodec> codec;
  std::unique_ptr<CommandHandler> commands;
};

// Opens the log in --data, the blob store in --blobs and a command handler over both,
// printing the error and returning false on failure. With `metrics`, the log and the handler
// register their metrics there (it must outlive them).
bool OpenEngine(const po::variables_map& vm, Engine* engine,
                prometheus::Registry* metrics = nullptr);

// Reads a whole file, or stdin for "-".
bool ReadInput(const std::string& path, std::string* text, std::string* error);

// Prints "tandem <verb>: <status>" to stderr and returns the exit code for it.
int Fail(const std::string& verb, const Status& status);

// `text` as an error line may show it: what is not UTF-8 replaced, control characters (C0, DEL,
// C1) written as escapes, at most about 1 KB. Errors echo what the user gave (an id, a time),
// and a newline or a terminal's escape sequence in it would print a line of its own or drive
// the terminal.
std::string Printable(std::string_view text);

}  // namespace tandem::cli
