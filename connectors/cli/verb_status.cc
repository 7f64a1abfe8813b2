// `tandem status`: where the engine in a data folder stands: the log's head, how far the relay
// has published it to Kafka (and so its lag), and the embedded cluster's address when one was
// recorded. Read-only, so it works while `tandem serve` holds the folder.
#include <iostream>

#include "cli_options.h"
#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/event_relay.h"
#include "verbs.h"

namespace tandem::cli {

int RunStatus(const std::vector<std::string>& args) {
  po::options_description desc("status options");
  AddCommonOptions(&desc);
  desc.add_options()("format", po::value<std::string>()->default_value("text"), "text or json");
  po::variables_map vm;
  int rc = ParseVerbOptions(
      "status", "Shows the log's head, the relay's published position and lag, and Kafka.", desc,
      args, &vm);
  if (rc >= 0) return rc;
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    std::cerr << "tandem status: --format is text or json\n";
    return kExitUsage;
  }
  EventLogOptions options;
  options.read_only = true;
  std::unique_ptr<EventLog> log;
  if (!OpenLog(vm, options, &log)) return kExitFailed;
  const uint64_t head = log->LastPosition();

  const std::string position_file = DataDir(vm) + "/relay.position";
  uint64_t published = 0;
  Status relay = ReadPublishedPosition(position_file, &published);
  if (!relay.ok() && !relay.IsCorruption()) return Fail("status", relay);
  const uint64_t lag = head > published ? head - published : 0;
  std::string bootstrap;
  const bool has_bootstrap = ReadBootstrapFile(DataDir(vm) + "/kafka.bootstrap", &bootstrap).ok();

  if (format == "json") {
    // The address is "host:port,..." (no quotes or backslashes to escape).
    std::cout << "{\"log_head\":" << head
              << ",\"relay_published\":" << (relay.ok() ? std::to_string(published) : "null")
              << ",\"relay_lag\":" << (relay.ok() ? std::to_string(lag) : "null")
              << ",\"kafka_bootstrap\":" << (has_bootstrap ? "\"" + bootstrap + "\"" : "null")
              << "}\n";
    return kExitOk;
  }
  std::cout << "log head:         " << head << "\n";
  if (relay.ok()) {
    std::cout << "relay published:  " << published << "\n"
              << "relay lag:        " << lag << " events\n";
  } else {
    std::cout << "relay published:  unknown (" << position_file
              << " is damaged; the relay re-reads the topic's tail and publishes no duplicate)\n";
  }
  std::cout << "kafka bootstrap:  " << (has_bootstrap ? bootstrap : "none recorded") << "\n";
  return kExitOk;
}

}  // namespace tandem::cli
