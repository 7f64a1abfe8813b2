// A Kafka-fed view folded from the beginning is never served part-built: it waits for every
// partition assigned to it to reach its end (the worker's fold, without librdkafka: the records
// are the log's events, offered as the topic would hold them, and the ends as the consumer
// reports them). The worker against the embedded cluster: kafka_worker_test.
#include <gtest/gtest.h>

#include "command_world.h"
#include "tandem/kafka/event_message.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/views.h"
#include "view_store_util.h"
#include "worker_fold.h"

namespace tandem::test {
namespace {

using kafka::RecordOutcome;
using kafka::WorkerFold;
using kafka::WorkerRecord;

constexpr char kView[] = "client-threads";

class WorkerFoldReadyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<CommandWorld>(dir_.Sub("world"));
    world_->BuildStandard();
    ASSERT_GT(world_->log()->LastPosition(), 20u);
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &store_).ok());
    std::vector<RecordedEvent> page;
    for (uint64_t next = 1;; next = page.back().global_position() + 1) {
      ASSERT_TRUE(world_->log()->ReadAll(next, ReadOptions(), &page).ok());
      if (page.empty()) break;
      for (const RecordedEvent& e : page) {
        EventMessage m;
        ASSERT_TRUE(EncodeEventMessage(e, EventFormat::kFlatBuffers, nullptr, &m).ok());
        records_.push_back(std::move(m));
      }
    }
  }

  std::unique_ptr<WorkerFold> LoadFold() {
    std::vector<std::unique_ptr<Projection>> p;
    EXPECT_TRUE(MakeProjections({kView}, &p).ok());
    auto fold = std::make_unique<WorkerFold>(std::move(p.front()), store_.get(), "events");
    EXPECT_TRUE(fold->Load().ok());
    return fold;
  }

  // Offers the log's events [from, to) as offsets from..to-1 of `partition`, then commits.
  void FoldRecords(WorkerFold* fold, int32_t partition, size_t from, size_t to) {
    OfferRecords(fold, partition, from, to);
    ASSERT_TRUE(fold->Commit().ok());
  }

  // The same, into the batch in progress only.
  void OfferRecords(WorkerFold* fold, int32_t partition, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      std::string header;
      for (const auto& [k, v] : records_[i].headers) {
        if (k == event_headers::kGlobalPosition) header = v;
      }
      WorkerRecord r;
      r.partition = partition;
      r.offset = static_cast<int64_t>(i);
      r.value = records_[i].value;
      r.position_header = header;
      RecordOutcome outcome;
      ASSERT_TRUE(fold->Offer(r, &outcome).ok());
      ASSERT_EQ(outcome, RecordOutcome::kFolded);
    }
  }

  // The end of `partition` at `offset`, committed.
  void ReachEnd(WorkerFold* fold, int32_t partition, int64_t offset) {
    fold->ReachedEnd(partition, offset);
    ASSERT_TRUE(fold->Commit().ok());
  }

  std::unique_ptr<ProjectionRunner> OpenRunner() {
    std::vector<std::unique_ptr<Projection>> projections;
    EXPECT_TRUE(MakeProjections({kView}, &projections).ok());
    std::unique_ptr<ProjectionRunner> runner;
    EXPECT_TRUE(ProjectionRunner::Open(ProjectionRunnerOptions(), world_->log(), store_.get(),
                                       std::move(projections), &runner)
                    .ok());
    return runner;
  }

  // Partitions 0 and 1 assigned; 0 folded to its end (offset 10), 1 from 10 to 15 only.
  void ZeroToItsEndAndOneInPart(WorkerFold* fold) {
    fold->Assigned(0);
    fold->Assigned(1);
    FoldRecords(fold, 0, 0, 10);
    ReachEnd(fold, 0, 10);
    FoldRecords(fold, 1, 10, 15);
  }

  // Folds offsets [from, mid) of `partition`: not served; then [mid, end) and the partition's
  // end: served.
  void ExpectServedOnlyAtTheEnd(WorkerFold* fold, int32_t partition, size_t from, size_t mid,
                                size_t end) {
    FoldRecords(fold, partition, from, mid);
    EXPECT_EQ(Served().reason(), "view.not_built");
    FoldRecords(fold, partition, mid, end);
    ReachEnd(fold, partition, static_cast<int64_t>(end));
    EXPECT_TRUE(Served().ok()) << Served().ToString();
  }

  // What a query gets: OK when the view is served.
  Status Served() { return ServedStatus(store_.get(), kView); }

  int64_t all() const { return static_cast<int64_t>(records_.size()); }

  ScratchDir dir_;
  std::unique_ptr<CommandWorld> world_;
  std::unique_ptr<ViewStore> store_;
  std::vector<EventMessage> records_;
};

TEST_F(WorkerFoldReadyTest, AViewFoldedFromTheBeginningIsServedOnlyOnceItsPartitionReachesItsEnd) {
  auto fold = LoadFold();
  fold->Assigned(0);
  FoldRecords(fold.get(), 0, 0, 5);
  EXPECT_EQ(Served().reason(), "view.not_built");
  FoldRecords(fold.get(), 0, 5, records_.size());
  EXPECT_EQ(Served().reason(), "view.not_built");  // every record, but no end seen yet
  ReachEnd(fold.get(), 0, all());
  EXPECT_TRUE(Served().ok()) << Served().ToString();
  EXPECT_TRUE(fold->ready());
}

TEST_F(WorkerFoldReadyTest, AViewWaitsForEveryAssignedPartition) {
  auto fold = LoadFold();
  fold->Assigned(0);
  fold->Assigned(1);
  FoldRecords(fold.get(), 0, 0, 10);
  ReachEnd(fold.get(), 0, 10);
  EXPECT_EQ(Served().reason(), "view.not_built");
  FoldRecords(fold.get(), 1, 10, records_.size());
  ReachEnd(fold.get(), 1, all());
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, AnEmptyTopicGivesAnEmptyServedView) {
  auto fold = LoadFold();
  fold->Assigned(0);
  ReachEnd(fold.get(), 0, 0);
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, APartitionRetentionEmptiedCountsItsRecordsAsNeverReadAndIsNoWait) {
  auto fold = LoadFold();
  fold->Assigned(0);
  int64_t unread = 0;
  fold->ReachedEnd(0, 40, &unread);  // the topic holds none of its 40 records any more
  ASSERT_TRUE(fold->Commit().ok());
  EXPECT_EQ(unread, 40);
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, AFoldTheProcessStoppedInStaysUnservedWhenTheWorkerComesBack) {
  {
    auto fold = LoadFold();
    fold->Assigned(0);
    FoldRecords(fold.get(), 0, 0, 5);
  }
  auto fold = LoadFold();
  EXPECT_FALSE(fold->ready());
  fold->Assigned(0);
  ExpectServedOnlyAtTheEnd(fold.get(), 0, 5, 10, records_.size());
}

TEST_F(WorkerFoldReadyTest, AServedViewWithAnEmptyPartitionStaysServedAcrossARestart) {
  {
    auto fold = LoadFold();
    fold->Assigned(0);
    fold->Assigned(1);
    FoldRecords(fold.get(), 0, 0, 5);
    ReachEnd(fold.get(), 0, 5);
    ReachEnd(fold.get(), 1, 0);  // no record ever
    ASSERT_TRUE(Served().ok());
  }
  auto fold = LoadFold();
  EXPECT_TRUE(fold->ready());
  fold->Assigned(1);
  fold->Assigned(0);
  FoldRecords(fold.get(), 0, 5, 8);  // behind the topic's end now: lagging, not part-built
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, APartitionTheViewNeverReadLeavesItUnservedUntilItReachesItsEnd) {
  auto fold = LoadFold();
  fold->Assigned(0);
  FoldRecords(fold.get(), 0, 0, 10);
  ReachEnd(fold.get(), 0, 10);
  ASSERT_TRUE(Served().ok());
  fold->Assigned(1);  // a rebalance hands it a partition another worker had
  ExpectServedOnlyAtTheEnd(fold.get(), 1, 10, 15, records_.size());
}

TEST_F(WorkerFoldReadyTest, APartitionRevokedBeforeItsEndIsWaitedForWhenItComesBack) {
  auto fold = LoadFold();
  fold->Assigned(0);
  fold->Assigned(1);
  FoldRecords(fold.get(), 1, 10, 15);
  fold->Revoked(1);  // the worker that has it now folds it to its end
  FoldRecords(fold.get(), 0, 0, 10);
  ReachEnd(fold.get(), 0, 10);
  ASSERT_TRUE(Served().ok());
  fold->Assigned(1);  // back, read only in part
  ExpectServedOnlyAtTheEnd(fold.get(), 1, 15, 20, records_.size());
}

TEST_F(WorkerFoldReadyTest, APartitionRevokedBeforeItsEndIsWaitedForAfterARestartToo) {
  {
    auto fold = LoadFold();
    fold->Assigned(0);
    fold->Assigned(1);
    FoldRecords(fold.get(), 1, 10, 15);
    fold->Revoked(1);
    FoldRecords(fold.get(), 0, 0, 10);
    ReachEnd(fold.get(), 0, 10);
    ASSERT_TRUE(Served().ok());
  }
  auto fold = LoadFold();  // restarted; a rebalance hands partition 1 back
  fold->Assigned(0);
  fold->Assigned(1);
  FoldRecords(fold.get(), 1, 15, 20);
  EXPECT_EQ(Served().reason(), "view.not_built");
  ReachEnd(fold.get(), 1, 20);
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, AViewRelievedOfTheLastPartitionItWaitedForIsServedAtTheNextCommit) {
  auto fold = LoadFold();
  ZeroToItsEndAndOneInPart(fold.get());
  ASSERT_EQ(Served().reason(), "view.not_built");
  fold->Revoked(1);  // nothing left to wait for, and no record to carry the news
  ASSERT_TRUE(fold->Commit().ok());
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, ACommitThatWasToServeTheViewAndFailedIsMadeAgain) {
  auto fold = LoadFold();
  ZeroToItsEndAndOneInPart(fold.get());
  fold->Revoked(1);
  fold->Forget();  // its commit failed (a full disk): forgotten
  ASSERT_TRUE(fold->Commit().ok());
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, AnEagerRebalanceHandingBackOnlyPartitionsReadToTheirEndsServesTheView) {
  auto fold = LoadFold();
  fold->Assigned(0);
  FoldRecords(fold.get(), 0, 0, 10);
  ReachEnd(fold.get(), 0, 10);
  fold->Assigned(1);  // never read
  FoldRecords(fold.get(), 1, 10, 15);
  ASSERT_EQ(Served().reason(), "view.not_built");
  fold->Revoked(0);  // eager: everything revoked...
  fold->Revoked(1);
  fold->Assigned(0);  // ...and partition 0 alone handed back
  ASSERT_TRUE(fold->Commit().ok());
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, APartitionRevokedWithRecordsNotYetCommittedIsStoredUnfinished) {
  {
    auto fold = LoadFold();
    fold->Assigned(0);
    fold->Assigned(1);
    OfferRecords(fold.get(), 1, 10, 15);
    fold->Revoked(1);  // its records are committed with the next batch
    FoldRecords(fold.get(), 0, 0, 10);
    ReachEnd(fold.get(), 0, 10);
    ASSERT_TRUE(Served().ok());
  }
  auto fold = LoadFold();
  fold->Assigned(0);
  fold->Assigned(1);
  FoldRecords(fold.get(), 1, 15, 20);
  EXPECT_EQ(Served().reason(), "view.not_built");
}

TEST_F(WorkerFoldReadyTest, ADroppedViewWaitsForEveryAssignedPartitionAgain) {
  auto fold = LoadFold();
  fold->Assigned(0);
  fold->Assigned(1);
  ReachEnd(fold.get(), 0, 0);
  ReachEnd(fold.get(), 1, 0);
  ASSERT_TRUE(fold->ready());
  ASSERT_TRUE(fold->DropView().ok());  // e.g. its rows turned out damaged
  EXPECT_FALSE(fold->ready());
  FoldRecords(fold.get(), 0, 0, 5);
  ReachEnd(fold.get(), 0, 5);
  EXPECT_EQ(Served().reason(), "view.not_built");
  ReachEnd(fold.get(), 1, 0);
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, AnEndReachedInABatchThatFailedIsWaitedForAgain) {
  auto fold = LoadFold();
  fold->Assigned(0);
  FoldRecords(fold.get(), 0, 0, 5);
  fold->ReachedEnd(0, 5);
  fold->Forget();  // the batch could not be committed: the partition is read again
  FoldRecords(fold.get(), 0, 5, 6);
  EXPECT_EQ(Served().reason(), "view.not_built");
}

TEST_F(WorkerFoldReadyTest, AViewALogFedRunnerDroppedStaysUnservedUntilTheWorkerCaughtUp) {
  std::unique_ptr<ProjectionRunner> runner = OpenRunner();
  runner.reset();  // stopped before its first round: the view is dropped with its mark
  ViewCheckpoint c;
  ASSERT_TRUE(store_->GetCheckpoint(kView, &c).ok());
  ASSERT_NE(c.ready_at, 0u);
  auto fold = LoadFold();
  EXPECT_FALSE(fold->ready());
  fold->Assigned(0);
  FoldRecords(fold.get(), 0, 0, records_.size());
  EXPECT_EQ(Served().reason(), "view.not_built");
  ReachEnd(fold.get(), 0, all());
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

TEST_F(WorkerFoldReadyTest, ALogFedRunnerFoldsAgainAViewAWorkerBuiltOnAnEmptyTopic) {
  {
    auto fold = LoadFold();
    fold->Assigned(0);
    ReachEnd(fold.get(), 0, 0);
    ASSERT_TRUE(Served().ok());
  }
  std::unique_ptr<ProjectionRunner> runner = OpenRunner();
  EXPECT_EQ(Served().reason(), "view.not_built");  // not the worker's empty view
  ASSERT_TRUE(runner->CatchUp().ok());
  EXPECT_TRUE(Served().ok()) << Served().ToString();
}

}  // namespace
}  // namespace tandem::test
