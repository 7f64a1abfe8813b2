#include "tandem/kafka/event_relay.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "delivery_tracker.h"
#include "kafka_log.h"
#include "partition_tail.h"
#include "published_position.h"
#include "rdkafka_client.h"
#include "relay_metrics.h"
#include "tandem/basics/logger.h"
#include "tandem/basics/named_thread.h"
#include "tandem/codec/event_json.h"
#include "tandem/kafka/event_message.h"

namespace tandem {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kComponent = "relay";
constexpr size_t kMaxRecordBytes = 8 << 20;
constexpr milliseconds kMetadataTimeout{5000};
constexpr int kMetadataStepMs = 200;
constexpr milliseconds kTailTimeout{10000};
constexpr milliseconds kFirstBackoff{100};
constexpr milliseconds kMaxBackoff{5000};
// How long the sender waits for an event or for room before it looks at Stop again.
constexpr milliseconds kWakeInterval{50};
// After a failed session, how long purged messages get to report before the producer goes.
constexpr milliseconds kPurgeWait{1000};

void* PositionOpaque(uint64_t position) {
  return reinterpret_cast<void*>(static_cast<uintptr_t>(position));
}

// One producer's life: from its tail read until a fatal producer error, a failed delivery or
// Stop ends it. Delivery reports and errors reach it through librdkafka's callbacks.
class RelayImpl;
struct Session {
  explicit Session(RelayImpl* owner) : relay(owner) {}

  RelayImpl* const relay;
  std::mutex mu;
  std::condition_variable room;  // an acknowledgement freed room, or the session failed
  // Set from the tail read, before anything is produced.
  kafka::DeliveryTracker tracker{0};
  // Published position before this session acknowledged anything: it never goes below.
  uint64_t baseline = 0;
  std::atomic<bool> failed{false};
  Status failure;
  uint64_t delivered = 0;
  // Set once the session purges what is in flight: the errors that follow are its own doing.
  std::atomic<bool> ending{false};
};

// The producer's own log lines, quiet about what the relay causes on purpose.
void LogFromProducer(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const std::string_view text(message);
  // The relay asks for the gapless guarantee knowingly; librdkafka's note that the property
  // is experimental would otherwise be a warning at every session.
  const bool expected = text.find("enable.gapless.guarantee is experimental") != text.npos;
  const auto* session = static_cast<const Session*>(rd_kafka_opaque(rk));
  kafka::LogKafkaLine(level, facility, message,
                      expected || (session != nullptr && session->ending));
}

class RelayImpl final : public EventRelay {
 public:
  RelayImpl(const EventRelayOptions& options, EventLog* log, uint64_t stored,
            std::unique_ptr<EventJsonCodec> codec)
      : options_(options),
        log_(log),
        codec_(std::move(codec)),
        metrics_(options.metrics),
        published_(stored),
        stored_(stored) {
    metrics_.Position(stored, Lag());
  }

  ~RelayImpl() override { (void)Stop(); }

  Status Start() override {
    std::lock_guard<std::mutex> lifecycle(lifecycle_);
    std::lock_guard<std::mutex> lock(mu_);
    if (running_) return Status::InvalidArgument("relay.running", "the relay is running");
    stopping_ = false;
    running_ = true;
    sessions_ = NamedThread("tandem-relay", [this] { RunSessions(); });
    keeper_ = NamedThread("tandem-keeper", [this] { KeepPosition(); });
    return Status::OK();
  }

  Status Stop() override {
    std::lock_guard<std::mutex> lifecycle(lifecycle_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!running_) return Status::OK();
      stopping_ = true;
    }
    wake_.notify_all();
    sessions_.join();
    keeper_.join();
    Status s = StorePosition();
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
    LogInfo(kComponent, "stopped published=" + std::to_string(PublishedPosition()) +
                            " lag=" + std::to_string(Lag()));
    return s;
  }

  uint64_t PublishedPosition() const override { return published_.load(); }

  uint64_t Lag() const override {
    const uint64_t head = log_->LastPosition(), published = published_.load();
    return head > published ? head - published : 0;
  }

 private:
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* session = static_cast<Session*>(opaque);
    const auto position = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(m->_private));
    if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
      return;  // the session is ending; the next one's tail read decides about these
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Fail(session, kafka::KafkaError(m->err, "delivery of position " + std::to_string(position) +
                                                  " to partition " + std::to_string(m->partition)));
      return;
    }
    std::lock_guard<std::mutex> lock(session->mu);
    if (!session->tracker.Acknowledged(position)) return;
    session->delivered++;
    session->relay->metrics_.Delivered(1);
    session->relay->Advance(session);
    session->room.notify_one();
  }

  // The published position after the session's tracker moved (its lock held).
  void Advance(Session* session) {
    published_ = std::max(session->baseline, session->tracker.prefix());
  }

  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* session = static_cast<Session*>(opaque);
    // Purging in-flight messages breaks the gapless guarantee on purpose.
    if (session->ending) return;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char detail[512];
      const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, detail, sizeof detail);
      Fail(session, Status::IOError(std::string("fatal producer error ") +
                                    rd_kafka_err2name(cause) + ": " + detail));
      return;
    }
    // Anything else the client retries by itself; deliveries wait meanwhile.
    Log(err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ? LogLevel::kWarn : LogLevel::kDebug, kComponent,
        std::string("producer: ") + rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)) +
            ": " + reason);
  }

  static void Fail(Session* session, Status status) {
    std::lock_guard<std::mutex> lock(session->mu);
    if (session->failed.exchange(true)) return;
    session->failure = std::move(status);
    session->room.notify_all();
  }

  void RunSessions() {
    milliseconds backoff = kFirstBackoff;
    while (!stopping_) {
      uint64_t delivered = 0;
      bool started = false;
      const Status s = RunSession(&started, &delivered);
      if (stopping_) break;
      if (delivered > 0) backoff = kFirstBackoff;
      // A cluster that cannot be reached (or has no events topic yet) is waited out; a session
      // that ended after its start is an error.
      // A topic holding another log's events is an error too: waiting does not mend it.
      Log(started || s.IsCorruption() ? LogLevel::kError : LogLevel::kWarn, kComponent,
          std::string(started ? "session ended: " : "cannot start a session: ") + s.ToString() +
              "; next session in " + std::to_string(backoff.count()) + " ms");
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, backoff, [this] { return stopping_.load(); });
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }

  // Stores the published position every store_interval, and keeps the gauges current.
  void KeepPosition() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, options_.store_interval, [this] { return stopping_.load(); });
      lock.unlock();
      (void)StorePosition();
      lock.lock();
    }
  }

  Status StorePosition() {
    std::lock_guard<std::mutex> lock(store_mu_);
    const uint64_t published = published_.load();
    metrics_.Position(published, Lag());
    if (published == stored_) return Status::OK();
    Status s = kafka::WritePositionFile(options_.position_file, published);
    if (s.ok()) {
      stored_ = published;
      store_failing_ = false;
    } else if (!store_failing_) {
      store_failing_ = true;  // one line per failing streak, not one per interval
      LogError(kComponent, "cannot store the published position: " + s.ToString());
    }
    return s;
  }

  Status MakeProducer(Session* session, kafka::KafkaHandle* producer) {
    kafka::KafkaConf conf;
    Status s = kafka::MakeConf(options_.kafka, RelayProducerSettings(options_), &conf);
    if (!s.ok()) return s;
    rd_kafka_conf_set_opaque(conf.get(), session);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &RelayImpl::OnDelivery);
    rd_kafka_conf_set_error_cb(conf.get(), &RelayImpl::OnError);
    rd_kafka_conf_set_log_cb(conf.get(), &LogFromProducer);
    return kafka::MakeClient(RD_KAFKA_PRODUCER, std::move(conf), producer);
  }

  // What the topic holds: the partition count and the session's plan from the tail read.
  Status ReadTail(rd_kafka_t* producer, int32_t* partitions, kafka::TailPlan* plan) {
    const std::string& topic = options_.kafka.topics.events;
    // In short steps, so that Stop is not held up by an unreachable cluster.
    Status s;
    const auto deadline = Clock::now() + kMetadataTimeout;
    do {
      if (stopping_) return Status::Shutdown("the relay is stopping");
      s = kafka::PartitionCount(producer, topic, kMetadataStepMs, partitions);
    } while (s.IsTimedOut() && Clock::now() < deadline);
    std::vector<kafka::PartitionTail> tails;
    if (s.ok()) {
      s = kafka::ReadPartitionTails(options_.kafka, topic, *partitions, kTailTimeout, stopping_,
                                    &tails);
    }
    if (s.ok()) s = CheckTailsAreThisLogs(tails);
    if (!s.ok()) return s;
    *plan = kafka::PlanFromTails(tails, published_.load());
    std::string thresholds;
    for (size_t p = 0; p < plan->thresholds.size(); p++) {
      thresholds += (p == 0 ? "" : ",") + std::to_string(plan->thresholds[p]);
    }
    LogInfo(kComponent, "session starts topic=" + topic +
                            " partitions=" + std::to_string(*partitions) +
                            " published=" + std::to_string(published_.load()) +
                            " start=" + std::to_string(plan->start) + " thresholds=" + thresholds +
                            (plan->fresh_topic ? " fresh_topic=true" : "") +
                            (plan->remapped ? " partition_count_changed=true" : ""));
    if (plan->remapped) {
      LogWarn(kComponent,
              "the partition count of " + topic +
                  " changed since its last records: events after the stored position " +
                  std::to_string(plan->start) +
                  " are sent again rather than risk skipping one (duplicates possible)");
    }
    return Status::OK();
  }

  // A partition's last record must be this log's event at its position. One past the log's head
  // or with another event id was written from another log (a data folder reset while the
  // cluster kept its topic, or a foreign producer): taking its position as published would skip
  // this log's events silently, and publishing would mix two logs on one topic. No session
  // starts until the topic or the data folder is put right.
  Status CheckTailsAreThisLogs(const std::vector<kafka::PartitionTail>& tails) {
    const uint64_t head = log_->LastPosition();
    for (size_t p = 0; p < tails.size(); p++) {
      const kafka::PartitionTail& tail = tails[p];
      if (tail.high <= tail.low || tail.last_position == 0) continue;
      RecordedEvent event;
      Status s = tail.last_position <= head ? log_->Get(tail.last_position, &event)
                                            : Status::NotFound("past the log's head");
      if (!s.ok() && !s.IsNotFound()) return s;
      const std::string_view id = s.ok() && event.event().event_id() != nullptr
                                      ? event.event().event_id()->string_view()
                                      : std::string_view();
      if (s.ok() && id == tail.last_event_id) continue;
      s = Status::Corruption("relay.topic_from_another_log",
                             options_.kafka.topics.events + " [" + std::to_string(p) +
                                 "] ends with position " + std::to_string(tail.last_position) +
                                 " event_id=" + tail.last_event_id + ", which this log (head " +
                                 std::to_string(head) + ") does not hold");
      return s;
    }
    return Status::OK();
  }

  // One session; `started` once its tail read is done and it publishes.
  Status RunSession(bool* started, uint64_t* delivered) {
    Session session(this);
    kafka::KafkaHandle producer;
    Status s = MakeProducer(&session, &producer);
    int32_t partitions = 0;
    kafka::TailPlan plan;
    if (s.ok()) s = ReadTail(producer.get(), &partitions, &plan);
    if (!s.ok()) return s;
    *started = true;
    if (plan.fresh_topic) {
      // A topic that never held a record (a fresh or wiped cluster) has none of the events. The
      // file goes back to 0 before anything is sent: left ahead of the topic, a crash would
      // have the next session skip the events of every partition still empty.
      published_ = 0;
      s = StorePosition();
      if (!s.ok()) return s;
    }
    {
      // Nothing was produced yet, so no report can race with this.
      std::lock_guard<std::mutex> lock(session.mu);
      session.baseline = published_.load();
      session.tracker = kafka::DeliveryTracker(plan.start);
    }
    rd_kafka_topic_t* topic =
        rd_kafka_topic_new(producer.get(), options_.kafka.topics.events.c_str(), nullptr);
    s = Publish(producer.get(), topic, partitions, plan, &session);
    s = EndSession(producer.get(), &session, s);
    rd_kafka_topic_destroy(topic);
    producer.reset();
    *delivered = session.delivered;
    return s;
  }

  // Flushes (on Stop) or purges what is in flight, and says why the session ended.
  Status EndSession(rd_kafka_t* producer, Session* session, Status ended) {
    if (ended.ok() && stopping_ && !session->failed) {
      if (rd_kafka_flush(producer, static_cast<int>(options_.flush_timeout.count())) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        LogWarn(kComponent, std::to_string(rd_kafka_outq_len(producer)) +
                                " events unacknowledged at stop; the next start reads the tail");
      }
    }
    session->ending = true;
    rd_kafka_purge(producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    const auto deadline = Clock::now() + kPurgeWait;
    while (rd_kafka_outq_len(producer) > 0 && Clock::now() < deadline) {
      rd_kafka_poll(producer, 10);
    }
    if (!ended.ok()) return ended;
    std::lock_guard<std::mutex> lock(session->mu);
    return session->failed ? session->failure : Status::OK();
  }

  // Follows the log from the plan's start, sending every event above its partition's threshold.
  Status Publish(rd_kafka_t* producer, rd_kafka_topic_t* topic, int32_t partitions,
                 const kafka::TailPlan& plan, Session* session) {
    // Reports are served on a thread of their own, so acknowledgements flow while the sender
    // waits for the log.
    std::atomic<bool> polling{true};
    std::thread poller([&] {
      while (polling) rd_kafka_poll(producer, static_cast<int>(kWakeInterval.count()));
    });
    SubscriptionOptions sub_options;
    sub_options.after_position = plan.start;
    std::unique_ptr<Subscription> subscription;
    Status s = log_->Subscribe(sub_options, &subscription);
    EventMessage message;
    RecordedEvent event;
    while (s.ok() && !stopping_ && !session->failed) {
      {
        std::unique_lock<std::mutex> lock(session->mu);
        if (!session->room.wait_for(lock, kWakeInterval, [&] {
              return session->tracker.in_flight() < options_.max_in_flight || session->failed;
            })) {
          continue;
        }
      }
      s = subscription->Next(&event, kWakeInterval);
      if (s.IsTimedOut()) {
        s = Status::OK();
        continue;
      }
      if (!s.ok()) break;
      const uint64_t position = event.global_position();
      const int32_t partition =
          PartitionForTenant(event.event().tenant()->string_view(), partitions);
      if (position <= plan.thresholds[static_cast<size_t>(partition)]) {
        std::lock_guard<std::mutex> lock(session->mu);
        session->tracker.Skipped(position);
        metrics_.Skipped(1);
        Advance(session);
        continue;
      }
      s = EncodeEventMessage(event, options_.kafka.event_format, codec_.get(), &message);
      if (!s.ok()) break;
      {
        std::lock_guard<std::mutex> lock(session->mu);
        session->tracker.Sent(position);
      }
      s = Produce(producer, topic, partition, message, position, session);
    }
    polling = false;
    poller.join();
    return s;
  }

  Status Produce(rd_kafka_t* producer, rd_kafka_topic_t* topic, int32_t partition,
                 const EventMessage& message, uint64_t position, Session* session) {
    for (;;) {
      rd_kafka_headers_t* headers = rd_kafka_headers_new(message.headers.size());
      for (const auto& [name, value] : message.headers) {
        rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                            static_cast<ssize_t>(value.size()));
      }
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          producer, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_PARTITION(partition),
          RD_KAFKA_V_KEY(message.key.data(), message.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(message.value.data()), message.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
          RD_KAFKA_V_OPAQUE(PositionOpaque(position)), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();
      rd_kafka_headers_destroy(headers);  // taken over only on success
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return kafka::KafkaError(err, "producing position " + std::to_string(position));
      }
      // The producer's own queue is full (its byte limit): wait for acknowledgements.
      std::unique_lock<std::mutex> lock(session->mu);
      session->room.wait_for(lock, kWakeInterval);
      if (stopping_ || session->failed) return Status::OK();
    }
  }

  const EventRelayOptions options_;
  EventLog* const log_;
  const std::unique_ptr<EventJsonCodec> codec_;
  kafka::RelayMetrics metrics_;
  std::atomic<uint64_t> published_;

  std::mutex lifecycle_;  // one Start or Stop at a time
  std::mutex mu_;         // running_, and the waits of the session and keeper threads
  std::condition_variable wake_;
  bool running_ = false;
  std::atomic<bool> stopping_{false};
  std::thread sessions_, keeper_;

  std::mutex store_mu_;
  uint64_t stored_;
  bool store_failing_ = false;
};

}  // namespace

std::map<std::string, std::string> RelayProducerSettings(const EventRelayOptions& options) {
  // The producer queue holds at least what the relay lets be in flight.
  const size_t queued = std::clamp<size_t>(options.max_in_flight, 100000, 10000000);
  return {
      // Retries keep their order and write no duplicate; every replica has it when acknowledged.
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // A broker outage delays delivery, never fails it: no message times out.
      {"message.timeout.ms", "0"},
      // A delivery that fails anyway is a fatal error rather than a gap on the partition.
      {"enable.gapless.guarantee", "true"},
      {"linger.ms", "5"},
      // Room for every event the log takes (1 MiB by default; librdkafka's own default is
      // 1,000,000 bytes) with its key and headers, also as JSON (escapes swell it up to 6
      // times): an event the producer refuses holds the relay back for good.
      {"message.max.bytes", std::to_string(kMaxRecordBytes)},
      {"queue.buffering.max.messages", std::to_string(queued)},
  };
}

Status ReadPublishedPosition(const std::string& position_file, uint64_t* position) {
  *position = 0;
  Status s = kafka::ReadPositionFile(position_file, position);
  return s.IsNotFound() ? Status::OK() : s;
}

Status EventRelay::Open(const EventRelayOptions& options, EventLog* log,
                        std::unique_ptr<EventRelay>* relay) {
  if (log == nullptr) return Status::InvalidArgument("relay.no_log", "the relay needs a log");
  if (options.position_file.empty()) {
    return Status::InvalidArgument("relay.no_position_file", "the relay needs a position file");
  }
  if (options.max_in_flight == 0 || options.kafka.topics.events.empty()) {
    return Status::InvalidArgument("relay.bad_options", "max_in_flight and the topic are needed");
  }
  // Settings librdkafka refuses are the caller's to hear now, not a session's later.
  kafka::KafkaConf conf;
  Status s = kafka::MakeConf(options.kafka, RelayProducerSettings(options), &conf);
  if (!s.ok()) return s;
  std::unique_ptr<EventJsonCodec> codec;
  if (options.kafka.event_format == EventFormat::kJson) {
    s = EventJsonCodec::Create(&codec);
    if (!s.ok()) return s;
  }
  uint64_t stored = 0;
  s = kafka::ReadPositionFile(options.position_file, &stored);
  if (s.IsCorruption()) {
    // The tail read keeps a restart from 0 free of duplicates.
    LogWarn(kComponent, s.ToString() + "; starting from position 0");
    stored = 0;
  } else if (!s.ok() && !s.IsNotFound()) {
    return s;
  }
  const uint64_t head = log->LastPosition();
  if (stored > head) {
    LogWarn(kComponent, "stored position " + std::to_string(stored) + " is past the log's head " +
                            std::to_string(head) + "; using the head");
    stored = head;
  }
  relay->reset(new RelayImpl(options, log, stored, std::move(codec)));
  return Status::OK();
}

}  // namespace tandem
