// The world the Kafka-fed worker tests fold: six firms shaped like the standard world's
// northwind, spread over the four partitions of the events topic (two partitions hold two
// firms each, so their events interleave there), with the crash test's activity; and the
// hashes a worker's view is compared with.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "crash_activity.h"
#include "publish_log.h"
#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/event_message.h"
#include "tandem/kafka/kafka_projection_worker.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/views.h"
#include "view_store_util.h"

namespace tandem::test {

constexpr int32_t kWorkerPartitions = 4;

// Partitions 3, 0, 1, 2, 0, 3 (murmur2 of the tenant, 4 partitions).
inline const std::vector<std::string>& WorkerTenants() {
  static const std::vector<std::string> kTenants = {"northwind", "amber", "grove",
                                                    "dune",      "birch", "cedar"};
  return kTenants;
}

// The firms, then `commands` commands drawn from the crash activity of a random firm each.
inline void BuildWorkerWorld(CommandWorld* world, int commands, uint64_t seed) {
  std::vector<CrashActivity> activity;
  for (size_t i = 0; i < WorkerTenants().size(); i++) {
    const std::string& t = WorkerTenants()[i];
    // Each firm its own link token: a token is global in report-links (see the README).
    world->BuildFirm(t, "Firm " + t, std::string(63, 'a') + "0123456789"[i]);
    PlanCrashMilestones(world, t);
    activity.emplace_back("w" + std::to_string(seed), seed * 31 + i, t);
  }
  std::mt19937_64 pick(seed);
  for (int i = 0; i < commands; i++) {
    (void)world->Run(activity[pick() % activity.size()].Next());
  }
}

// What every worker test starts from: the embedded cluster with the events topic, the world
// built by `commands` commands, and a producer that publishes it as the relay would.
struct WorkerScene {
  std::unique_ptr<EmbeddedKafkaCluster> cluster;
  std::unique_ptr<CommandWorld> world;
  std::unique_ptr<TestProducer> producer;
};

inline void StartWorkerScene(const std::string& world_dir, int commands, uint64_t seed,
                             WorkerScene* scene) {
  EmbeddedClusterOptions options;
  options.partitions = kWorkerPartitions;
  options.topics = {KafkaTopics().events};
  ASSERT_TRUE(EmbeddedKafkaCluster::Start(options, &scene->cluster).ok());
  scene->world = std::make_unique<CommandWorld>(world_dir);
  BuildWorkerWorld(scene->world.get(), commands, seed);
  scene->producer = std::make_unique<TestProducer>(scene->cluster->bootstrap(),
                                                   KafkaTopics().events, kWorkerPartitions);
}

inline std::string HashIn(ViewSource* source, const std::string& view) {
  std::string hex;
  Status s = HashView(source, view, &hex);
  if (s.IsNotFound()) return "not built";
  EXPECT_TRUE(s.ok()) << view << ": " << s.ToString();
  return hex;
}

// The view as a query reads it: "not built" while it is not served.
inline std::string HashOf(ViewStore* store, const std::string& view) {
  std::unique_ptr<ViewSource> source;
  EXPECT_TRUE(OpenLiveViewSource(store, &source).ok());
  return HashIn(source.get(), view);
}

// The view's rows as stored, served or not (a worker killed before its partitions' ends).
inline std::string StoredHashOf(ViewStore* store, const std::string& view) {
  ViewCheckpoint checkpoint;
  EXPECT_TRUE(store->GetCheckpoint(view, &checkpoint).ok());
  if (checkpoint.version == 0) return "not built";
  StoredRowsSource source(store);
  return HashIn(&source, view);
}

// A started worker folding `view` into `store` from the cluster at `bootstrap`, in `group`.
inline std::unique_ptr<KafkaProjectionWorker> StartKafkaWorker(KafkaWorkerOptions options,
                                                               const std::string& bootstrap,
                                                               const std::string& group,
                                                               const std::string& view,
                                                               ViewStore* store) {
  options.kafka.bootstrap = bootstrap;
  options.group = group;
  // The mock cluster lets a new member of a group someone just left wait for a session
  // timeout (45 s by default) before it is assigned: short sessions keep the tests short.
  options.kafka.client_config = {{"session.timeout.ms", "5000"}, {"heartbeat.interval.ms", "300"}};
  std::vector<std::unique_ptr<Projection>> projections;
  EXPECT_TRUE(MakeProjections({view}, &projections).ok());
  std::unique_ptr<KafkaProjectionWorker> worker;
  Status s = KafkaProjectionWorker::Open(options, std::move(projections.front()), store, &worker);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (s.ok()) s = worker->Start();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return worker;
}

// The log-fed views: a ProjectionRunner folds the whole log into `views_dir`.
inline std::map<std::string, std::string> LogFedHashes(EventLog* log, const std::string& views_dir,
                                                       const std::vector<std::string>& views) {
  std::unique_ptr<ViewStore> store;
  EXPECT_TRUE(ViewStore::Open(ViewStoreOptions(), views_dir, &store).ok());
  std::vector<std::unique_ptr<Projection>> projections;
  EXPECT_TRUE(MakeProjections(views, &projections).ok());
  std::unique_ptr<ProjectionRunner> runner;
  EXPECT_TRUE(ProjectionRunner::Open(ProjectionRunnerOptions(), log, store.get(),
                                     std::move(projections), &runner)
                  .ok());
  EXPECT_TRUE(runner->CatchUp().ok());
  runner.reset();
  std::map<std::string, std::string> hashes;
  for (const std::string& view : views) hashes[view] = HashOf(store.get(), view);
  return hashes;
}

// What a Kafka-fed view with these next offsets must hold: the log's events that were the
// first next_offsets[p] records of their partition p, folded in log order (in one batch, into
// `views_dir`). The records of a partition are the log's events of its tenants, in log order.
inline std::string ExpectedHash(EventLog* log, const std::string& views_dir,
                                const std::string& view,
                                const std::map<int32_t, int64_t>& next_offsets) {
  std::unique_ptr<ViewStore> store;
  EXPECT_TRUE(ViewStore::Open(ViewStoreOptions(), views_dir, &store).ok());
  std::vector<std::unique_ptr<Projection>> projections;
  EXPECT_TRUE(MakeProjections({view}, &projections).ok());
  Projection* projection = projections.front().get();
  auto batch = store->NewBatch();
  std::map<int32_t, int64_t> seen;
  uint64_t last = 0;
  std::vector<RecordedEvent> page;
  for (uint64_t next = 1;; next = page.back().global_position() + 1) {
    EXPECT_TRUE(log->ReadAll(next, ReadOptions(), &page).ok());
    if (page.empty()) break;
    for (const RecordedEvent& e : page) {
      const int32_t p = PartitionForTenant(e.event().tenant()->str(), kWorkerPartitions);
      auto limit = next_offsets.find(p);
      if (seen[p]++ >= (limit == next_offsets.end() ? 0 : limit->second)) continue;
      EXPECT_TRUE(projection->Apply(e.event(), batch->Rows(view)).ok());
      last = e.global_position();
    }
  }
  if (last == 0) return "not built";
  EXPECT_TRUE(projection->Flush(batch->Rows(view)).ok());
  batch->SetCheckpoint(view, {last, projection->version()});
  EXPECT_TRUE(store->Commit(batch.get()).ok());
  batch.reset();
  return HashOf(store.get(), view);
}

// The next offsets a view stored, per partition (the store opened read-only, so a running
// worker may hold it).
inline std::map<int32_t, int64_t> StoredOffsets(const std::string& views_dir,
                                                const std::string& view) {
  ViewStoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  std::unique_ptr<ViewStore> store;
  std::map<int32_t, int64_t> out;
  if (!ViewStore::Open(options, views_dir, &store).ok()) return out;
  std::vector<SourceOffset> offsets;
  EXPECT_TRUE(store->GetSourceOffsets(view, &offsets).ok());
  for (const SourceOffset& o : offsets) out[o.partition] = o.next_offset;
  return out;
}

// Whether the view a worker stored is served (the store opened read-only, as above).
inline bool StoredServed(const std::string& views_dir, const std::string& view) {
  ViewStoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  std::unique_ptr<ViewStore> store;
  ViewCheckpoint c;
  return ViewStore::Open(options, views_dir, &store).ok() && store->GetCheckpoint(view, &c).ok() &&
         c.version != 0 && c.ready_at == 0;
}

// Comments anchored to milestones, as the log holds them and as a timeline view counts them
// (client and internal comments of every milestone of every firm's projects).
inline uint64_t LogMilestoneComments(EventLog* log) {
  uint64_t n = 0;
  std::vector<RecordedEvent> page;
  for (uint64_t next = 1;; next = page.back().global_position() + 1) {
    EXPECT_TRUE(log->ReadAll(next, ReadOptions(), &page).ok());
    if (page.empty()) break;
    for (const RecordedEvent& r : page) {
      const auto* c = r.event().payload_as_CommentPosted();
      if (c != nullptr && c->anchor() != nullptr &&
          c->anchor()->kind() == schema::AnchorKind::Milestone) {
        n++;
      }
    }
  }
  return n;
}

// The counts rows of the timeline (key parts tenant, project, "n", milestone; value
// {"client": N, "internal": M}), read raw: a worker's folder holds no directory to read through.
inline uint64_t TimelineMilestoneComments(ViewStore* store, const std::string& view) {
  std::unique_ptr<ViewReader> reader;
  EXPECT_TRUE(store->NewReader(view, &reader).ok());
  const std::string counts_part("\x00\x01n\x00\x01", 5);
  uint64_t n = 0, rows = 0;
  EXPECT_TRUE(reader
                  ->Scan("",
                         [&](std::string_view key, std::string_view value) {
                           if (key.find(counts_part) == std::string_view::npos) return true;
                           boost::system::error_code ec;
                           boost::json::value v = boost::json::parse(value, ec);
                           if (ec || !v.is_object() || v.as_object().size() != 2) return true;
                           n += v.at("client").to_number<uint64_t>() +
                                v.at("internal").to_number<uint64_t>();
                           rows++;
                           return true;
                         })
                  .ok());
  EXPECT_GT(rows, 0u);
  return n;
}

}  // namespace tandem::test
