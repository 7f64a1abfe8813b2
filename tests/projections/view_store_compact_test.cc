// ViewStore::Compact: what `tandem rebuild` does before it returns. Compacting changes where
// rows live, never what a view holds: rows, appended lists and checkpoints read back the same,
// also after a reopen.
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>

#include "fault_file_system.h"
#include "tandem/projections/view_store.h"
#include "tandem/projections/views.h"
#include "test_util.h"
#include "view_json.h"
#include "view_store_util.h"

namespace tandem::test {
namespace {

class ViewStoreCompactTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() { ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &store_).ok()); }

  // Rows of `view` in many commits, a list grown by appends in each, and a checkpoint.
  void Fill(const std::string& view) {
    std::vector<std::unique_ptr<Projection>> projection;
    ASSERT_TRUE(MakeProjections({view}, &projection).ok());
    const uint32_t version = projection.front()->version();
    for (int i = 0; i < 50; ++i) {
      auto batch = store_->NewBatch();
      batch->Rows(view)->Put("row-" + std::to_string(i), "value-" + std::to_string(i));
      batch->Rows(view)->Append("list", "line-" + std::to_string(i) + "\n");
      batch->SetCheckpoint(view, {static_cast<uint64_t>(i + 1), version});
      ASSERT_TRUE(store_->Commit(batch.get()).ok());
    }
  }

  std::string Hash(const std::string& view) { return LiveHash(store_.get(), view); }

  ScratchDir dir_;
  std::unique_ptr<ViewStore> store_;
};

TEST_F(ViewStoreCompactTest, CompactingKeepsEveryRowListAndCheckpoint) {
  Fill("client-feed");
  const std::string before = Hash("client-feed");
  ASSERT_TRUE(store_->Compact({}).ok());
  EXPECT_EQ(Hash("client-feed"), before);
  store_.reset();
  Open();
  EXPECT_EQ(Hash("client-feed"), before);
  std::unique_ptr<ViewReader> reader;
  ASSERT_TRUE(store_->NewReader("client-feed", &reader).ok());
  EXPECT_EQ(reader->checkpoint().position, 50u);
  std::string list;
  ASSERT_TRUE(reader->Get("list", &list).ok());
  EXPECT_EQ(list.substr(0, 14), "line-0\nline-1\n");
  EXPECT_EQ(std::count(list.begin(), list.end(), '\n'), 50);
}

TEST_F(ViewStoreCompactTest, CompactingNamedViewsLeavesTheOthersAsTheyAre) {
  Fill("client-feed");
  Fill("action-items");
  const std::string feed = Hash("client-feed"), items = Hash("action-items");
  ASSERT_TRUE(store_->Compact({"action-items", "no-such-view"}).ok());
  EXPECT_EQ(Hash("client-feed"), feed);
  EXPECT_EQ(Hash("action-items"), items);
}

// Views are compacted two at a time: each still ends compacted (no table left in level 0, its
// memtable flushed), with its rows.
TEST_F(ViewStoreCompactTest, CompactingEveryViewLeavesEachCompactedWithItsRows) {
  const std::vector<std::string> views = {"client-feed", "action-items", "client-timeline",
                                          "internal-threads", "client-board"};
  std::map<std::string, std::string> before;
  for (const std::string& view : views) {
    Fill(view);
    before[view] = Hash(view);
  }
  ASSERT_TRUE(store_->Compact({}).ok());
  for (const std::string& view : views) EXPECT_EQ(Hash(view), before[view]) << view;
  store_.reset();
  // The tables as RocksDB lists them (files a compaction replaced may linger in the folder).
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::Options(), dir_.Sub("views"), &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::DBOptions options;
  ASSERT_TRUE(
      rocksdb::DB::OpenForReadOnly(options, dir_.Sub("views"), families, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::set<std::string> compacted;
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    rocksdb::ColumnFamilyMetaData meta;
    db->GetColumnFamilyMetaData(h, &meta);
    if (meta.file_count > 0 && !meta.levels.empty() && meta.levels[0].files.empty()) {
      compacted.insert(h->GetName());
    }
    db->DestroyColumnFamilyHandle(h);
  }
  for (const std::string& view : views) EXPECT_EQ(compacted.count(view), 1u) << view;
}

// A compaction that cannot write its tables (a full disk) ends Compact with the error, on
// whichever of its two threads it happened, and leaves every view's rows as they were.
TEST_F(ViewStoreCompactTest, ACompactionThatCannotWriteItsTablesReturnsTheErrorAndKeepsTheRows) {
  store_.reset();
  std::shared_ptr<FaultFileSystem> faults;
  ASSERT_TRUE(ViewStore::Open(WithFaults({}, &faults), dir_.Sub("views"), &store_).ok());
  const std::vector<std::string> views = {"client-feed", "action-items", "client-timeline"};
  std::map<std::string, std::string> before;
  for (const std::string& view : views) {
    Fill(view);
    before[view] = Hash(view);
  }
  faults->Inject(FaultOp::kCreate, ".sst");
  EXPECT_FALSE(store_->Compact({}).ok());
  faults->Heal();
  store_.reset();
  Open();
  for (const std::string& view : views) EXPECT_EQ(Hash(view), before[view]) << view;
}

// Found in review (2026-12-05): checking a reader's tables opened each again by name, and failed
// on those the writer had compacted away since the reader opened (`tandem verify` beside a
// running engine then said the views were damaged).
TEST_F(ViewStoreCompactTest, AReadersChecksumCheckSkipsTablesTheWriterCompactedAway) {
  Fill("client-feed");
  ASSERT_TRUE(store_->Compact({}).ok());
  std::unique_ptr<ViewStore> reader = OpenViewsReadOnly(dir_.Sub("views"));
  ASSERT_NE(reader, nullptr);
  Fill("client-feed");
  ASSERT_TRUE(store_->Compact({}).ok());  // the reader's tables are gone
  Status s = reader->VerifyChecksums();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(store_->VerifyChecksums().ok());
}

TEST_F(ViewStoreCompactTest, AReadOnlyStoreRefusesToCompact) {
  Fill("client-feed");
  ViewStoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  std::unique_ptr<ViewStore> reader;
  ASSERT_TRUE(ViewStore::Open(options, dir_.Sub("views"), &reader).ok());
  EXPECT_TRUE(reader->Compact({}).IsInvalidArgument());
}

}  // namespace
}  // namespace tandem::test
