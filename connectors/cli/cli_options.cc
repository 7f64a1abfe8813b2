#include "cli_options.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "tandem/basics/utf8.h"

namespace tandem::cli {

void AddCommonOptions(po::options_description* desc) {
  desc->add_options()("help,h", "show this help")(
      "data", po::value<std::string>()->default_value("tandem-data"),
      "data folder of the event log");
}

namespace {

// boost reads "-1" into an unsigned option as its largest value (as strtoull does): a position,
// a limit or an offset of -1 would silently mean another one.
void RefuseNegativeCounts(const po::options_description& desc, const po::parsed_options& parsed) {
  for (const po::option& o : parsed.options) {
    const po::option_description* d = desc.find_nothrow(o.string_key, false);
    if (d == nullptr ||
        dynamic_cast<const po::typed_value<uint64_t>*>(d->semantic().get()) == nullptr) {
      continue;
    }
    for (const std::string& value : o.value) {
      const size_t first = value.find_first_not_of(" \t");
      if (first != std::string::npos && value[first] == '-') {
        throw po::validation_error(po::validation_error::invalid_option_value, o.string_key, value);
      }
    }
  }
}

}  // namespace

int ParseVerbOptions(const std::string& verb, const std::string& summary,
                     const po::options_description& desc, const std::vector<std::string>& args,
                     po::variables_map* vm, const po::positional_options_description* positional) {
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (positional != nullptr) parser.positional(*positional);
    const po::parsed_options parsed = parser.run();
    RefuseNegativeCounts(desc, parsed);
    po::store(parsed, *vm);
    if (vm->count("help")) {
      std::cout << "usage: tandem " << verb << " [options]\n" << summary << "\n\n" << desc;
      return kExitOk;
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    std::cerr << "tandem " << verb << ": " << Printable(e.what()) << " (see tandem " << verb
              << " --help)\n";
    return kExitUsage;
  }
  return -1;
}

std::string DataDir(const po::variables_map& vm) { return vm["data"].as<std::string>(); }

bool OpenLog(const po::variables_map& vm, const EventLogOptions& options,
             std::unique_ptr<EventLog>* log) {
  Status s = EventLog::Open(options, DataDir(vm), log);
  if (!s.ok())
    std::cerr << "tandem: cannot open the event log: " << Printable(s.ToString()) << "\n";
  return s.ok();
}

void AddBlobOptions(po::options_description* desc) {
  desc->add_options()("blobs", po::value<std::string>(),
                      "folder of uploaded file contents (default: <data>/blobs)")(
      "max-file-bytes", po::value<uint64_t>()->default_value(CommandLimits().max_file_bytes),
      "largest file an upload may carry");
}

bool OpenEngine(const po::variables_map& vm, Engine* engine, prometheus::Registry* metrics) {
  EventLogOptions log_options;
  log_options.metrics = metrics;
  if (!OpenLog(vm, log_options, &engine->log)) return false;
  BlobStoreOptions blob_options;
  blob_options.max_blob_bytes = vm["max-file-bytes"].as<uint64_t>();
  const std::string blobs =
      vm.count("blobs") ? vm["blobs"].as<std::string>() : DataDir(vm) + "/blobs";
  Status s = BlobStore::Open(blob_options, blobs, &engine->blobs);
  if (s.ok()) s = EventJsonCodec::Create(&engine->codec);
  CommandHandlerOptions options;
  options.limits.max_file_bytes = blob_options.max_blob_bytes;
  options.metrics = metrics;
  if (s.ok())
    s = CommandHandler::Open(options, engine->log.get(), engine->blobs.get(), &engine->commands);
  if (!s.ok()) std::cerr << "tandem: cannot start the engine: " << Printable(s.ToString()) << "\n";
  return s.ok();
}

bool ReadInput(const std::string& path, std::string* text, std::string* error) {
  if (path == "-") {
    text->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path;
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return true;
}

int Fail(const std::string& verb, const Status& status) {
  std::cerr << "tandem " << verb << ": " << Printable(status.ToString()) << "\n";
  return kExitFailed;
}

std::string Printable(std::string_view text) { return utf8::Printable(text, 1024); }

}  // namespace tandem::cli
