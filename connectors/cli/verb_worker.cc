// `tandem worker --projection NAME --group G --kafka BOOTSTRAP [--data DIR] [--topic T]`: one
// projection fed from the events topic in a consumer group, into <DIR>/views, until SIGTERM or
// Ctrl-C (then the batch in progress is committed and the group left).
#include <signal.h>

#include <filesystem>
#include <iostream>

#include "tandem/kafka/kafka_projection_worker.h"
#include "verbs.h"
#include "view_engine.h"

namespace tandem::cli {
namespace {

// "key=value" options into librdkafka properties.
bool ParseClientConfig(const std::vector<std::string>& items,
                       std::map<std::string, std::string>* config) {
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "tandem worker: --kafka-config wants KEY=VALUE, got '" << item << "'\n";
      return false;
    }
    (*config)[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return true;
}

}  // namespace

int RunWorker(const std::vector<std::string>& args) {
  po::options_description desc("worker options");
  AddCommonOptions(&desc);
  KafkaWorkerOptions defaults;
  std::string names;
  for (const std::string& n : StoredViewNames()) names += (names.empty() ? "" : ", ") + n;
  desc.add_options()("projection", po::value<std::string>()->required(),
                     ("stored view to fold: " + names).c_str())(
      "group", po::value<std::string>()->default_value(defaults.group), "consumer group")(
      "kafka", po::value<std::string>()->required(), "bootstrap address, host:port[,host:port]")(
      "topic", po::value<std::string>()->default_value(defaults.kafka.topics.events),
      "events topic (FlatBuffers records)")(
      "kafka-config", po::value<std::vector<std::string>>(),
      "extra librdkafka property KEY=VALUE (repeatable), e.g. session.timeout.ms=10000");
  po::variables_map vm;
  int rc = ParseVerbOptions("worker",
                            "Folds one projection from the events topic into <data>/views, as a "
                            "member of a consumer group, until SIGTERM or Ctrl-C. The view's "
                            "consumed offsets are stored with it; tandem view-hash compares it "
                            "with the log-fed view.",
                            desc, args, &vm);
  if (rc >= 0) return rc;
  const std::string name = vm["projection"].as<std::string>();
  std::vector<std::unique_ptr<Projection>> projections;
  Status s = MakeProjections({name}, &projections);
  if (!s.ok()) return FailView("worker", s);

  // Beside a log, the views are the log-fed runner's: a Kafka-fed view there would replace one
  // of them with the events of some partitions only.
  if (HasLog(vm)) {
    return FailView("worker", Status::InvalidArgument(
                                  "worker.data_has_log",
                                  DataDir(vm) + " holds an event log; give the worker a data "
                                                "folder of its own"));
  }
  KafkaWorkerOptions options;
  options.group = vm["group"].as<std::string>();
  options.kafka.bootstrap = vm["kafka"].as<std::string>();
  options.kafka.topics.events = vm["topic"].as<std::string>();
  if (vm.count("kafka-config") &&
      !ParseClientConfig(vm["kafka-config"].as<std::vector<std::string>>(),
                         &options.kafka.client_config)) {
    return kExitUsage;
  }
  std::error_code ec;
  std::filesystem::create_directories(DataDir(vm), ec);
  std::unique_ptr<ViewStore> store;
  s = ViewStore::Open(ViewStoreOptions(), ViewsDir(vm), &store);
  if (!s.ok()) {
    std::cerr << "tandem worker: cannot open the views in " << ViewsDir(vm) << ": " << s.ToString()
              << "\n";
    return kExitFailed;
  }
  // Signals are taken by sigwait below; blocked before any thread starts, so every thread
  // (librdkafka's included) inherits the mask and none is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const uint32_t version = projections[0]->version();
  std::unique_ptr<KafkaProjectionWorker> worker;
  s = KafkaProjectionWorker::Open(options, std::move(projections[0]), store.get(), &worker);
  if (s.ok()) s = worker->Start();
  if (!s.ok()) return FailView("worker", s);
  std::cout << "tandem worker: projection " << name << " (version " << version << ") from topic "
            << options.kafka.topics.events << " at " << options.kafka.bootstrap << ", group "
            << options.group << ", into " << ViewsDir(vm) << "; SIGTERM or Ctrl-C stops"
            << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  s = worker->Stop();
  std::cout << "tandem worker: stopped; folded " << worker->EventsFolded() << " events, skipped "
            << worker->RecordsSkipped() << " records" << std::endl;
  worker.reset();
  if (!s.ok()) return Fail("worker", s);
  return kExitOk;
}

}  // namespace tandem::cli
