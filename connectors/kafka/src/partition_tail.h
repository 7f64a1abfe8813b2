// The relay's tail read: what each partition of the events topic already holds, read before a
// session sends anything, and the thresholds the session derives from it. An event at or below
// its partition's threshold is on the topic already and is skipped, so a relay that crashed
// after Kafka acknowledged events but before it stored its position publishes none twice.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tandem/basics/status.h"
#include "tandem/kafka/kafka_options.h"

namespace tandem::kafka {

struct PartitionTail {
  int64_t low = 0, high = 0;  // watermarks: offsets of the first record and after the last
  // When high > low: the tandem.global_position of the record at high - 1, or 0 when that
  // record carries no valid one (a record the relay did not write).
  uint64_t last_position = 0;
  // The tandem.event_id of that record: with its position, it tells whether the topic holds
  // this log's events or another's (a data folder reset while the cluster kept its topic).
  std::string last_event_id;
  // Its tandem.tenant: a tenant the current partition count puts elsewhere says the count
  // changed since the record was written.
  std::string last_tenant;
};

// Watermarks of every partition of `topic` and the last record of each non-empty one, read by
// a consumer of its own (no group). TimedOut when the cluster does not answer within `timeout`;
// Shutdown soon after `cancel` turns true.
Status ReadPartitionTails(const KafkaOptions& options, const std::string& topic, int32_t partitions,
                          std::chrono::milliseconds timeout, const std::atomic<bool>& cancel,
                          std::vector<PartitionTail>* tails);

struct TailPlan {
  // No partition ever held a record: a fresh or wiped cluster, which gets every event again.
  bool fresh_topic = false;
  // Per partition: events at or below are on the topic already.
  std::vector<uint64_t> thresholds;
  // Where the session's subscription starts (the first event delivered is start + 1).
  uint64_t start = 0;
  // Some partition's last record belongs to a tenant the current count puts on another
  // partition: the partition count grew since. A partition's last record then says nothing of
  // the tenants now mapped to it, so every partition takes the stored position.
  bool remapped = false;
};

// The thresholds for `tails` given the stored published position: a partition's last record's
// position; the stored position for a partition with nothing to read (never written while
// others were, or every record expired) or a last record without a position, and for every
// partition once the count changed (`remapped`: what Kafka acknowledged past the stored
// position may be sent again, but nothing is skipped that is not on the topic); 0 everywhere
// for a topic that never held a record.
TailPlan PlanFromTails(const std::vector<PartitionTail>& tails, uint64_t stored);

}  // namespace tandem::kafka
