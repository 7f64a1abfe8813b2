// A view's checkpoint: where its rows stand, the version that folded them, and for a view being
// folded again the position it is served from; read back as written, across a reopen, with the
// rows written beside it.
#include <gtest/gtest.h>

#include <filesystem>

#include "fault_file_system.h"
#include "tandem/projections/view_store.h"
#include "test_util.h"
#include "view_store_util.h"

namespace tandem::test {
namespace {

class ViewStoreCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() { ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &store_).ok()); }

  void Commit(const ViewCheckpoint& checkpoint) {
    auto batch = store_->NewBatch();
    batch->SetCheckpoint("client-timeline", checkpoint);
    EXPECT_TRUE(store_->Commit(batch.get()).ok());
  }

  ViewCheckpoint WrittenAndReadBack(const ViewCheckpoint& written) {
    Commit(written);
    store_.reset();
    Open();
    ViewCheckpoint read;
    EXPECT_TRUE(store_->GetCheckpoint("client-timeline", &read).ok());
    return read;
  }

  ScratchDir dir_;
  std::unique_ptr<ViewStore> store_;
};

TEST_F(ViewStoreCheckpointTest, AViewBeingFoldedAgainKeepsThePositionItIsServedFrom) {
  const ViewCheckpoint read = WrittenAndReadBack({12, 3, 4711});
  EXPECT_EQ(read.position, 12u);
  EXPECT_EQ(read.version, 3u);
  EXPECT_EQ(read.ready_at, 4711u);
}

TEST_F(ViewStoreCheckpointTest, AViewNotBeingFoldedAgainIsServedFromAnyPosition) {
  const ViewCheckpoint read = WrittenAndReadBack({4711, 3});
  EXPECT_EQ(read.position, 4711u);
  EXPECT_EQ(read.ready_at, 0u);
}

TEST_F(ViewStoreCheckpointTest, ALaterCheckpointWithoutAReadyPositionReplacesOneWithIt) {
  Commit({0, 3, 4711});
  const ViewCheckpoint read = WrittenAndReadBack({4711, 3});
  EXPECT_EQ(read.ready_at, 0u);
}

// What ties the view to the log it was folded from (a restored log may hold other events at the
// same position), with and without a position to be served from.
TEST_F(ViewStoreCheckpointTest, ACheckpointKeepsTheDigestOfTheLogsRecordAtItsPosition) {
  const std::string digest(64, 'c');
  EXPECT_EQ(WrittenAndReadBack({12, 3, 4711, digest}).record_sha256, digest);
  const ViewCheckpoint served = WrittenAndReadBack({4711, 3, 0, digest});
  EXPECT_EQ(served.position, 4711u);
  EXPECT_EQ(served.ready_at, 0u);
  EXPECT_EQ(served.record_sha256, digest);
}

// A view written from elsewhere without a digest (a worker fed from Kafka) keeps none from before,
// even at the same position.
TEST_F(ViewStoreCheckpointTest, ACheckpointWithoutADigestReplacesOneWithIt) {
  Commit({12, 3, 0, std::string(64, 'c')});
  EXPECT_EQ(WrittenAndReadBack({12, 3}).record_sha256, "");
}

// A catch-up round reserves room for its view's rows (BatchOptions): what it writes is the same.
TEST_F(ViewStoreCheckpointTest, ABatchMadeWithRoomForItsRowsWritesThemWithItsCheckpoint) {
  BatchOptions roomy;
  roomy.reserve_bytes = 8 << 20;
  auto batch = store_->NewBatch(roomy);
  ViewRows* rows = batch->Rows("client-timeline");
  for (int i = 0; i < 1000; ++i) rows->Put("row" + std::to_string(i), std::string(100, 'x'));
  batch->SetCheckpoint("client-timeline", {1000, 3});
  ASSERT_TRUE(store_->Commit(batch.get()).ok());
  batch.reset();  // it holds the view's column family
  store_.reset();
  Open();
  std::unique_ptr<ViewReader> reader;
  ASSERT_TRUE(store_->NewReader("client-timeline", &reader).ok());
  EXPECT_EQ(reader->checkpoint().position, 1000u);
  std::string value;
  ASSERT_TRUE(reader->Get("row999", &value).ok());
  EXPECT_EQ(value, std::string(100, 'x'));
}

// A batch folding several views is one write: a view whose storage cannot be made fails the
// batch, and no other view's rows or checkpoint move without it.
TEST_F(ViewStoreCheckpointTest, ABatchWithAViewThatCannotBeCreatedWritesNoView) {
  store_.reset();
  std::shared_ptr<FaultFileSystem> faults;
  ASSERT_TRUE(ViewStore::Open(WithFaults({}, &faults), dir_.Sub("faulty"), &store_).ok());
  Commit({1, 3});
  // Creating a view's column family records it in the MANIFEST: that write fails.
  std::string manifest;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.Sub("faulty"))) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("MANIFEST-")) manifest = name;
  }
  ASSERT_FALSE(manifest.empty());
  faults->Inject(FaultOp::kAppend, manifest);
  auto batch = store_->NewBatch();
  batch->Rows("internal-timeline")->Put("row", "new view");
  batch->SetCheckpoint("internal-timeline", {2, 3});
  batch->Rows("client-timeline")->Put("row", "existing view");
  batch->SetCheckpoint("client-timeline", {2, 3});
  EXPECT_FALSE(store_->Commit(batch.get()).ok());
  ViewCheckpoint existing;
  ASSERT_TRUE(store_->GetCheckpoint("client-timeline", &existing).ok());
  EXPECT_EQ(existing.position, 1u);
  std::unique_ptr<ViewReader> reader;
  ASSERT_TRUE(store_->NewReader("client-timeline", &reader).ok());
  std::string value;
  EXPECT_TRUE(reader->Get("row", &value).IsNotFound());
}

}  // namespace
}  // namespace tandem::test
