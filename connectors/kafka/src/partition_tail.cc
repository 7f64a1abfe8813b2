#include "partition_tail.h"

#include <algorithm>

#include "kafka_log.h"
#include "rdkafka_client.h"
#include "tandem/basics/logger.h"
#include "tandem/kafka/event_message.h"
#include "tandem/kafka/record_header.h"

namespace tandem::kafka {
namespace {

using Clock = std::chrono::steady_clock;

// Each wait is short, so that a cancel is seen soon.
constexpr int kStepMs = 200;

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 1, kStepMs));
}

// The last value of the record's header `name`, empty when it has none.
std::string_view HeaderOf(const rd_kafka_message_t* m, const char* name) {
  return RecordHeader(m, name).value_or(std::string_view());
}

// The global position a record's header carries, 0 when it has none.
uint64_t PositionOf(rd_kafka_message_t* m) {
  uint64_t position = 0;
  if (!ParseGlobalPositionHeader(HeaderOf(m, event_headers::kGlobalPosition), &position).ok()) {
    return 0;
  }
  return position;
}

}  // namespace

Status ReadPartitionTails(const KafkaOptions& options, const std::string& topic, int32_t partitions,
                          std::chrono::milliseconds timeout, const std::atomic<bool>& cancel,
                          std::vector<PartitionTail>* tails) {
  const auto deadline = Clock::now() + timeout;
  KafkaConf conf;
  // Partitions are assigned, never subscribed: the group only names the reader (librdkafka
  // wants one for an assignment) and nothing is committed. An offset gone by the time it is
  // fetched (the record expired) is an error, not a silent jump to the end.
  Status s = MakeConf(options,
                      {{"group.id", "tandem.relay.tail"},
                       {"enable.auto.commit", "false"},
                       {"enable.auto.offset.store", "false"},
                       {"auto.offset.reset", "error"},
                       {"enable.partition.eof", "false"}},
                      &conf);
  KafkaHandle rk;
  if (s.ok()) {
    RouteKafkaLogs(conf.get());
    s = MakeClient(RD_KAFKA_CONSUMER, std::move(conf), &rk);
  }
  if (!s.ok()) return s;
  std::vector<PartitionTail> read(static_cast<size_t>(partitions));
  PartitionList wanted(rd_kafka_topic_partition_list_new(partitions));
  for (int32_t p = 0; p < partitions; p++) {
    PartitionTail& tail = read[static_cast<size_t>(p)];
    rd_kafka_resp_err_t err;
    do {
      if (cancel) return Status::Shutdown("the tail read was cancelled");
      err = rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &tail.low, &tail.high,
                                             RemainingMs(deadline));
    } while (err == RD_KAFKA_RESP_ERR__TIMED_OUT && Clock::now() < deadline);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(err, "watermarks of " + topic + " [" + std::to_string(p) + "]");
    }
    if (tail.high > tail.low) {
      rd_kafka_topic_partition_list_add(wanted.get(), topic.c_str(), p)->offset = tail.high - 1;
    }
  }
  int missing = wanted->cnt;
  if (missing > 0) {
    rd_kafka_resp_err_t err = rd_kafka_assign(rk.get(), wanted.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError(err, "assigning " + topic);
    std::vector<bool> got(static_cast<size_t>(partitions), false);
    while (missing > 0 && s.ok()) {
      if (Clock::now() >= deadline) {
        s = Status::TimedOut("reading the last record of " + topic);
        break;
      }
      if (cancel) {
        s = Status::Shutdown("the tail read was cancelled");
        break;
      }
      KafkaMessage m(rd_kafka_consumer_poll(rk.get(), RemainingMs(deadline)));
      if (!m) continue;
      const auto p = static_cast<size_t>(m->partition);
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        // Broker hiccups are retried by the client; a partition's offset out of range is not.
        if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
          s = KafkaError(m->err, "reading the last record of " + topic);
        }
        continue;
      }
      if (p >= got.size() || got[p] || m->offset < read[p].high - 1) continue;
      read[p].last_position = PositionOf(m.get());
      read[p].last_event_id = std::string(HeaderOf(m.get(), event_headers::kEventId));
      read[p].last_tenant = std::string(HeaderOf(m.get(), event_headers::kTenant));
      if (read[p].last_position == 0) {
        LogWarn("relay", "the last record of " + topic + " [" + std::to_string(p) +
                             "] carries no " + event_headers::kGlobalPosition);
      }
      got[p] = true;
      missing--;
    }
  }
  rd_kafka_consumer_close(rk.get());
  if (s.ok()) *tails = std::move(read);
  return s;
}

TailPlan PlanFromTails(const std::vector<PartitionTail>& tails, uint64_t stored) {
  TailPlan plan;
  plan.fresh_topic =
      std::all_of(tails.begin(), tails.end(), [](const PartitionTail& t) { return t.high == 0; });
  plan.thresholds.assign(tails.size(), 0);
  if (plan.fresh_topic) return plan;
  const auto count = static_cast<int32_t>(tails.size());
  for (size_t p = 0; p < tails.size(); p++) {
    const PartitionTail& t = tails[p];
    if (t.high > t.low && !t.last_tenant.empty() &&
        PartitionForTenant(t.last_tenant, count) != static_cast<int32_t>(p)) {
      plan.remapped = true;
    }
  }
  plan.start = stored;
  for (size_t p = 0; p < tails.size(); p++) {
    const PartitionTail& t = tails[p];
    const bool known = !plan.remapped && t.high > t.low && t.last_position > 0;
    plan.thresholds[p] = known ? t.last_position : stored;
    plan.start = std::min(plan.start, plan.thresholds[p]);
  }
  return plan;
}

}  // namespace tandem::kafka
