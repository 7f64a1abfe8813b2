// What an open of the views database has to replay: its write-ahead log stays bounded while
// live rounds write every view's checkpoint, and is empty once a writer closes the database,
// so a reader (`tandem view`) opens a large views database as fast as a new one.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tandem/projections/view_store.h"
#include "test_util.h"

namespace tandem::test {
namespace {

// Rounds as a live runner commits them: about `bytes` of rows in one view, and in each round a
// checkpoint of a second view that gets no rows (it alone would keep every file alive).
void CommitRounds(ViewStore* store, uint64_t bytes) {
  const std::string value(4000, 'v');
  uint64_t round = 0;
  for (uint64_t written = 0; written < bytes; written += 10 * value.size()) {
    ++round;
    auto batch = store->NewBatch();
    for (int k = 0; k < 10; ++k) {
      batch->Rows("client-feed")->Put("row-" + std::to_string(round * 10 + k), value);
    }
    batch->SetCheckpoint("client-feed", {round, 1});
    batch->SetCheckpoint("report-links", {round, 1});
    ASSERT_TRUE(store->Commit(batch.get()).ok());
  }
}

TEST(ViewStoreWalTest, TheWriteAheadLogStaysBoundedWhileViewsAreWritten) {
  ScratchDir dir;
  ViewStoreOptions options;
  options.max_wal_bytes = 1 << 20;
  std::unique_ptr<ViewStore> store;
  ASSERT_TRUE(ViewStore::Open(options, dir.Sub("views"), &store).ok());
  CommitRounds(store.get(), 16 << 20);
  // The bound and the file being written past it. Flushes run behind the writes, and files
  // are switched by a write: a writer that goes on, as a live runner does, gets there.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (WriteAheadLogBytes(dir.Sub("views")) >= (4u << 20) &&
         std::chrono::steady_clock::now() < deadline) {
    CommitRounds(store.get(), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LT(WriteAheadLogBytes(dir.Sub("views")), 4u << 20);
}

TEST(ViewStoreWalTest, AClosedViewsDatabaseLeavesNothingToReplay) {
  ScratchDir dir;
  std::unique_ptr<ViewStore> store;
  ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir.Sub("views"), &store).ok());
  CommitRounds(store.get(), 4 << 20);
  ASSERT_GT(WriteAheadLogBytes(dir.Sub("views")), 1u << 20);
  store.reset();
  EXPECT_EQ(WriteAheadLogBytes(dir.Sub("views")), 0u);
  ViewStoreOptions read_only;
  read_only.read_only = true;
  read_only.create_if_missing = false;
  ASSERT_TRUE(ViewStore::Open(read_only, dir.Sub("views"), &store).ok());
  ViewCheckpoint checkpoint;
  ASSERT_TRUE(store->GetCheckpoint("report-links", &checkpoint).ok());
  EXPECT_EQ(checkpoint.position, (4u << 20) / 40000 + 1);
}

}  // namespace
}  // namespace tandem::test
