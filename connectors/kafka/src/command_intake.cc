// The intake's loop: a batch of command records is consumed, each command executed in turn and
// its answer produced; the batch's offsets are committed once Kafka acknowledged the answers.
#include "tandem/kafka/command_intake.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "kafka_log.h"
#include "rdkafka_client.h"
#include "tandem/basics/logger.h"
#include "tandem/basics/named_thread.h"
#include "tandem/basics/utf8.h"
#include "tandem/domain/command_json.h"

namespace tandem {
namespace {

constexpr char kComponent[] = "intake";
constexpr char kCommandIdHeader[] = "tandem.command_id";
// Records executed between commits: enough to amortise a commit, few enough that a restart
// answers little twice.
constexpr size_t kMaxBatch = 256;
constexpr auto kRetryDelay = std::chrono::milliseconds(500);

// One record's answer, and what Kafka said about its delivery.
struct Answer {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string command_id;  // empty when it could not be read
  std::string value;
  enum class Delivery { kNone, kInFlight, kDelivered, kFailed };
  std::atomic<Delivery> delivery{Delivery::kNone};
};

class IntakeMetrics {
 public:
  explicit IntakeMetrics(prometheus::Registry* registry) {
    if (registry == nullptr) return;
    records_ = &prometheus::BuildCounter()
                    .Name("tandem_intake_records_total")
                    .Help("Records consumed from the commands topic")
                    .Register(*registry)
                    .Add({});
    results_ = &prometheus::BuildCounter()
                    .Name("tandem_intake_results_total")
                    .Help(
                        "Results produced by the command intake, by result (ok, deduplicated or "
                        "the refusal's status code)")
                    .Register(*registry);
  }
  void Consumed() {
    if (records_ != nullptr) records_->Increment();
  }
  void Answered(const Status& status, bool deduplicated) {
    if (results_ == nullptr) return;
    const std::string result = !status.ok()   ? std::string(status.CodeName())
                               : deduplicated ? "deduplicated"
                                              : "ok";
    results_->Add({{"result", result}}).Increment();
  }

 private:
  prometheus::Counter* records_ = nullptr;
  prometheus::Family<prometheus::Counter>* results_ = nullptr;
};

uint64_t LargestCommandBytes(const CommandLimits& limits) {
  uint64_t largest = 0;
  for (CommandType t : AllCommandTypes()) largest = std::max(largest, MaxCommandBytes(t, limits));
  return largest;
}

class KafkaCommandIntake final : public CommandIntake {
 public:
  KafkaCommandIntake(const CommandIntakeOptions& options, CommandHandler* handler,
                     const EventJsonCodec* codec, kafka::KafkaHandle consumer,
                     kafka::KafkaHandle producer)
      : options_(options),
        handler_(handler),
        codec_(codec),
        largest_(LargestCommandBytes(options.limits)),
        metrics_(options.metrics),
        consumer_(std::move(consumer)),
        producer_(std::move(producer)) {}

  ~KafkaCommandIntake() override { (void)Stop(); }

  Status Start() override {
    if (started_) return Status::InvalidArgument("intake.started", "the intake is running");
    kafka::PartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), options_.kafka.topics.commands.c_str(),
                                      RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return kafka::KafkaError(err, "subscribing to " + options_.kafka.topics.commands);
    }
    started_ = true;
    thread_ = NamedThread("tandem-intake", [this] { Run(); });
    return Status::OK();
  }

  Status Stop() override {
    if (!started_ || stopped_) return Status::OK();
    stopped_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + options_.flush_timeout;
    stop_ = true;
    thread_.join();
    // Leaves the group, so another intake takes the partitions over at once.
    rd_kafka_resp_err_t err = rd_kafka_consumer_close(consumer_.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && failure_.ok()) {
      failure_ = kafka::KafkaError(err, "leaving the intake's group");
    }
    return failure_;
  }

 private:
  void Run() {
    std::vector<kafka::KafkaMessage> batch;
    while (!stop_) {
      batch.clear();
      Consume(&batch);
      if (batch.empty()) {
        rd_kafka_poll(producer_.get(), 0);
        continue;
      }
      std::vector<Answer> answers(batch.size());
      size_t answered = 0;
      bool halted = false;
      while (answered < batch.size() && !stop_) {
        if (!AnswerRecord(*batch[answered], &answers[answered])) {
          halted = true;
          break;
        }
        // Sent at once, so the sender hears back without waiting for the rest of the batch.
        Produce(&answers[answered]);
        rd_kafka_poll(producer_.get(), 0);
        answered++;
      }
      const bool delivered = Deliver(&answers, answered);
      Commit(answers, answered);
      if (!delivered) Abandon();
      // Past a record left unanswered the batch must not go on: its offset is not committed,
      // and the next batch would commit past it.
      if (halted || !delivered || answered < batch.size()) break;
    }
  }

  void Consume(std::vector<kafka::KafkaMessage>* batch) {
    while (batch->size() < kMaxBatch && !stop_) {
      kafka::KafkaMessage m(rd_kafka_consumer_poll(consumer_.get(), batch->empty() ? 100 : 0));
      if (m == nullptr) return;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (m->err != last_error_) {
          LogWarn(kComponent, "consuming " + options_.kafka.topics.commands + ": " +
                                  rd_kafka_message_errstr(m.get()));
        }
        last_error_ = m->err;
        continue;
      }
      last_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
      metrics_.Consumed();
      batch->push_back(std::move(m));
    }
  }

  // Executes the record's command and writes its answer into `*a`. False, answering nothing,
  // when the engine is shutting down.
  bool AnswerRecord(const rd_kafka_message_t& m, Answer* a) {
    a->partition = m.partition;
    a->offset = m.offset;
    const std::string_view text(m.payload != nullptr ? static_cast<const char*>(m.payload) : "",
                                m.payload != nullptr ? m.len : 0);
    if (m.key != nullptr && m.key_len > 0) {
      a->key.assign(static_cast<const char*>(m.key), m.key_len);
    } else {
      a->key = std::to_string(m.partition) + ":" + std::to_string(m.offset);
    }
    Status s;
    CommandResult result;
    if (text.size() > largest_) {
      // The size is all that is looked at: a hostile record costs nothing more to refuse.
      s = Status::InvalidArgument("command.too_large",
                                  "the command is " + std::to_string(text.size()) +
                                      " bytes, more than the limit of " + std::to_string(largest_) +
                                      " for a command");
    } else {
      if (PeekCommandId(text, &a->command_id)) a->key = a->command_id;
      s = handler_->ExecuteJson(text, &result);
    }
    if (s.IsShutdown()) {
      LogWarn(kComponent,
              "the engine is shutting down; command at " + Where(m) + " left for the next start");
      failure_ = s;
      return false;
    }
    std::string json;
    if (s.ok()) {
      Status encoded = CommandResultToJson(*codec_, result, &json);
      if (!encoded.ok()) json = CommandErrorToJson(encoded);
    } else {
      json = CommandErrorToJson(s);
      LogInfo(kComponent, "refused the command at " + Where(m) + ": " + s.ToString());
    }
    // Exactly what `tandem command` prints, so the answer is always valid JSON.
    a->value = utf8::Sanitize(json);
    metrics_.Answered(s, result.deduplicated);
    return true;
  }

  std::string Where(const rd_kafka_message_t& m) const {
    return options_.kafka.topics.commands + " partition " + std::to_string(m.partition) +
           " offset " + std::to_string(m.offset);
  }

  // Produces the first `count` answers and waits until Kafka acknowledged each, producing again
  // those that failed. False when stopping cut that short.
  bool Deliver(std::vector<Answer>* answers, size_t count) {
    for (;;) {
      bool settled = true, all_delivered = true;
      for (size_t i = 0; i < count; i++) {
        Answer& a = (*answers)[i];
        const Answer::Delivery d = a.delivery.load();
        if (d == Answer::Delivery::kNone) Produce(&a);
        settled &= a.delivery.load() != Answer::Delivery::kInFlight;
        all_delivered &= a.delivery.load() == Answer::Delivery::kDelivered;
      }
      if (all_delivered) return true;
      if (stop_ && std::chrono::steady_clock::now() >= stop_deadline_.load()) return false;
      if (!settled) {
        rd_kafka_poll(producer_.get(), 50);
        continue;
      }
      // Every failure is settled: produce those again after a pause (Kafka is away).
      std::this_thread::sleep_for(kRetryDelay);
      for (size_t i = 0; i < count; i++) {
        Answer& a = (*answers)[i];
        if (a.delivery.load() == Answer::Delivery::kFailed) a.delivery = Answer::Delivery::kNone;
      }
    }
  }

  // Drops the answers still in flight, serving their delivery reports while the answers they
  // point at exist. Their records are not committed: the next start answers them.
  void Abandon() {
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (rd_kafka_outq_len(producer_.get()) > 0 && std::chrono::steady_clock::now() < give_up) {
      rd_kafka_poll(producer_.get(), 10);
    }
  }

  void Produce(Answer* a) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(1);
    if (!a->command_id.empty()) {
      rd_kafka_header_add(headers, kCommandIdHeader, -1, a->command_id.data(),
                          static_cast<ssize_t>(a->command_id.size()));
    }
    a->delivery = Answer::Delivery::kInFlight;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(options_.kafka.topics.command_results.c_str()),
        RD_KAFKA_V_KEY(a->key.data(), a->key.size()),
        RD_KAFKA_V_VALUE(a->value.data(), a->value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(a),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;  // the producer owns the headers now
    rd_kafka_headers_destroy(headers);
    if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
      // The command was executed; its answer cannot travel. Say so in a form that can, so the
      // sender is not left waiting (a retry with the same id answers from the log).
      LogWarn(kComponent, "the result for " + a->key + " is too large for Kafka");
      a->value = CommandErrorToJson(Status::InvalidArgument(
          "intake.result_too_large",
          "the command was executed but its result is too large for the results topic"));
      a->delivery = Answer::Delivery::kNone;
      return;
    }
    // A full queue or a transient error: let delivery reports drain, then try again.
    a->delivery = Answer::Delivery::kFailed;
    rd_kafka_poll(producer_.get(), 10);
  }

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    Answer* a = static_cast<Answer*>(m->_private);
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      LogWarn(kComponent, std::string("a result was not delivered: ") + rd_kafka_err2str(m->err));
    }
    a->delivery = m->err == RD_KAFKA_RESP_ERR_NO_ERROR ? Answer::Delivery::kDelivered
                                                       : Answer::Delivery::kFailed;
  }

 public:
  static void SetDeliveryCallback(rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, &KafkaCommandIntake::OnDelivery);
  }

 private:
  // Commits, per partition, the offset after the last record whose answer was delivered with
  // every answer before it.
  void Commit(const std::vector<Answer>& answers, size_t count) {
    std::map<int32_t, int64_t> next;  // partition -> offset to commit
    std::map<int32_t, bool> broken;
    for (size_t i = 0; i < count; i++) {
      const Answer& a = answers[i];
      if (broken[a.partition]) continue;
      if (a.delivery.load() != Answer::Delivery::kDelivered) {
        broken[a.partition] = true;
        continue;
      }
      next[a.partition] = a.offset + 1;
    }
    if (next.empty()) return;
    kafka::PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(next.size())));
    for (const auto& [partition, offset] : next) {
      rd_kafka_topic_partition_list_add(list.get(), options_.kafka.topics.commands.c_str(),
                                        partition)
          ->offset = offset;
    }
    rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), list.get(), 0);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // After a rebalance the partition's new owner answers these again, from the log.
      LogWarn(kComponent, std::string("committing offsets: ") + rd_kafka_err2str(err));
    }
  }

  const CommandIntakeOptions options_;
  CommandHandler* const handler_;
  const EventJsonCodec* const codec_;
  const uint64_t largest_;
  IntakeMetrics metrics_;
  kafka::KafkaHandle consumer_;
  kafka::KafkaHandle producer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::chrono::steady_clock::time_point> stop_deadline_{
      std::chrono::steady_clock::time_point::max()};
  bool started_ = false;
  bool stopped_ = false;
  rd_kafka_resp_err_t last_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  Status failure_;  // why the loop stopped on its own; written by the loop before it ends
};

}  // namespace

Status CommandIntake::Open(const CommandIntakeOptions& options, CommandHandler* handler,
                           const EventJsonCodec* codec, std::unique_ptr<CommandIntake>* intake) {
  if (handler == nullptr || codec == nullptr) {
    return Status::InvalidArgument("intake.no_engine", "the intake needs a handler and a codec");
  }
  kafka::KafkaConf consumer_conf;
  Status s = kafka::MakeConf(options.kafka,
                             {{"group.id", options.group},
                              {"enable.auto.commit", "false"},
                              {"enable.auto.offset.store", "false"},
                              {"auto.offset.reset", "earliest"}},
                             &consumer_conf);
  kafka::KafkaHandle consumer;
  if (s.ok()) {
    kafka::RouteKafkaLogs(consumer_conf.get());
    s = kafka::MakeClient(RD_KAFKA_CONSUMER, std::move(consumer_conf), &consumer);
  }
  if (s.ok()) rd_kafka_poll_set_consumer(consumer.get());
  kafka::KafkaConf producer_conf;
  // murmur2 as Kafka's Java client partitions a key, so a result lands where such a client
  // would look for its key.
  if (s.ok()) {
    s = kafka::MakeConf(options.kafka,
                        {{"enable.idempotence", "true"},
                         {"acks", "all"},
                         {"linger.ms", "2"},
                         {"partitioner", "murmur2_random"}},
                        &producer_conf);
  }
  kafka::KafkaHandle producer;
  if (s.ok()) {
    KafkaCommandIntake::SetDeliveryCallback(producer_conf.get());
    kafka::RouteKafkaLogs(producer_conf.get());
    s = kafka::MakeClient(RD_KAFKA_PRODUCER, std::move(producer_conf), &producer);
  }
  if (!s.ok()) return s;
  *intake = std::make_unique<KafkaCommandIntake>(options, handler, codec, std::move(consumer),
                                                 std::move(producer));
  return Status::OK();
}

}  // namespace tandem
