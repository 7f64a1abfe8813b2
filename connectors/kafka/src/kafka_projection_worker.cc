#include "tandem/kafka/kafka_projection_worker.h"

#include <array>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "rdkafka_client.h"
#include "tandem/basics/logger.h"
#include "tandem/basics/named_thread.h"
#include "tandem/kafka/event_message.h"
#include "tandem/kafka/record_header.h"
#include "worker_fold.h"

namespace tandem {
namespace {

using Clock = std::chrono::steady_clock;
using kafka::RecordOutcome;

constexpr int kOutcomes = 4;  // RecordOutcome values

class Worker : public KafkaProjectionWorker {
 public:
  Worker(const KafkaWorkerOptions& options, std::unique_ptr<Projection> projection,
         ViewStore* store)
      : options_(options), fold_(std::move(projection), store, options.kafka.topics.events) {}

  ~Worker() override { Stop(); }

  Status Init() {
    if (options_.kafka.event_format != EventFormat::kFlatBuffers) {
      return Status::InvalidArgument("kafka.worker_needs_flatbuffers",
                                     "a projection worker reads FlatBuffers records only");
    }
    if (options_.group.empty() || options_.max_batch_events == 0) {
      return Status::InvalidArgument("kafka.bad_worker_options",
                                     "a worker needs a group and max_batch_events > 0");
    }
    // librdkafka subscribes to every topic matching a name that starts with '^': records of
    // other topics would share the events topic's offsets, which are kept by partition.
    const std::string& topic = options_.kafka.topics.events;
    if (topic.empty() || topic.front() == '^') {
      return Status::InvalidArgument(
          "kafka.bad_worker_options",
          "a worker reads one events topic, not a pattern: '" + topic + "'");
    }
    Status s = fold_.Load();
    if (!s.ok()) return s;
    kafka::KafkaConf conf;
    s = kafka::MakeConf(options_.kafka,
                        {{"group.id", options_.group},
                         // Offsets live with the view, never in Kafka.
                         {"enable.auto.commit", "false"},
                         {"enable.auto.offset.store", "false"},
                         // A partition never consumed, or a stored offset the topic no longer
                         // holds (a fresh cluster): from the start, positions skip duplicates.
                         {"auto.offset.reset", "earliest"},
                         // The end of a partition is what a view folded from the beginning
                         // waits for before it is served (WorkerFold::ReachedEnd).
                         {"enable.partition.eof", "true"},
                         // Views are read live: a fetch with nothing new comes back after 10 ms
                         // rather than librdkafka's 500 (a broker answers sooner when records
                         // arrive; librdkafka's mock cluster waits the whole time).
                         {"fetch.wait.max.ms", "10"}},
                        &conf);
    if (!s.ok()) return s;
    rd_kafka_conf_set_rebalance_cb(conf.get(), &Worker::OnRebalance);
    rd_kafka_conf_set_opaque(conf.get(), this);
    s = kafka::MakeClient(RD_KAFKA_CONSUMER, std::move(conf), &consumer_);
    if (!s.ok()) return s;
    rd_kafka_poll_set_consumer(consumer_.get());
    RegisterMetrics();
    return Status::OK();
  }

  Status Start() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (thread_.joinable() || closed_) {
      return Status::InvalidArgument("kafka.worker_started", "the worker was already started");
    }
    kafka::PartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), options_.kafka.topics.events.c_str(),
                                      RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return kafka::KafkaError(err, "subscribe to " + options_.kafka.topics.events);
    }
    LogInfo("kafka", "worker joining group=" + options_.group + " view=" + fold_.view() +
                         " topic=" + options_.kafka.topics.events);
    stop_ = false;
    thread_ = NamedThread("tandem-kfold", [this] { Run(); });
    return Status::OK();
  }

  Status Stop() override {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return stop_status_;
  }

  uint64_t EventsFolded() const override { return counts_[0].load(); }
  uint64_t RecordsNeverRead() const override { return never_read_.load(); }
  uint64_t RecordsSkipped() const override {
    return counts_[1].load() + counts_[2].load() + counts_[3].load();
  }

 private:
  void Run() {
    while (!stop_) {
      int timeout_ms = 100;
      if (fold_.pending_records() > 0) {
        const auto left = batch_started_ + options_.max_batch_delay - Clock::now();
        timeout_ms = static_cast<int>(
            std::max<int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(left).count()));
      }
      kafka::KafkaMessage message(rd_kafka_consumer_poll(consumer_.get(), timeout_ms));
      if (message != nullptr) Take(message.get());
      if (fold_.pending_records() == 0) continue;
      if (message == nullptr || fold_.pending_records() >= options_.max_batch_events ||
          Clock::now() - batch_started_ >= options_.max_batch_delay) {
        CommitBatch();
      }
    }
    CommitBatch();
    // Leaving the group revokes the assignment (through OnRebalance) and hands it back now,
    // rather than after the session times out.
    rd_kafka_resp_err_t err = rd_kafka_consumer_close(consumer_.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      stop_status_ = kafka::KafkaError(err, "leave group " + options_.group);
    }
    closed_ = true;
    LogInfo("kafka", "worker left group=" + options_.group + " view=" + fold_.view());
  }

  void Take(const rd_kafka_message_t* m) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (fold_.pending_records() == 0) batch_started_ = Clock::now();
      int64_t unread = 0;
      fold_.ReachedEnd(m->partition, m->offset, &unread);
      if (unread > 0) NeverRead(m, unread);
      return;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Transient (a broker away, a rebalance): librdkafka retries by itself.
      LogWarn("kafka", std::string("worker consumer: ") + rd_kafka_message_errstr(m));
      return;
    }
    kafka::WorkerRecord record;
    record.partition = m->partition;
    record.offset = m->offset;
    if (m->payload != nullptr) record.value = {static_cast<const char*>(m->payload), m->len};
    record.position_header = RecordHeader(m, event_headers::kGlobalPosition);
    if (fold_.pending_records() == 0) batch_started_ = Clock::now();
    RecordOutcome outcome;
    int64_t unread = 0;
    Status s = fold_.Offer(record, &outcome, &unread);
    if (!s.ok()) {
      FoldFailed(s);
      return;
    }
    if (unread > 0) NeverRead(m, unread);
    batch_counts_[static_cast<int>(outcome)]++;
    if (outcome != RecordOutcome::kFolded) {
      LogWarn("kafka", "record skipped view=" + fold_.view() + " partition=" +
                           std::to_string(m->partition) + " offset=" + std::to_string(m->offset) +
                           " reason=" + kafka::RecordOutcomeName(outcome));
    }
  }

  // The topic no longer holds records this worker had not read yet (retention removed them):
  // the view misses their events and only a rebuild from the log brings them back.
  void NeverRead(const rd_kafka_message_t* m, int64_t unread) {
    never_read_ += static_cast<uint64_t>(unread);
    if (never_read_counter_ != nullptr) never_read_counter_->Increment(static_cast<double>(unread));
    LogError("kafka", "records never read view=" + fold_.view() +
                          " partition=" + std::to_string(m->partition) +
                          " offsets=" + std::to_string(m->offset - unread) + ".." +
                          std::to_string(m->offset - 1) +
                          ": the topic no longer holds them (retention); the view misses their "
                          "events, rebuild it");
  }

  void CommitBatch() {
    if (fold_.pending_records() == 0) return;
    std::vector<SourceOffset> advanced;
    Status s = fold_.Commit(options_.on_commit ? &advanced : nullptr);
    if (!s.ok()) {
      FoldFailed(s);
      return;
    }
    for (const SourceOffset& offset : advanced) {
      options_.on_commit(offset.partition, offset.last_position);
    }
    for (int i = 0; i < kOutcomes; i++) {
      counts_[i] += batch_counts_[i];
      if (counters_[i] != nullptr) counters_[i]->Increment(static_cast<double>(batch_counts_[i]));
      batch_counts_[i] = 0;
    }
    PublishGauges();
  }

  // The batch is forgotten (the fold included) and its partitions read again from the stored
  // offsets; a view whose rows are damaged is dropped and read again from the beginning.
  void FoldFailed(const Status& s) {
    LogError("kafka", "worker batch forgotten view=" + fold_.view() + ": " + s.ToString());
    batch_counts_.fill(0);
    fold_.Forget();
    if (s.IsCorruption()) {
      Status dropped = fold_.DropView();
      if (!dropped.ok()) LogError("kafka", "cannot drop view: " + dropped.ToString());
    }
    kafka::PartitionList list(
        rd_kafka_topic_partition_list_new(static_cast<int>(assigned_.size())));
    for (int32_t p : assigned_) {
      const int64_t next = fold_.NextOffset(p);
      rd_kafka_topic_partition_list_add(list.get(), options_.kafka.topics.events.c_str(), p)
          ->offset = next >= 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer_.get(), list.get(), 5000);
    if (error != nullptr) {
      LogError("kafka", std::string("cannot seek back: ") + rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
    // Whatever failed (a full disk, a damaged table) will not mend in a microsecond.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    static_cast<Worker*>(opaque)->Rebalance(rk, err, partitions);
  }

  void Rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                 rd_kafka_topic_partition_list_t* partitions) {
    const bool cooperative = std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    std::string names;
    for (int i = 0; i < partitions->cnt; i++) {
      names += (i ? "," : "") + std::to_string(partitions->elems[i].partition);
    }
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      // Seek to what the view holds: the stored offsets, the beginning for a new partition.
      for (int i = 0; i < partitions->cnt; i++) {
        const int64_t next = fold_.NextOffset(partitions->elems[i].partition);
        partitions->elems[i].offset = next >= 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
        assigned_.insert(partitions->elems[i].partition);
        fold_.Assigned(partitions->elems[i].partition);
      }
      LogInfo("kafka", "worker assigned view=" + fold_.view() + " partitions=" + names);
      Check(cooperative ? rd_kafka_error_code(rd_kafka_incremental_assign(rk, partitions))
                        : rd_kafka_assign(rk, partitions),
            "assign");
    } else {
      // Revoked (or lost): what was folded from these partitions is committed first, so the
      // next owner's view and this one each hold exactly what their offsets say.
      CommitBatch();
      fold_.Forget();
      for (int i = 0; i < partitions->cnt; i++) {
        assigned_.erase(partitions->elems[i].partition);
        fold_.Revoked(partitions->elems[i].partition);
      }
      LogInfo("kafka", "worker revoked view=" + fold_.view() + " partitions=" + names);
      Check(cooperative ? rd_kafka_error_code(rd_kafka_incremental_unassign(rk, partitions))
                        : rd_kafka_assign(rk, nullptr),
            "unassign");
      if (!cooperative) {
        for (int32_t p : assigned_) fold_.Revoked(p);
        assigned_.clear();
      }
    }
    PublishGauges();
  }

  static void Check(rd_kafka_resp_err_t err, const std::string& what) {
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      LogError("kafka", kafka::KafkaError(err, what).ToString());
  }

  void RegisterMetrics() {
    if (options_.metrics == nullptr) return;
    const std::string view = fold_.view();
    counters_[0] = &prometheus::BuildCounter()
                        .Name("tandem_worker_events_folded_total")
                        .Help("Events a Kafka-fed worker folded into its view")
                        .Register(*options_.metrics)
                        .Add({{"projection", view}});
    auto& skipped = prometheus::BuildCounter()
                        .Name("tandem_worker_skipped_records_total")
                        .Help("Records a Kafka-fed worker skipped, by reason")
                        .Register(*options_.metrics);
    for (int i = 1; i < kOutcomes; i++) {
      counters_[i] = &skipped.Add(
          {{"projection", view}, {"reason", RecordOutcomeName(static_cast<RecordOutcome>(i))}});
    }
    never_read_counter_ = &prometheus::BuildCounter()
                               .Name("tandem_worker_unread_records_total")
                               .Help(
                                   "Records the topic no longer held when a Kafka-fed worker "
                                   "reached them (its view misses their events)")
                               .Register(*options_.metrics)
                               .Add({{"projection", view}});
    position_gauge_ = &prometheus::BuildGauge()
                           .Name("tandem_worker_position")
                           .Help("Highest global position a Kafka-fed worker folded")
                           .Register(*options_.metrics)
                           .Add({{"projection", view}});
    lag_gauge_ = &prometheus::BuildGauge()
                      .Name("tandem_worker_lag_records")
                      .Help("Records on the worker's assigned partitions not yet folded")
                      .Register(*options_.metrics)
                      .Add({{"projection", view}});
    PublishGauges();
  }

  // The lag from the high watermarks librdkafka already knows (no request to the brokers).
  void PublishGauges() {
    if (position_gauge_ == nullptr) return;
    position_gauge_->Set(static_cast<double>(fold_.position()));
    int64_t lag = 0;
    for (int32_t p : assigned_) {
      int64_t low = 0, high = 0;
      if (rd_kafka_get_watermark_offsets(consumer_.get(), options_.kafka.topics.events.c_str(), p,
                                         &low, &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
          high < 0) {
        continue;
      }
      lag += std::max<int64_t>(0, high - std::max<int64_t>(low, fold_.NextOffset(p)));
    }
    lag_gauge_->Set(static_cast<double>(lag));
  }

  const KafkaWorkerOptions options_;
  kafka::WorkerFold fold_;
  kafka::KafkaHandle consumer_;
  std::mutex mu_;  // Start and Stop
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool closed_ = false;
  Status stop_status_;
  // Only the folding thread touches what follows (rebalances run inside its poll).
  std::set<int32_t> assigned_;
  Clock::time_point batch_started_;
  std::array<uint64_t, kOutcomes> batch_counts_{};
  std::array<std::atomic<uint64_t>, kOutcomes> counts_{};
  std::array<prometheus::Counter*, kOutcomes> counters_{};
  std::atomic<uint64_t> never_read_{0};
  prometheus::Counter* never_read_counter_ = nullptr;
  prometheus::Gauge* position_gauge_ = nullptr;
  prometheus::Gauge* lag_gauge_ = nullptr;
};

}  // namespace

Status KafkaProjectionWorker::Open(const KafkaWorkerOptions& options,
                                   std::unique_ptr<Projection> projection, ViewStore* store,
                                   std::unique_ptr<KafkaProjectionWorker>* worker) {
  if (projection == nullptr || store == nullptr) {
    return Status::InvalidArgument("kafka.bad_worker_options", "a worker needs a projection");
  }
  auto w = std::make_unique<Worker>(options, std::move(projection), store);
  Status s = w->Init();
  if (s.ok()) *worker = std::move(w);
  return s;
}

}  // namespace tandem
