// `tandem serve`: the engine as a long-running process. It owns the data folder read-write
// (the log, the views kept current by the live projection runner), the embedded Kafka cluster
// when asked, the relay publishing the log to the events topic, and the command intake. It runs
// until SIGTERM or Ctrl-C and then stops in an order that loses nothing: no new commands first,
// then the relay flushes what the log committed, then the views checkpoint, the cluster last.
// Other `tandem` verbs keep working on the same folder, read-only, while it runs.
#include <signal.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include "cli_options.h"
#include "kafka_flags.h"
#include "tandem/basics/logger.h"
#include "tandem/kafka/command_intake.h"
#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/event_relay.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/views.h"
#include "verbs.h"
#include "view_engine.h"

namespace tandem::cli {
namespace {

// What serve runs. It starts log, views, cluster, relay, intake; Stop takes them down in the
// order that loses nothing.
struct Server {
  // Every part's metrics; served at --metrics-listen when given. First: it outlives them all.
  std::shared_ptr<prometheus::Registry> metrics = std::make_shared<prometheus::Registry>();
  std::unique_ptr<prometheus::Exposer> exposer;
  std::string metrics_host;  // as --metrics-listen named it
  std::unique_ptr<EmbeddedKafkaCluster> cluster;
  std::string bootstrap_file;  // written by this process, removed when it stops
  Engine engine;
  std::unique_ptr<ViewStore> views;
  std::unique_ptr<ProjectionRunner> runner;
  std::unique_ptr<ViewSnapshotter> snapshotter;  // of `views`, while `runner` folds
  std::unique_ptr<EventRelay> relay;
  std::unique_ptr<CommandIntake> intake;

  // Stops everything started, in the order that loses nothing. False if something did not
  // stop cleanly (said on stderr).
  bool Stop() {
    bool clean = true;
    auto check = [&](const char* what, const Status& s) {
      if (s.ok()) return;
      std::cerr << "tandem serve: stopping " << what << ": " << s.ToString() << "\n";
      clean = false;
    };
    if (intake != nullptr) check("the command intake", intake->Stop());
    intake.reset();
    // No command is in progress any more: appends are drained with the handler.
    engine.commands.reset();
    if (relay != nullptr) {
      // What the last commands wrote is published before the relay stops, unless Kafka is
      // away: then the next start publishes it.
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (relay->Lag() > 0 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      check("the relay", relay->Stop());
    }
    relay.reset();
    snapshotter.reset();                    // waits for a snapshot in progress
    if (runner != nullptr) runner->Stop();  // commits the batch in progress
    runner.reset();
    // Rows held in memory (written behind) reach the views database now, or the stop is not
    // clean; either way the next start folds again whatever the views' checkpoints lack.
    if (views != nullptr) check("the live views", views->FlushCommits());
    views.reset();
    engine.codec.reset();
    engine.blobs.reset();
    engine.log.reset();
    std::error_code ignored;  // a file already gone is what was wanted
    if (!bootstrap_file.empty()) std::filesystem::remove(bootstrap_file, ignored);
    cluster.reset();
    exposer.reset();
    return clean;
  }
};

struct ServeFlags {
  std::string kafka;
  int brokers = 1;
  int partitions = 4;
  KafkaOptions options;
};

// --metrics-listen: an IPv4 address or host name, ':', a port (0: the system picks one). Checked
// here because the HTTP server takes much else (a bare port meaning every interface, lists,
// suffixes) that would expose the metrics further than asked. No IPv6: Debian's civetweb is
// built without it.
bool ParseListenAddress(const std::string& text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() ||
      text.size() - colon - 1 > 5) {
    return false;
  }
  *host = text.substr(0, colon);
  for (char c : *host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  }
  int value = 0;
  for (size_t i = colon + 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  if (value > 65535) return false;
  *port = value;
  return true;
}

// Longer, and a reader in another process (`tandem view`) would read views that far behind.
constexpr uint64_t kMaxWriteBehindMs = 10000;

bool ParseServeFlags(const po::variables_map& vm, ServeFlags* flags) {
  flags->kafka = vm["kafka"].as<std::string>();
  flags->brokers = vm["brokers"].as<int>();
  flags->partitions = vm["partitions"].as<int>();
  if (flags->brokers <= 0 || flags->partitions <= 0) {
    std::cerr << "tandem serve: --brokers and --partitions must be positive\n";
    return false;
  }
  if (vm["views-write-behind-ms"].as<uint64_t>() > kMaxWriteBehindMs) {
    std::cerr << "tandem serve: --views-write-behind-ms must be at most " << kMaxWriteBehindMs
              << "\n";
    return false;
  }
  const int realtime = vm["views-realtime-priority"].as<int>();
  if (realtime < 0 || realtime > 99) {
    std::cerr << "tandem serve: --views-realtime-priority must be 0 to 99, not " << realtime
              << "\n";
    return false;
  }
  const std::string format = vm["events-format"].as<std::string>();
  if (!ParseEventFormat(format, &flags->options.event_format)) {
    std::cerr << "tandem serve: --events-format must be flatbuffers or json, not '" << format
              << "'\n";
    return false;
  }
  if (const std::string listen = vm["metrics-listen"].as<std::string>(); !listen.empty()) {
    std::string host;
    int port = 0;
    if (!ParseListenAddress(listen, &host, &port)) {
      std::cerr << "tandem serve: --metrics-listen needs HOST:PORT (an IPv4 address or a host "
                   "name, and a port; 0 picks one), not '"
                << Printable(listen) << "'\n";
      return false;
    }
  }
  if (!KafkaConfig("serve", vm, &flags->options.client_config)) return false;
  if (flags->kafka.empty()) {
    std::cerr << "tandem serve: --kafka needs 'embedded' or host:port,...\n";
    return false;
  }
  return true;
}

// Starts the embedded cluster when asked; either way the bootstrap address ends up in
// <data>/kafka.bootstrap for the other verbs (`tandem tail`) and for clients of other processes.
bool StartKafka(const po::variables_map& vm, ServeFlags* flags, Server* server) {
  const KafkaTopics& topics = flags->options.topics;
  if (flags->kafka == "embedded") {
    EmbeddedClusterOptions options;
    options.brokers = flags->brokers;
    options.partitions = flags->partitions;
    options.topics = {topics.events, topics.commands, topics.command_results};
    Status s = EmbeddedKafkaCluster::Start(options, &server->cluster);
    if (!s.ok()) {
      std::cerr << "tandem serve: cannot start the embedded Kafka cluster: " << s.ToString()
                << "\n";
      return false;
    }
    flags->options.bootstrap = server->cluster->bootstrap();
  } else {
    flags->options.bootstrap = flags->kafka;
  }
  const std::string file = DataDir(vm) + "/kafka.bootstrap";
  Status s = WriteBootstrapFile(file, flags->options.bootstrap);
  if (!s.ok()) {
    std::cerr << "tandem serve: " << s.ToString() << "\n";
    return false;
  }
  server->bootstrap_file = file;
  return true;
}

bool StartViews(const po::variables_map& vm, Server* server) {
  ViewStoreOptions store_options;
  // The engine folds the views from the log: damaged, they are folded again, not a reason to
  // stay down.
  store_options.set_aside_if_damaged = true;
  store_options.write_behind_at_lowest_priority = true;
  store_options.write_behind =
      std::chrono::milliseconds(vm["views-write-behind-ms"].as<uint64_t>());
  Status s = ViewStore::Open(store_options, ViewsDir(vm), &server->views);
  std::vector<std::unique_ptr<Projection>> projections;
  if (s.ok()) s = MakeProjections({}, &projections);
  if (s.ok()) {
    ProjectionRunnerOptions runner_options;
    runner_options.realtime_priority = vm["views-realtime-priority"].as<int>();
    runner_options.metrics = server->metrics.get();
    s = ProjectionRunner::Open(runner_options, server->engine.log.get(), server->views.get(),
                               std::move(projections), &server->runner);
  }
  if (s.ok()) s = server->runner->CatchUp();
  if (!s.ok() && server->runner != nullptr && server->runner->CaughtUpButForViewsSetAside()) {
    // Views that cannot fold are set aside, the others caught up: serve those, and keep
    // trying the rest (logged, and in `tandem projections`' lag).
    LogError("serve", "starting with views set aside: " + s.ToString());
    s = Status::OK();
  }
  if (s.ok()) s = server->runner->Start();
  if (s.ok()) {
    ProjectionRunner* runner = server->runner.get();
    StartViewSnapshots(
        vm, "serve", server->engine.log.get(), server->views.get(),
        [runner] { return runner->Position(); }, &server->snapshotter);
  }
  if (!s.ok()) {
    std::cerr << "tandem serve: cannot start the views: " << Printable(s.ToString());
    // RocksDB's words for a database another process has open.
    if (s.IsIOError() && s.message().find("lock file") != std::string::npos) {
      std::cerr << " (another process holds " << ViewsDir(vm)
                << ": a `tandem view` or `tandem rebuild` bringing them up to date, or another "
                   "engine; start again once it is done)";
    }
    std::cerr << "\n";
  }
  return s.ok();
}

std::string RelayPositionFile(const po::variables_map& vm) {
  return DataDir(vm) + "/relay.position";
}

bool StartRelay(const po::variables_map& vm, const ServeFlags& flags, Server* server) {
  EventRelayOptions options;
  options.kafka = flags.options;
  options.position_file = RelayPositionFile(vm);
  options.metrics = server->metrics.get();
  Status s = EventRelay::Open(options, server->engine.log.get(), &server->relay);
  if (s.ok()) s = server->relay->Start();
  if (!s.ok()) std::cerr << "tandem serve: cannot start the relay: " << s.ToString() << "\n";
  return s.ok();
}

bool StartIntake(const po::variables_map& vm, const ServeFlags& flags, Server* server) {
  CommandIntakeOptions options;
  options.kafka = flags.options;
  options.limits.max_file_bytes = vm["max-file-bytes"].as<uint64_t>();
  options.metrics = server->metrics.get();
  Status s = CommandIntake::Open(options, server->engine.commands.get(), server->engine.codec.get(),
                                 &server->intake);
  if (s.ok()) s = server->intake->Start();
  if (!s.ok()) {
    std::cerr << "tandem serve: cannot start the command intake: " << s.ToString() << "\n";
  }
  return s.ok();
}

// Serves every part's metrics in Prometheus' text format at http://<address>/metrics.
bool StartMetrics(const po::variables_map& vm, Server* server) {
  const std::string address = vm["metrics-listen"].as<std::string>();
  int port = 0;
  // Checked by ParseServeFlags already.
  if (!ParseListenAddress(address, &server->metrics_host, &port)) return true;
  try {
    server->exposer = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
  } catch (const std::exception& e) {  // civetweb cannot listen there
    std::cerr << "tandem serve: cannot serve metrics at " << Printable(address) << ": "
              << Printable(e.what()) << "\n";
    return false;
  }
  server->exposer->RegisterCollectable(server->metrics);
  return true;
}

// Where the metrics are served: the port the system chose for ":0".
std::string MetricsUrl(const Server& server) {
  const std::vector<int> ports = server.exposer->GetListeningPorts();
  return "http://" + server.metrics_host + ":" + (ports.empty() ? "?" : std::to_string(ports[0])) +
         "/metrics";
}

void PrintStarted(const po::variables_map& vm, const ServeFlags& flags, const Server& server) {
  const KafkaTopics& topics = flags.options.topics;
  std::cout
      << "tandem serve: data folder " << std::filesystem::absolute(DataDir(vm)).string()
      << " (log at position " << server.engine.log->LastPosition() << ")\n"
      << "  views: " << ViewsDir(vm) << ", folded live"
      << (server.snapshotter != nullptr
              ? ", copied to " + ViewSnapshotsDir(vm) + " every " +
                    std::to_string(vm["views-snapshot-every"].as<uint64_t>()) + " events"
              : std::string())
      << "\n"
      << "  kafka: "
      << (server.cluster != nullptr ? "embedded cluster, " + std::to_string(flags.brokers) +
                                          " broker(s), messages in memory only"
                                    : std::string("cluster at --kafka"))
      << "\n"
      << "  bootstrap: " << flags.options.bootstrap << " (in " << server.bootstrap_file << ")\n"
      << "  topics: events " << topics.events << " (" << EventFormatName(flags.options.event_format)
      << "), commands " << topics.commands << ", results " << topics.command_results
      << (server.cluster != nullptr ? ", " + std::to_string(flags.partitions) + " partitions each"
                                    : std::string())
      << "\n"
      << "  relay: publishing the log to " << topics.events << " (position kept in "
      << RelayPositionFile(vm) << ")\n"
      << "  command intake: consuming " << topics.commands << ", answering on "
      << topics.command_results << "\n"
      << (server.exposer != nullptr ? "  metrics: " + MetricsUrl(server) + "\n" : std::string())
      << "ready; stop with Ctrl-C or SIGTERM\n"
      << std::flush;
}

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  po::options_description desc("serve options");
  AddCommonOptions(&desc);
  AddBlobOptions(&desc);
  desc.add_options()("kafka", po::value<std::string>()->default_value("embedded"),
                     "'embedded' (a cluster inside this process, in memory only) or the "
                     "bootstrap servers host:port,... of a real cluster")(
      "brokers", po::value<int>()->default_value(1), "brokers of the embedded cluster")(
      "partitions", po::value<int>()->default_value(4),
      "partitions of each topic the embedded cluster creates")(
      "events-format", po::value<std::string>()->default_value("flatbuffers"),
      "record values on the events topic: flatbuffers or json")(
      "views-write-behind-ms", po::value<uint64_t>()->default_value(50),
      "live views are written to their database this much after a reader in this process "
      "sees them (other processes, such as tandem view, read the database); 0 writes every "
      "round at once")(
      "views-realtime-priority", po::value<int>()->default_value(0),
      "1-99: live views are folded by threads at this real-time priority (SCHED_FIFO; needs "
      "CAP_SYS_NICE or RLIMIT_RTPRIO), so that a burst of appends does not wait for the "
      "scheduler; 0: the normal priority")(
      "metrics-listen", po::value<std::string>()->default_value(""),
      "HOST:PORT to serve the metrics of the log, commands, views, relay and intake at "
      "/metrics in Prometheus' text format (port 0: one the system picks, printed); none when "
      "empty");
  AddSnapshotOptions(&desc);
  AddKafkaConfigOption(&desc);
  po::variables_map vm;
  int rc = ParseVerbOptions("serve",
                            "Runs the engine until SIGTERM or Ctrl-C: live views, the relay to "
                            "Kafka and the command intake.",
                            desc, args, &vm);
  if (rc >= 0) return rc;
  ServeFlags flags;
  if (!ParseServeFlags(vm, &flags) || !CheckSnapshotOptions(vm, "serve")) return kExitUsage;

  // Blocked before any thread starts, so that every thread inherits the mask and the signals
  // reach only the sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Server server;
  std::error_code ec;
  std::filesystem::create_directories(DataDir(vm), ec);
  bool started = StartMetrics(vm, &server) && OpenEngine(vm, &server.engine, server.metrics.get());
  // This process holds the log now, so an address left in the folder is one a serve that did
  // not stop cleanly wrote: it points at nothing.
  if (started) std::filesystem::remove(DataDir(vm) + "/kafka.bootstrap", ec);
  started = started && StartViews(vm, &server) && StartKafka(vm, &flags, &server) &&
            StartRelay(vm, flags, &server) && StartIntake(vm, flags, &server);
  if (!started) {
    server.Stop();
    return kExitFailed;
  }
  PrintStarted(vm, flags, server);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cout << "tandem serve: " << (signal == SIGINT ? "interrupted" : "terminated")
            << ", stopping\n"
            << std::flush;
  const bool clean = server.Stop();
  std::cout << "tandem serve: stopped\n" << std::flush;
  return clean ? kExitOk : kExitFailed;
}

}  // namespace tandem::cli
