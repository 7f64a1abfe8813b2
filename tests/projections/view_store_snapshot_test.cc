// Readers of one ViewSnapshot see every view as of the same commit, whatever is committed after;
// a snapshot works only with the views database it was taken of.
#include <gtest/gtest.h>

#include "tandem/projections/view_store.h"
#include "test_util.h"

namespace tandem::test {
namespace {

class ViewStoreSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &store_).ok());
  }
  void TearDown() override { store_.reset(); }

  // Row "row" of both views set to `value`, with checkpoint `position`, in one commit.
  void CommitBoth(const std::string& value, uint64_t position) {
    auto batch = store_->NewBatch();
    for (const char* view : {"directory", "client-threads"}) {
      batch->Rows(view)->Put("row", value);
      batch->SetCheckpoint(view, {position, 1});
    }
    ASSERT_TRUE(store_->Commit(batch.get()).ok());
  }

  // The view's row and checkpoint as a reader with `options` sees them.
  std::pair<std::string, uint64_t> Read(const std::string& view, const ReaderOptions& options) {
    std::unique_ptr<ViewReader> reader;
    EXPECT_TRUE(store_->NewReader(view, options, &reader).ok());
    if (reader == nullptr) return {};
    std::string value;
    EXPECT_TRUE(reader->Get("row", &value).ok());
    return {value, reader->checkpoint().position};
  }

  ScratchDir dir_;
  std::unique_ptr<ViewStore> store_;
};

TEST_F(ViewStoreSnapshotTest, ReadersOfOneSnapshotSeeEveryViewAsOfItWhileCommitsGoOn) {
  CommitBoth("first", 10);
  ReaderOptions options;
  ASSERT_TRUE(store_->NewSnapshot(&options.snapshot).ok());
  const auto directory = Read("directory", options);  // opened before the next commit
  CommitBoth("second", 20);
  const auto threads = Read("client-threads", options);  // opened after it
  EXPECT_EQ(directory, std::make_pair(std::string("first"), uint64_t{10}));
  EXPECT_EQ(threads, std::make_pair(std::string("first"), uint64_t{10}));
  EXPECT_EQ(Read("client-threads", ReaderOptions()),
            std::make_pair(std::string("second"), uint64_t{20}));
}

TEST_F(ViewStoreSnapshotTest, ASnapshotOfAnotherViewsDatabaseIsRefused) {
  std::unique_ptr<ViewStore> other;
  ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("other"), &other).ok());
  ReaderOptions options;
  ASSERT_TRUE(other->NewSnapshot(&options.snapshot).ok());
  std::unique_ptr<ViewReader> reader;
  EXPECT_TRUE(store_->NewReader("directory", options, &reader).IsInvalidArgument());
  EXPECT_EQ(reader, nullptr);
}

// Against the contract, but a shared snapshot is easily kept by mistake: the store releases it as
// it closes, and dropping it afterwards touches nothing that is gone.
TEST_F(ViewStoreSnapshotTest, ASnapshotKeptPastItsStoreIsReleasedSafely) {
  CommitBoth("first", 10);
  std::shared_ptr<const ViewSnapshot> kept;
  ASSERT_TRUE(store_->NewSnapshot(&kept).ok());
  std::shared_ptr<const ViewSnapshot> copy = kept;
  store_.reset();
  kept.reset();
  copy.reset();
  ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &store_).ok());
  EXPECT_EQ(Read("directory", ReaderOptions()), std::make_pair(std::string("first"), uint64_t{10}));
}

}  // namespace
}  // namespace tandem::test
