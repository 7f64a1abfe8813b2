// Source offsets kept with a view (what a Kafka-fed worker resumes from): committed with the
// rows in one write, read back per view, dropped with the view, and never seen as rows.
#include <gtest/gtest.h>

#include "tandem/projections/view_store.h"
#include "tandem/projections/views.h"
#include "test_util.h"
#include "view_json.h"

namespace tandem::test {
namespace {

class ViewStoreOffsetsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() { ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &store_).ok()); }

  // One row and a checkpoint and, when `offsets`, two partitions' offsets, in one commit.
  void CommitRow(const std::string& view, const std::string& key, bool offsets) {
    std::vector<std::unique_ptr<Projection>> projection;
    ASSERT_TRUE(MakeProjections({view}, &projection).ok());
    auto batch = store_->NewBatch();
    batch->Rows(view)->Put(key, "value-" + key);
    batch->SetCheckpoint(view, {4711, projection.front()->version()});
    if (offsets) {
      batch->SetSourceOffset(view, {"tandem.events", 3, 120, 4711});
      batch->SetSourceOffset(view, {"tandem.events", 0, 7, 99});
    }
    ASSERT_TRUE(store_->Commit(batch.get()).ok());
  }

  std::string Hash(const std::string& view) { return LiveHash(store_.get(), view); }

  ScratchDir dir_;
  std::unique_ptr<ViewStore> store_;
};

TEST_F(ViewStoreOffsetsTest, OffsetsCommittedWithRowsAreReadBackPerViewAfterReopen) {
  CommitRow("client-timeline", "a", true);
  CommitRow("action-items", "a", false);
  store_.reset();
  Open();
  std::vector<SourceOffset> offsets;
  ASSERT_TRUE(store_->GetSourceOffsets("client-timeline", &offsets).ok());
  ASSERT_EQ(offsets.size(), 2u);
  EXPECT_EQ(offsets[0].topic, "tandem.events");
  EXPECT_EQ(offsets[0].partition, 0);
  EXPECT_EQ(offsets[0].next_offset, 7);
  EXPECT_EQ(offsets[0].last_position, 99u);
  EXPECT_EQ(offsets[1].partition, 3);
  EXPECT_EQ(offsets[1].next_offset, 120);
  EXPECT_EQ(offsets[1].last_position, 4711u);
  ASSERT_TRUE(store_->GetSourceOffsets("action-items", &offsets).ok());
  EXPECT_TRUE(offsets.empty());
  ASSERT_TRUE(store_->GetSourceOffsets("never-built", &offsets).ok());
  EXPECT_TRUE(offsets.empty());
}

TEST_F(ViewStoreOffsetsTest, ALaterCommitReplacesAPartitionsOffset) {
  CommitRow("client-timeline", "a", true);
  auto batch = store_->NewBatch();
  batch->SetSourceOffset("client-timeline", {"tandem.events", 3, 150, 5000});
  ASSERT_TRUE(store_->Commit(batch.get()).ok());
  std::vector<SourceOffset> offsets;
  ASSERT_TRUE(store_->GetSourceOffsets("client-timeline", &offsets).ok());
  ASSERT_EQ(offsets.size(), 2u);
  EXPECT_EQ(offsets[1].next_offset, 150);
  EXPECT_EQ(offsets[1].last_position, 5000u);
}

TEST_F(ViewStoreOffsetsTest,
       AnUnfinishedPartitionIsReadBackAsUnfinishedUntilALaterCommitFinishesIt) {
  CommitRow("client-timeline", "a", true);  // offsets as every worker stored them before
  auto batch = store_->NewBatch();
  SourceOffset unfinished{"tandem.events", 3, 150, 5000};
  unfinished.unfinished = true;
  batch->SetSourceOffset("client-timeline", unfinished);
  ASSERT_TRUE(store_->Commit(batch.get()).ok());
  batch.reset();
  store_.reset();
  Open();
  std::vector<SourceOffset> offsets;
  ASSERT_TRUE(store_->GetSourceOffsets("client-timeline", &offsets).ok());
  ASSERT_EQ(offsets.size(), 2u);
  EXPECT_FALSE(offsets[0].unfinished);
  EXPECT_TRUE(offsets[1].unfinished);
  EXPECT_EQ(offsets[1].next_offset, 150);
  batch = store_->NewBatch();
  batch->SetSourceOffset("client-timeline", {"tandem.events", 3, 160, 5001});
  ASSERT_TRUE(store_->Commit(batch.get()).ok());
  ASSERT_TRUE(store_->GetSourceOffsets("client-timeline", &offsets).ok());
  EXPECT_FALSE(offsets[1].unfinished);
}

TEST_F(ViewStoreOffsetsTest, RowsScansReadersAndHashesNeverSeeOffsets) {
  CommitRow("client-timeline", "a", true);
  CommitRow("internal-timeline", "a", false);
  EXPECT_EQ(Hash("client-timeline"), Hash("internal-timeline"));

  std::unique_ptr<ViewReader> reader;
  ASSERT_TRUE(store_->NewReader("client-timeline", &reader).ok());
  int rows = 0;
  ASSERT_TRUE(reader
                  ->Scan("",
                         [&](std::string_view key, std::string_view) {
                           EXPECT_EQ(key, "a");
                           return ++rows > 0;
                         })
                  .ok());
  EXPECT_EQ(rows, 1);
  // Also a scan whose prefix is the reserved one, and a direct read of a reserved key.
  ASSERT_TRUE(reader
                  ->Scan(std::string("\x00\x02", 2),
                         [&](std::string_view, std::string_view) {
                           ADD_FAILURE() << "a reserved key was scanned";
                           return true;
                         })
                  .ok());
  std::string value;
  EXPECT_TRUE(reader->Get(std::string("\x00\x02offset", 8), &value).IsNotFound());

  // A fold reading through a batch sees no reserved key either.
  auto batch = store_->NewBatch();
  ViewRows* fold_rows = batch->Rows("client-timeline");
  rows = 0;
  ASSERT_TRUE(
      fold_rows->Scan("", [&](std::string_view, std::string_view) { return ++rows > 0; }).ok());
  EXPECT_EQ(rows, 1);
  EXPECT_TRUE(fold_rows->Get(std::string("\x00\x02checkpoint", 12), &value).IsNotFound());
}

TEST_F(ViewStoreOffsetsTest, DroppingAViewDropsItsOffsets) {
  CommitRow("client-timeline", "a", true);
  ASSERT_TRUE(store_->Drop("client-timeline").ok());
  std::vector<SourceOffset> offsets;
  ASSERT_TRUE(store_->GetSourceOffsets("client-timeline", &offsets).ok());
  EXPECT_TRUE(offsets.empty());
  ViewCheckpoint checkpoint;
  ASSERT_TRUE(store_->GetCheckpoint("client-timeline", &checkpoint).ok());
  EXPECT_EQ(checkpoint.position, 0u);
}

}  // namespace
}  // namespace tandem::test
