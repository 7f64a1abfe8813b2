// A view created by this process answers a fold's lookup of a key it never wrote without
// reading the store (written_keys.h). What users see of it: nothing but speed. A row written in
// any way (put, appended, deleted, ingested, held behind) is found by the folds after it, a
// view opened from disk reads all it holds, and a view dropped reads none of its old rows.
#include <gtest/gtest.h>

#include <optional>

#include "tandem/projections/view_store.h"
#include "test_util.h"
#include "written_keys.h"

namespace tandem::test {
namespace {

constexpr char kView[] = "client-timeline";

class ViewStoreWrittenKeysTest : public ::testing::Test {
 protected:
  void Open(const ViewStoreOptions& options = ViewStoreOptions()) {
    store_.reset();
    ASSERT_TRUE(ViewStore::Open(options, dir_.Sub("views"), &store_).ok());
  }

  // Writes through `write` in a batch of its own, with `checkpoint` when given, committed.
  void Write(const std::function<void(ViewRows*)>& write,
             std::optional<ViewCheckpoint> checkpoint = std::nullopt) {
    auto batch = store_->NewBatch();
    write(batch->Rows(kView));
    if (checkpoint.has_value()) batch->SetCheckpoint(kView, *checkpoint);
    ASSERT_TRUE(store_->Commit(batch.get()).ok());
  }

  // The row `key` as the next batch's fold reads it; "(none)" when there is none.
  std::string ReadByAFold(const std::string& key) {
    auto batch = store_->NewBatch();
    std::string value;
    Status s = batch->Rows(kView)->Get(key, &value);
    if (s.IsNotFound()) return "(none)";
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }

  ScratchDir dir_;
  std::unique_ptr<ViewStore> store_;
};

TEST_F(ViewStoreWrittenKeysTest, ARowWrittenToANewViewIsFoundByTheFoldsAfterIt) {
  Open();
  Write([](ViewRows* rows) {
    rows->Put("put", "p");
    rows->Append("appended", "a1");
    rows->Put("deleted", "d");
  });
  Write([](ViewRows* rows) {
    rows->Append("appended", "a2");
    rows->Delete("deleted");
  });
  EXPECT_EQ(ReadByAFold("put"), "p");
  EXPECT_EQ(ReadByAFold("appended"), "a1a2");
  EXPECT_EQ(ReadByAFold("deleted"), "(none)");
  EXPECT_EQ(ReadByAFold("never"), "(none)");
}

// A batch's keys are known from its commit on, not from when it is destroyed.
TEST_F(ViewStoreWrittenKeysTest, ARowCommittedWhileAnotherBatchIsOpenIsFoundThroughIt) {
  Open();
  auto open = store_->NewBatch();
  ViewRows* reading = open->Rows(kView);
  auto writing = store_->NewBatch();
  writing->Rows(kView)->Put("row", "r");
  std::string value;
  EXPECT_TRUE(reading->Get("row", &value).IsNotFound());
  ASSERT_TRUE(store_->Commit(writing.get()).ok());
  ASSERT_TRUE(reading->Get("row", &value).ok());
  EXPECT_EQ(value, "r");
}

TEST_F(ViewStoreWrittenKeysTest, ARowIngestedIntoANewViewIsFoundByTheFoldsAfterIt) {
  ViewStoreOptions ingesting;
  ingesting.ingest_batch_bytes = 1;  // every commit written as tables and ingested
  Open(ingesting);
  Write([](ViewRows* rows) {
    for (int i = 0; i < 100; ++i) rows->Put("row" + std::to_string(i), std::to_string(i));
  });
  EXPECT_EQ(ReadByAFold("row42"), "42");
  EXPECT_EQ(ReadByAFold("row100"), "(none)");
}

TEST_F(ViewStoreWrittenKeysTest, ARowHeldBehindIsFoundByTheFoldsAfterIt) {
  ViewStoreOptions behind;
  behind.write_behind = std::chrono::milliseconds(60000);  // held for the whole test
  Open(behind);
  Write([](ViewRows* rows) { rows->Put("held", "h"); });
  EXPECT_EQ(ReadByAFold("held"), "h");
}

TEST_F(ViewStoreWrittenKeysTest, AViewOpenedFromDiskReadsTheRowsItHolds) {
  Open();
  Write([](ViewRows* rows) { rows->Put("kept", "k"); });
  Open();
  EXPECT_EQ(ReadByAFold("kept"), "k");
  Write([](ViewRows* rows) { rows->Put("later", "l"); });
  EXPECT_EQ(ReadByAFold("kept"), "k");
  EXPECT_EQ(ReadByAFold("later"), "l");
}

TEST_F(ViewStoreWrittenKeysTest, AViewDroppedAndCreatedAgainFindsNoneOfItsOldRows) {
  Open();
  Write([](ViewRows* rows) { rows->Put("old", "o"); });
  ASSERT_TRUE(store_->Drop(kView).ok());
  Write([](ViewRows* rows) { rows->Put("new", "n"); });
  EXPECT_EQ(ReadByAFold("old"), "(none)");
  EXPECT_EQ(ReadByAFold("new"), "n");
}

// A view being rebuilt: its checkpoint is behind the head it must reach before it is served.
const ViewCheckpoint kRebuilding{1, 1, 100};
const ViewCheckpoint kServed{100, 1, 0};
void Nothing(ViewRows*) {}

// Known keys would otherwise stay in `tandem serve` for its life, growing with the live rows.
TEST_F(ViewStoreWrittenKeysTest, AViewMarkedServedHoldsNoKnownKeysAndReadsAllItsRows) {
  Open();
  Write([](ViewRows* rows) { rows->Put("rebuilt", "r"); }, kRebuilding);
  EXPECT_GT(store_->ApproximateKnownKeysBytes(kView), 0u);
  Write([](ViewRows* rows) { rows->Put("last", "l"); }, kServed);
  EXPECT_EQ(store_->ApproximateKnownKeysBytes(kView), 0u);
  EXPECT_EQ(ReadByAFold("rebuilt"), "r");
  EXPECT_EQ(ReadByAFold("last"), "l");
  Write([](ViewRows* rows) { rows->Put("live", "v"); });
  EXPECT_EQ(ReadByAFold("live"), "v");
  EXPECT_EQ(ReadByAFold("never"), "(none)");
}

// The batch took the keys before they were forgotten; rows committed after must still be found.
TEST_F(ViewStoreWrittenKeysTest, ABatchOpenWhenItsViewIsServedFindsRowsCommittedAfter) {
  Open();
  Write([](ViewRows* rows) { rows->Put("first", "f"); });
  auto open = store_->NewBatch();
  ViewRows* reading = open->Rows(kView);
  Write(Nothing, kServed);
  Write([](ViewRows* rows) { rows->Put("after", "a"); });
  std::string value;
  ASSERT_TRUE(reading->Get("after", &value).ok());
  EXPECT_EQ(value, "a");
}

void Add(WrittenKeys* keys, std::initializer_list<std::string_view> added) {
  std::vector<size_t> hashes;
  for (std::string_view key : added) hashes.push_back(WrittenKeys::Hash(key));
  keys->Add(hashes);
}

TEST(WrittenKeysTest, OnlyAKeyNeverAddedIsSurelyAbsent) {
  WrittenKeys keys(10);
  Add(&keys, {"a"});
  EXPECT_TRUE(keys.MayHave("a"));
  EXPECT_FALSE(keys.MayHave("b"));
}

TEST(WrittenKeysTest, PastItsLimitEveryKeyMayBeThere) {
  WrittenKeys keys(3);
  Add(&keys, {"a", "b"});
  Add(&keys, {"c", "d"});
  EXPECT_TRUE(keys.MayHave("a"));
  EXPECT_TRUE(keys.MayHave("never added"));
}

TEST(WrittenKeysTest, ForgottenKeysMayAllBeThereAndHoldNoMemory) {
  WrittenKeys keys(10);
  Add(&keys, {"a"});
  keys.Forget();
  EXPECT_TRUE(keys.MayHave("never added"));
  EXPECT_EQ(keys.ApproximateBytes(), 0u);
  Add(&keys, {"b"});
  EXPECT_EQ(keys.ApproximateBytes(), 0u);
}

}  // namespace
}  // namespace tandem::test
