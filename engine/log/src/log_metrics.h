// The event log's Prometheus metrics. All members are null when no registry was given, and
// every recording call is then a no-op.
#pragma once

#include <cstdint>

namespace prometheus {
class Registry;
class Counter;
class Histogram;
class Gauge;
}  // namespace prometheus

namespace tandem {

class LogMetrics {
 public:
  explicit LogMetrics(prometheus::Registry* registry);

  void AppendCommitted(uint64_t events);
  void AppendDeduplicated();
  void AppendConflicted();
  void AppendFailed();
  // One group-commit write: how many events it carried and how long the synced write took.
  void GroupCommit(uint64_t events, double write_seconds);
  void LastPosition(uint64_t position);
  // The journal filled up and started over after a WAL sync.
  void JournalWrapped();
  // An open re-applied `events` from the journal that RocksDB's files had lost.
  void JournalRecovered(uint64_t events);

 private:
  prometheus::Counter* appends_ok_ = nullptr;
  prometheus::Counter* appends_deduplicated_ = nullptr;
  prometheus::Counter* appends_conflict_ = nullptr;
  prometheus::Counter* appends_error_ = nullptr;
  prometheus::Counter* events_ = nullptr;
  prometheus::Histogram* batch_events_ = nullptr;
  prometheus::Histogram* write_seconds_ = nullptr;
  prometheus::Gauge* last_position_ = nullptr;
  prometheus::Counter* journal_wraps_ = nullptr;
  prometheus::Counter* journal_recovered_events_ = nullptr;
};

}  // namespace tandem
