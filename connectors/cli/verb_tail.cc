// `tandem tail`: the events topic, for people. Each record is printed as the event's JSON line,
// exactly as `tandem read` prints an event, so the same tools read both; a record that is not a
// verifiable event is reported on stderr with its partition and offset, and tail goes on.
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <set>

#include <boost/json.hpp>

#include "cli_options.h"
#include "kafka_flags.h"
#include "tandem/basics/utf8.h"
#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/event_message.h"
#include "tandem/kafka/record_header.h"
#include "verbs.h"

namespace tandem::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};

std::string Header(const rd_kafka_message_t* m, const char* name) {
  return std::string(RecordHeader(m, name).value_or(std::string_view()));
}

// The event's JSON line, or why the record is not an event.
Status EventLine(const rd_kafka_message_t* m, const EventJsonCodec& codec, std::string* line) {
  const std::string_view value(m->payload != nullptr ? static_cast<const char*>(m->payload) : "",
                               m->payload != nullptr ? m->len : 0);
  if (Header(m, event_headers::kFormat) == EventFormatName(EventFormat::kJson)) {
    boost::json::error_code ec;
    boost::json::value parsed =
        utf8::IsValid(value) ? boost::json::parse(value, ec) : boost::json::value();
    if (ec || !parsed.is_object()) {
      return Status::Corruption("kafka.unverifiable_event", "record is not a JSON event");
    }
    // Valid JSON holds line breaks only between tokens, where a space means the same: the
    // record stays one line.
    line->assign(value);
    for (char& c : *line) c = (c == '\n' || c == '\r') ? ' ' : c;
    return Status::OK();
  }
  RecordedEvent event;
  Status s = DecodeEventValue(value, &event);
  if (s.ok()) s = codec.ToJson(event, line);
  return s;
}

bool OpenBootstrap(const po::variables_map& vm, std::string* bootstrap) {
  if (vm.count("kafka")) {
    *bootstrap = vm["kafka"].as<std::string>();
    return true;
  }
  const std::string file = DataDir(vm) + "/kafka.bootstrap";
  Status s = ReadBootstrapFile(file, bootstrap);
  if (!s.ok()) {
    std::cerr << "tandem tail: no --kafka given and " << s.ToString()
              << " (is tandem serve running on --data " << DataDir(vm) << "?)\n";
  }
  return s.ok();
}

}  // namespace

int RunTail(const std::vector<std::string>& args) {
  po::options_description desc("tail options");
  AddCommonOptions(&desc);
  desc.add_options()("kafka", po::value<std::string>(),
                     "bootstrap servers (default: what <data>/kafka.bootstrap holds)")(
      "topic", po::value<std::string>()->default_value(KafkaTopics().events), "topic to read")(
      "from-beginning", "start at each partition's first record, not its end")(
      "group", po::value<std::string>(),
      "join this consumer group and commit its progress (default: read alone, commit nothing)")(
      "max", po::value<uint64_t>()->default_value(0), "stop after this many events (0: never)")(
      "exit-at-end", "stop once every partition was read to its end");
  AddKafkaConfigOption(&desc);
  po::variables_map vm;
  int rc = ParseVerbOptions("tail",
                            "Prints the events of the events topic as JSON lines (as tandem read "
                            "does), until Ctrl-C.",
                            desc, args, &vm);
  if (rc >= 0) return rc;
  std::map<std::string, std::string> properties;
  if (!KafkaConfig("tail", vm, &properties)) return kExitUsage;
  std::string bootstrap;
  if (!OpenBootstrap(vm, &bootstrap)) return kExitFailed;
  const std::string topic = vm["topic"].as<std::string>();
  const bool from_beginning = vm.count("from-beginning") > 0;
  const bool grouped = vm.count("group") > 0;
  const uint64_t max = vm["max"].as<uint64_t>();
  const bool exit_at_end = vm.count("exit-at-end") > 0;
  std::unique_ptr<EventJsonCodec> codec;
  Status s = EventJsonCodec::Create(&codec);
  if (!s.ok()) return Fail("tail", s);

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", bootstrap},
      {"group.id", grouped ? vm["group"].as<std::string>() : "tandem-tail"},
      {"enable.auto.commit", grouped ? "true" : "false"},
      {"auto.offset.reset", from_beginning ? "earliest" : "latest"},
      {"enable.partition.eof", exit_at_end ? "true" : "false"},
      {"log_level", "3"},
      // A person restarts tail often; the embedded cluster hands a group's partitions to a new
      // member only once the previous one's session expired.
      {"session.timeout.ms", "10000"},
  };
  for (const auto& [name, value] : properties) settings[name] = value;  // the user's win
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      std::cerr << "tandem tail: " << name << ": " << error << "\n";
      return kExitUsage;
    }
  }
  std::unique_ptr<rd_kafka_t, RdKafkaDeleter> consumer(
      rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error));
  if (consumer == nullptr) {
    rd_kafka_conf_destroy(conf);
    std::cerr << "tandem tail: " << error << "\n";
    return kExitFailed;
  }
  rd_kafka_poll_set_consumer(consumer.get());
  rd_kafka_resp_err_t err;
  if (grouped) {
    std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaDeleter> list(
        rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    err = rd_kafka_subscribe(consumer.get(), list.get());
  } else {
    // Every partition, read alone: no group to join, no offsets committed.
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(consumer.get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    err = rd_kafka_metadata(consumer.get(), 0, rkt, &metadata, 10000);
    rd_kafka_topic_destroy(rkt);
    int partitions = 0;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (metadata->topic_cnt == 1) {
        err = metadata->topics[0].err;
        partitions = metadata->topics[0].partition_cnt;
      }
      rd_kafka_metadata_destroy(metadata);
    }
    std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaDeleter> list(
        rd_kafka_topic_partition_list_new(partitions));
    for (int p = 0; p < partitions; p++) {
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
          from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = rd_kafka_assign(consumer.get(), list.get());
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::cerr << "tandem tail: cannot read " << topic << " at " << bootstrap << ": "
              << rd_kafka_err2str(err) << "\n";
    return kExitFailed;
  }

  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  uint64_t printed = 0;
  std::set<int32_t> at_end;
  while (!g_stop && (max == 0 || printed < max)) {
    std::unique_ptr<rd_kafka_message_t, RdKafkaDeleter> m(
        rd_kafka_consumer_poll(consumer.get(), 100));
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(m->partition);
      rd_kafka_topic_partition_list_t* assigned = nullptr;
      if (rd_kafka_assignment(consumer.get(), &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const bool done = static_cast<int>(at_end.size()) >= assigned->cnt;
        rd_kafka_topic_partition_list_destroy(assigned);
        if (done) break;
      }
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cerr << "tandem tail: " << rd_kafka_message_errstr(m.get()) << "\n";
      continue;
    }
    at_end.erase(m->partition);
    std::string line;
    s = EventLine(m.get(), *codec, &line);
    if (!s.ok()) {
      std::cerr << "tandem tail: " << topic << " partition " << m->partition << " offset "
                << m->offset << ": " << s.ToString() << "\n";
      continue;
    }
    std::cout << line << "\n" << std::flush;
    printed++;
  }
  // Leaves the group, committing what was printed when in one.
  rd_kafka_consumer_close(consumer.get());
  return kExitOk;
}

}  // namespace tandem::cli
