#include <iostream>

#include <boost/json.hpp>

#include "cli_options.h"
#include "tandem/codec/event_json.h"
#include "verbs.h"

namespace tandem::cli {

int RunAppend(const std::vector<std::string>& args) {
  po::options_description desc("append options");
  AddCommonOptions(&desc);
  desc.add_options()("tenant", po::value<std::string>()->required(), "tenant (workspace) id")(
      "stream", po::value<std::string>()->required(), "stream name")(
      "expected", po::value<std::string>()->default_value("any"),
      "expected version: any, no_stream, stream_exists or a number")(
      "idempotency-key", po::value<std::string>()->default_value(""),
      "makes a retried append write nothing and return the first result")(
      "file", po::value<std::string>()->default_value("-"),
      "JSON file with one event object or an array of them; - for stdin")(
      "buffered", "do not sync the WAL before acknowledging (faster, not power-loss safe)");
  po::variables_map vm;
  int rc = ParseVerbOptions("append", "Appends events, given as JSON in the schema's form.", desc,
                            args, &vm);
  if (rc >= 0) return rc;

  ExpectedVersion expected = ExpectedVersion::Any();
  if (!ExpectedVersion::Parse(vm["expected"].as<std::string>(), &expected)) {
    std::cerr << "tandem append: --expected must be any, no_stream, stream_exists or a number\n";
    return kExitUsage;
  }
  std::string text, error;
  if (!ReadInput(vm["file"].as<std::string>(), &text, &error)) {
    std::cerr << "tandem append: " << error << "\n";
    return kExitUsage;
  }
  std::unique_ptr<EventJsonCodec> codec;
  Status s = EventJsonCodec::Create(&codec);
  if (!s.ok()) return Fail("append", s);
  std::vector<NewEvent> events;
  s = codec->ParseNewEvents(text, &events);
  if (!s.ok()) return Fail("append", s);

  EventLogOptions options;
  if (vm.count("buffered")) options.durability = Durability::kBuffered;
  std::unique_ptr<EventLog> log;
  if (!OpenLog(vm, options, &log)) return kExitFailed;
  StreamId stream{vm["tenant"].as<std::string>(), vm["stream"].as<std::string>()};
  AppendResult result;
  s = log->Append(stream, expected, events, vm["idempotency-key"].as<std::string>(), &result);
  if (!s.ok()) return Fail("append", s);
  boost::json::object out{{"tenant", stream.tenant},
                          {"stream", stream.name},
                          {"first_version", result.first_version},
                          {"last_version", result.last_version},
                          {"first_position", result.first_position},
                          {"last_position", result.last_position},
                          {"deduplicated", result.deduplicated}};
  std::cout << boost::json::serialize(out) << "\n";
  return kExitOk;
}

}  // namespace tandem::cli
