#include "relay_bench.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <boost/program_options.hpp>

#include "bench_options.h"
#include "tandem/basics/logger.h"
#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/event_message.h"
#include "tandem/kafka/event_relay.h"
#include "tandem/kafka/kafka_projection_worker.h"
#include "tandem/kafka/record_header.h"
#include "tandem/log/event_log.h"
#include "tandem/projections/views.h"

namespace tandem::bench {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

constexpr const char* kRawTopic = "bench.raw";

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(static_cast<double>(v.size()) * p))];
}

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "tandem-bench relay: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

void CheckKafka(rd_kafka_resp_err_t err, const char* what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  std::fprintf(stderr, "tandem-bench relay: %s: %s\n", what, rd_kafka_err2str(err));
  std::exit(1);
}

// A comment of about 200 bytes of text: an encoded event of about 400 bytes.
NewEvent Comment(uint64_t n) {
  schema::CommentPostedT c;
  c.project_id = "project-" + std::to_string(n % 97);
  c.thread_id = "thread-" + std::to_string(n % 13);
  c.comment_id = "comment-" + std::to_string(n);
  c.thread_audience = schema::Audience::Client;
  c.body = std::string(200, 'b');
  NewEvent e;
  e.actor = "member:bench";
  e.audience = schema::Audience::Client;
  e.payload.Set(std::move(c));
  return e;
}

StreamId StreamOf(uint64_t n, int tenants) {
  return {"tenant-" + std::to_string(n % static_cast<uint64_t>(tenants)),
          "project:project-" + std::to_string(n % 97)};
}

void Fill(EventLog* log, uint64_t events, int tenants) {
  constexpr uint64_t kPerAppend = 100;
  for (uint64_t n = 0; n < events; n += kPerAppend) {
    std::vector<NewEvent> batch;
    for (uint64_t k = n; k < std::min(events, n + kPerAppend); k++) batch.push_back(Comment(k));
    AppendResult result;
    Check(
        log->Append(StreamOf(n / kPerAppend, tenants), ExpectedVersion::Any(), batch, "", &result),
        "fill the log");
  }
}

struct Record {
  int32_t partition;
  EventMessage message;
};

// Every event of the log as the relay writes it.
std::vector<Record> EncodeLog(EventLog* log, int32_t partitions) {
  std::vector<Record> records;
  ReadOptions options;
  options.max_count = 1000;
  std::vector<RecordedEvent> page;
  for (uint64_t next = 1;; next = page.back().global_position() + 1) {
    Check(log->ReadAll(next, options, &page), "read the log");
    if (page.empty()) return records;
    for (const RecordedEvent& e : page) {
      Record r;
      r.partition = PartitionForTenant(e.event().tenant()->string_view(), partitions);
      Check(EncodeEventMessage(e, EventFormat::kFlatBuffers, nullptr, &r.message), "encode");
      records.push_back(std::move(r));
    }
  }
}

void CountDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "tandem-bench relay: raw delivery failed: %s\n", rd_kafka_err2str(m->err));
    std::exit(1);
  }
  static_cast<std::atomic<uint64_t>*>(opaque)->fetch_add(1, std::memory_order_relaxed);
}

// (a) The floor: a plain producer with the relay's settings, the same records, to a topic of
// the same partitions. Events/s from the first send to the last acknowledgement.
double RawProducerRate(const std::string& bootstrap, const std::vector<Record>& records) {
  EventRelayOptions relay_options;
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> settings = RelayProducerSettings(relay_options);
  settings["bootstrap.servers"] = bootstrap;
  settings["log_level"] = "3";
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "tandem-bench relay: %s\n", error);
      std::exit(1);
    }
  }
  std::atomic<uint64_t> acknowledged{0};
  rd_kafka_conf_set_opaque(conf, &acknowledged);
  rd_kafka_conf_set_dr_msg_cb(conf, &CountDelivery);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (rk == nullptr) {
    std::fprintf(stderr, "tandem-bench relay: %s\n", error);
    std::exit(1);
  }
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, kRawTopic, nullptr);
  // Connected before the clock starts, as the relay is once its tail read is done.
  const rd_kafka_metadata_t* metadata = nullptr;
  CheckKafka(rd_kafka_metadata(rk, 0, topic, &metadata, 10000), "raw producer metadata");
  rd_kafka_metadata_destroy(metadata);
  const auto started = Clock::now();
  for (const Record& r : records) {
    for (;;) {
      rd_kafka_headers_t* headers = rd_kafka_headers_new(r.message.headers.size());
      for (const auto& [name, value] : r.message.headers) {
        rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                            static_cast<ssize_t>(value.size()));
      }
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_PARTITION(r.partition),
          RD_KAFKA_V_KEY(r.message.key.data(), r.message.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(r.message.value.data()), r.message.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      rd_kafka_headers_destroy(headers);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) CheckKafka(err, "raw produce");
      rd_kafka_poll(rk, 5);
    }
    rd_kafka_poll(rk, 0);
  }
  CheckKafka(rd_kafka_flush(rk, 600000), "raw flush");
  const double seconds = Seconds(started);
  if (acknowledged.load() != records.size()) {
    std::fprintf(stderr, "tandem-bench relay: raw producer lost acknowledgements\n");
    std::exit(1);
  }
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk);
  return static_cast<double>(records.size()) / seconds;
}

// Receives the events topic and reports when each global position arrived. The plain consumer
// below stands in for a Kafka-fed projection worker (KafkaProjectionWorker): an implementation
// that reports each position its worker folded measures append -> view instead, with no other
// change to the benchmark.
class ArrivalProbe {
 public:
  // Every event of `partition` up to `position` has arrived.
  using Arrived = std::function<void(int32_t partition, uint64_t position)>;
  virtual ~ArrivalProbe() = default;
  virtual const char* name() const = 0;
  // Reports every record appended to the topic after this call returns.
  virtual void Start(Arrived arrived) = 0;
  virtual void Stop() = 0;
};

class PlainConsumerProbe final : public ArrivalProbe {
 public:
  PlainConsumerProbe(std::string bootstrap, std::string topic, int32_t partitions)
      : bootstrap_(std::move(bootstrap)), topic_(std::move(topic)), partitions_(partitions) {}
  ~PlainConsumerProbe() override { Stop(); }

  const char* name() const override { return "plain_consumer"; }

  void Start(Arrived arrived) override {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    for (const auto& [name, value] :
         std::map<std::string, std::string>{{"bootstrap.servers", bootstrap_},
                                            {"group.id", "tandem-bench-latency"},
                                            {"enable.auto.commit", "false"},
                                            {"fetch.wait.max.ms", "5"},
                                            {"log_level", "3"}}) {
      rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error);
    }
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    // From each partition's end as it is now, so that nothing appended later is missed.
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions_);
    for (int32_t p = 0; p < partitions_; p++) {
      int64_t low = 0, high = 0;
      CheckKafka(rd_kafka_query_watermark_offsets(rk_, topic_.c_str(), p, &low, &high, 10000),
                 "latency watermarks");
      rd_kafka_topic_partition_list_add(list, topic_.c_str(), p)->offset = high;
    }
    CheckKafka(rd_kafka_assign(rk_, list), "latency assign");
    rd_kafka_topic_partition_list_destroy(list);
    running_ = true;
    thread_ = std::thread([this, arrived = std::move(arrived)] {
      while (running_) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 50);
        if (m == nullptr) continue;
        uint64_t position = 0;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
            ParseGlobalPositionHeader(
                RecordHeader(m, event_headers::kGlobalPosition).value_or(std::string_view()),
                &position)
                .ok()) {
          arrived(m->partition, position);
        }
        rd_kafka_message_destroy(m);
      }
    });
  }

  void Stop() override {
    if (!running_.exchange(false)) return;
    thread_.join();
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }

 private:
  const std::string bootstrap_, topic_;
  const int32_t partitions_;
  rd_kafka_t* rk_ = nullptr;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

// Arrival = readable in a view folded by a Kafka-fed worker (KafkaProjectionWorker) in a group
// of its own, committed with its offsets; the worker is in the group and caught up before Start
// returns.
class WorkerProbe final : public ArrivalProbe {
 public:
  WorkerProbe(std::string bootstrap, std::string dir, std::string projection)
      : bootstrap_(std::move(bootstrap)),
        dir_(std::move(dir)),
        projection_(std::move(projection)) {}
  ~WorkerProbe() override { Stop(); }

  const char* name() const override { return "kafka_worker"; }

  void Start(Arrived arrived) override {
    Check(ViewStore::Open(ViewStoreOptions(), dir_ + "/worker-views", &store_), "worker views");
    std::vector<std::unique_ptr<Projection>> all;
    Check(MakeProjections({}, &all), "projections");
    std::unique_ptr<Projection> chosen;
    for (auto& p : all) {
      if (p->name() == projection_) chosen = std::move(p);
    }
    if (chosen == nullptr) Check(Status::InvalidArgument("no projection " + projection_), "probe");
    KafkaWorkerOptions options;
    options.kafka.bootstrap = bootstrap_;
    options.group = "tandem-bench-worker";
    // The worker first folds the whole topic (the throughput phase's events); timing starts
    // once it has, so only commits after `armed_` count.
    options.on_commit = [this, arrived = std::move(arrived)](int32_t partition, uint64_t position) {
      last_commit_ = Clock::now();
      if (armed_) arrived(partition, position);
    };
    Check(KafkaProjectionWorker::Open(options, std::move(chosen), store_.get(), &worker_),
          "open the worker");
    Check(worker_->Start(), "start the worker");
    // Caught up: no commit for a second after having folded something.
    while (worker_->EventsFolded() == 0 || Clock::now() - last_commit_.load() < kQuiet) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    armed_ = true;
  }

  void Stop() override {
    if (worker_ == nullptr) return;
    Check(worker_->Stop(), "stop the worker");
    worker_.reset();
    store_.reset();
  }

 private:
  static constexpr std::chrono::seconds kQuiet{1};
  const std::string bootstrap_, dir_, projection_;
  std::unique_ptr<ViewStore> store_;
  std::unique_ptr<KafkaProjectionWorker> worker_;
  std::atomic<Clock::time_point> last_commit_{Clock::time_point{}};
  std::atomic<bool> armed_{false};
};

// (c) Appends one event at a time at `rate` for `seconds` while the relay runs; each one's
// latency from its acknowledged append to its arrival at `probe`.
void MeasureLatency(EventLog* log, const EventRelay& relay, ArrivalProbe* probe, int tenants,
                    int32_t partitions, double rate, double seconds) {
  std::mutex mu;
  // Per partition, in arrival order: (every event up to this position has arrived, when).
  std::map<int32_t, std::vector<std::pair<uint64_t, Clock::time_point>>> reports;
  probe->Start([&](int32_t partition, uint64_t position) {
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mu);
    reports[partition].emplace_back(position, now);
  });
  struct Acknowledged {
    uint64_t position;
    int32_t partition;
    Clock::time_point at;
  };
  std::vector<Acknowledged> acknowledged;
  std::map<int32_t, uint64_t> last_of;  // per partition, the last position appended
  const auto total = static_cast<uint64_t>(rate * seconds);
  const auto started = Clock::now();
  for (uint64_t i = 0; i < total; i++) {
    std::this_thread::sleep_until(started + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(i / rate)));
    AppendResult result;
    const StreamId stream = StreamOf(i, tenants);
    Check(log->Append(stream, ExpectedVersion::Any(), {Comment(i)}, "", &result), "append");
    const int32_t partition = PartitionForTenant(stream.tenant, partitions);
    acknowledged.push_back({result.last_position, partition, Clock::now()});
    last_of[partition] = result.last_position;
  }
  const double append_seconds = Seconds(started);
  const auto all_arrived = [&] {
    for (const auto& [partition, last] : last_of) {
      auto it = reports.find(partition);
      if (it == reports.end() || it->second.back().first < last) return false;
    }
    return true;
  };
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (all_arrived() || Clock::now() > deadline) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  probe->Stop();
  std::vector<double> latencies_ms;
  for (const Acknowledged& a : acknowledged) {
    const auto& list = reports[a.partition];
    // The first report covering the position (positions grow along a partition's reports).
    auto it = std::lower_bound(list.begin(), list.end(), a.position,
                               [](const auto& report, uint64_t p) { return report.first < p; });
    if (it == list.end()) continue;
    // An event can arrive before Append returns to its caller: that is no latency at all.
    latencies_ms.push_back(
        std::max(0.0, std::chrono::duration<double, std::milli>(it->second - a.at).count()));
  }
  std::printf("latency_consumer=%s\n", probe->name());
  std::printf("latency_events=%zu latency_arrived=%zu latency_rate_events_per_s=%.0f\n",
              acknowledged.size(), latencies_ms.size(),
              static_cast<double>(acknowledged.size()) / append_seconds);
  std::printf("latency_p50_ms=%.2f\nlatency_p99_ms=%.2f\nlatency_max_ms=%.2f\n",
              Percentile(latencies_ms, 0.50), Percentile(latencies_ms, 0.99),
              Percentile(latencies_ms, 1.0));
  std::printf("relay_lag_after_latency=%llu\n", static_cast<unsigned long long>(relay.Lag()));
}

}  // namespace

int RunRelayBench(const std::vector<std::string>& args) {
  po::options_description desc("tandem-bench relay options");
  desc.add_options()("help,h", "show this help")(
      "dir", po::value<std::string>()->default_value("/tmp/tandem-bench-relay"),
      "scratch folder (emptied first)")("events", po::value<uint64_t>()->default_value(200'000),
                                        "events in the log")(
      "partitions", po::value<int>()->default_value(4), "partitions of the events topic")(
      "tenants", po::value<int>()->default_value(50), "workspaces the events spread over")(
      "latency-rate", po::value<double>()->default_value(500), "appends/s while timing latency")(
      "latency-seconds", po::value<double>()->default_value(5), "seconds of timed appends")(
      "latency-consumer", po::value<std::string>()->default_value("worker"),
      "worker (a Kafka-fed projection worker) or plain (a plain consumer)")(
      "worker-projection", po::value<std::string>()->default_value("internal-threads"),
      "the projection the latency worker folds");
  po::variables_map vm;
  int rc = ParseBenchOptions("relay", desc, args, &vm);
  if (rc >= 0) return rc;
  SetLogLevel(LogLevel::kWarn);
  const std::string dir = vm["dir"].as<std::string>();
  const uint64_t events = vm["events"].as<uint64_t>();
  const int partitions = vm["partitions"].as<int>();
  const int tenants = vm["tenants"].as<int>();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  std::unique_ptr<EventLog> log;
  Check(EventLog::Open(EventLogOptions(), dir + "/log", &log), "open the log");
  auto started = Clock::now();
  Fill(log.get(), events, tenants);
  std::printf("events=%llu partitions=%d tenants=%d\nfill_seconds=%.2f\n",
              static_cast<unsigned long long>(events), partitions, tenants, Seconds(started));

  EmbeddedClusterOptions cluster_options;
  cluster_options.partitions = partitions;
  cluster_options.topics = {"tandem.events", kRawTopic};
  std::unique_ptr<EmbeddedKafkaCluster> cluster;
  Check(EmbeddedKafkaCluster::Start(cluster_options, &cluster), "start the cluster");

  const std::vector<Record> records = EncodeLog(log.get(), partitions);
  size_t bytes = 0;
  for (const Record& r : records) bytes += r.message.value.size();
  std::printf("value_bytes_avg=%zu\n", records.empty() ? 0 : bytes / records.size());
  const double raw = RawProducerRate(cluster->bootstrap(), records);
  std::printf("raw_producer_events_per_s=%.0f\n", raw);

  EventRelayOptions options;
  options.kafka.bootstrap = cluster->bootstrap();
  options.position_file = dir + "/relay.position";
  std::unique_ptr<EventRelay> relay;
  Check(EventRelay::Open(options, log.get(), &relay), "open the relay");
  started = Clock::now();
  Check(relay->Start(), "start the relay");
  while (relay->PublishedPosition() < log->LastPosition()) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const double relayed = static_cast<double>(events) / Seconds(started);
  std::printf("relay_events_per_s=%.0f\n", relayed);
  std::printf("ratio_relay_to_raw_producer=%.2f\n", raw > 0 ? relayed / raw : 0);

  // Append acknowledged -> readable in a Kafka-fed worker's view (or, with --latency-consumer
  // plain, -> consumed by a plain consumer, the floor of what a worker can do).
  std::unique_ptr<ArrivalProbe> probe;
  if (vm["latency-consumer"].as<std::string>() == "plain") {
    probe = std::make_unique<PlainConsumerProbe>(cluster->bootstrap(), "tandem.events", partitions);
  } else {
    probe = std::make_unique<WorkerProbe>(cluster->bootstrap(), dir,
                                          vm["worker-projection"].as<std::string>());
  }
  MeasureLatency(log.get(), *relay, probe.get(), tenants, partitions,
                 vm["latency-rate"].as<double>(), vm["latency-seconds"].as<double>());
  probe.reset();
  Check(relay->Stop(), "stop the relay");
  relay.reset();
  log.reset();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace tandem::bench
