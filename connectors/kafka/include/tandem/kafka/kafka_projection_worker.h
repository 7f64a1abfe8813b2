// KafkaProjectionWorker: one projection fed from the events topic by a Kafka consumer group,
// the same fold code as the log-fed ProjectionRunner, in a process of its own.
//
// Contract:
//  - Each batch's view changes and the consumed offsets of its partitions go in one ViewStore
//    commit: a crash or a rebalance neither loses an event nor applies one twice. Offsets are
//    the worker's own (never committed to Kafka); on assignment it seeks to its stored offsets
//    (the beginning for a partition it never had).
//  - Events are partitioned by tenant, so each tenant's events arrive in log order, and the view
//    holds, per partition it was assigned, exactly the events up to its stored offset. A worker
//    that has consumed every partition to the end hashes like the log-fed view (HashView).
//  - Every record passes the FlatBuffers verifier; one that does not (or lacks the headers) is
//    logged with its partition and offset, counted (tandem_worker_skipped_records_total), and
//    skipped without stopping the worker. A record at or below the partition's last folded
//    global position is skipped too (defence against a producer that duplicates).
//  - A stored view of another projection version is dropped and refolded from the beginning;
//    so is one that cannot be resumed from: damaged offsets or checkpoint, folded from the log
//    (a checkpoint without offsets), or fed from another topic.
//  - A view folded from the beginning, or assigned a partition it never read (or left before
//    its end), is not served (view.not_built) until each such partition reaches its end (the
//    consumer's end-of-partition; ViewCheckpoint::kReadyWhenCaughtUp meanwhile). Nothing waits
//    on a broker: a partition whose leader is away keeps the view unserved, the others fold.
//  - Its checkpoint's position is the highest global position folded (for display: the view
//    holds its partitions' events, not a prefix of the log).
//  - Open refuses a JSON events topic (InvalidArgument kafka.worker_needs_flatbuffers) and a
//    topic name starting with '^' (librdkafka's pattern; kafka.bad_worker_options).
//  - Records the worker never got to read (a partition's records removed by retention before
//    the worker reached them: the next record read lies past the stored offset) are logged as
//    an error naming the partition and the offsets, and counted
//    (tandem_worker_unread_records_total): the view misses them and should be rebuilt.
//  - With metrics set: tandem_worker_events_folded_total{projection},
//    tandem_worker_skipped_records_total{projection,reason} (no_position, unverifiable,
//    duplicate), tandem_worker_unread_records_total{projection},
//    tandem_worker_position{projection}, tandem_worker_lag_records{projection}.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tandem/basics/status.h"
#include "tandem/kafka/kafka_options.h"
#include "tandem/projections/projection.h"
#include "tandem/projections/view_store.h"

namespace prometheus {
class Registry;
}

namespace tandem {

struct KafkaWorkerOptions {
  KafkaOptions kafka;
  std::string group = "tandem-projections";
  size_t max_batch_events = 1000;
  std::chrono::milliseconds max_batch_delay{5};
  prometheus::Registry* metrics = nullptr;
  // Called on the worker's thread after each commit, once per partition the commit advanced,
  // with the highest global position now folded from it: every event of that partition up to
  // there is in the view's rows (readable once the view is served, above). For live pushes and
  // latency measurements; must be quick.
  std::function<void(int32_t partition, uint64_t last_position)> on_commit;
};

class KafkaProjectionWorker {
 public:
  // `store` must outlive the worker.
  static Status Open(const KafkaWorkerOptions& options, std::unique_ptr<Projection> projection,
                     ViewStore* store, std::unique_ptr<KafkaProjectionWorker>* worker);
  virtual ~KafkaProjectionWorker() = default;
  // Joins the group and folds on a thread of its own until Stop (which commits the batch in
  // progress and leaves the group, handing its partitions back).
  virtual Status Start() = 0;
  virtual Status Stop() = 0;
  // Events folded, records skipped and records never read (see above) since Open.
  virtual uint64_t EventsFolded() const = 0;
  virtual uint64_t RecordsSkipped() const = 0;
  virtual uint64_t RecordsNeverRead() const = 0;
};

}  // namespace tandem
