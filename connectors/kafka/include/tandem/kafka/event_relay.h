// EventRelay: publishes every event committed to the log to the events topic, exactly once.
//
// Contract:
//  - Follows the log through its subscription (only durable events), from its published
//    position: the contiguous prefix of events whose delivery Kafka acknowledged. That position
//    is stored durably in `position_file` and advanced only from delivery reports.
//  - Idempotent producer, acks=all, unlimited delivery time: a broker outage delays delivery,
//    never reorders or drops it. Appends never wait for the relay; its lag (log head minus
//    published position) grows meanwhile (metric tandem_relay_lag_events).
//  - No duplicates, also across a crash of the relay: before sending anything, each session
//    reads the last record of every partition of the topic and skips every event whose global
//    position is at or below what that partition already holds. A topic with no record at all
//    (a fresh or wiped cluster, e.g. the embedded one after a restart) gets every event again,
//    and the published position starts over from 0 (stored before anything is sent). A partition
//    whose last record is not this log's event at its position (past the head, another event id)
//    starts no session (Corruption relay.topic_from_another_log, logged, retried): the topic holds
//    another log's events. After the partition count changed (a partition's last record belongs
//    to a tenant the count now puts elsewhere), every partition skips only up to the stored
//    position: nothing is skipped that is not on the topic, but a crash may leave duplicates.
//    A missing or damaged position file is read as 0 (damage is logged): the tail read still
//    keeps the topic free of duplicates.
//  - A fatal producer error or a failed delivery ends the session: it is logged, the producer
//    is dropped and a new session (a new tail read) starts after a backoff (100 ms to 5 s).
//    Nothing past an event that could not be delivered is published before it (the producer's
//    gapless guarantee).
//  - At most `max_in_flight` events are handed to the producer and not yet acknowledged, so
//    memory stays bounded however long Kafka is away.
//  - Thread-safe; Stop flushes what is in flight (up to `flush_timeout`) and stores the
//    published position.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "tandem/basics/status.h"
#include "tandem/kafka/kafka_options.h"
#include "tandem/log/event_log.h"

namespace prometheus {
class Registry;
}

namespace tandem {

struct EventRelayOptions {
  KafkaOptions kafka;
  // Where the published position is kept, e.g. `<data>/relay.position`.
  std::string position_file;
  size_t max_in_flight = 100000;
  std::chrono::milliseconds flush_timeout{10000};
  // How often the published position is written (it is also written on Stop).
  std::chrono::milliseconds store_interval{100};
  // When set, tandem_relay_* metrics are registered here. Must outlive the relay.
  prometheus::Registry* metrics = nullptr;
};

class EventRelay {
 public:
  // `log` must outlive the relay.
  static Status Open(const EventRelayOptions& options, EventLog* log,
                     std::unique_ptr<EventRelay>* relay);
  virtual ~EventRelay() = default;
  // Starts publishing on a thread of its own. Errors of a session (a fatal producer error) are
  // logged and a new session starts with a fresh tail read.
  virtual Status Start() = 0;
  virtual Status Stop() = 0;
  // The last position of the contiguous prefix Kafka has acknowledged.
  virtual uint64_t PublishedPosition() const = 0;
  // Log head minus published position.
  virtual uint64_t Lag() const = 0;
};

// The published position stored in `position_file` (0 when there is none; Corruption
// relay.bad_position_file when it is damaged); for `tandem status` from another process.
Status ReadPublishedPosition(const std::string& position_file, uint64_t* position);

// The librdkafka properties of the relay's producer, before KafkaOptions::client_config (which
// wins): for tools that measure a plain producer against the relay with the same settings.
std::map<std::string, std::string> RelayProducerSettings(const EventRelayOptions& options);

}  // namespace tandem
