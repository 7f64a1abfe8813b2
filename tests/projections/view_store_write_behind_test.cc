// A views database writing behind (ViewStoreOptions::write_behind): buffered commits are read in
// the process at once and written to RocksDB later, each row once. What readers in the process
// and outside see, before and after the write; appended rows never counted twice; snapshots
// that neither see later commits nor lose rows a flush took to RocksDB; a kill, a failed write.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "child_process.h"
#include "fault_file_system.h"
#include "tandem/projections/view_store.h"
#include "test_util.h"
#include "view_store_util.h"

namespace tandem::test {
namespace {

constexpr char kView[] = "client-feed";

// Never written by the store's thread during a test: only FlushCommits, a big batch, a drop or
// the close write.
ViewStoreOptions Behind(std::chrono::milliseconds interval = std::chrono::hours(1)) {
  ViewStoreOptions options;
  options.write_behind = interval;
  return options;
}

std::unique_ptr<ViewStore> Open(const std::string& path, const ViewStoreOptions& options) {
  std::unique_ptr<ViewStore> store;
  Status s = ViewStore::Open(options, path, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

enum class Change { kPut, kAppend, kDelete };

void Commit(ViewStore* store, uint64_t position, Change change, const std::string& key,
            const std::string& bytes = "") {
  auto batch = store->NewBatch();
  ViewRows* rows = batch->Rows(kView);
  if (change == Change::kPut) rows->Put(key, bytes);
  if (change == Change::kAppend) rows->Append(key, bytes);
  if (change == Change::kDelete) rows->Delete(key);
  batch->SetCheckpoint(kView, {position, 1});
  CommitOptions options;
  options.buffered = true;
  Status s = store->Commit(batch.get(), options);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

// The row through `reader`; "<absent>" when it has none.
std::string Row(const ViewReader& reader, const std::string& key) {
  std::string value;
  Status s = reader.Get(key, &value);
  if (s.IsNotFound()) return "<absent>";
  EXPECT_TRUE(s.ok()) << s.ToString();
  return value;
}

std::unique_ptr<ViewReader> Reader(ViewStore* store,
                                   std::shared_ptr<const ViewSnapshot> snapshot = nullptr) {
  ReaderOptions options;
  options.snapshot = std::move(snapshot);
  std::unique_ptr<ViewReader> reader;
  Status s = store->NewReader(kView, options, &reader);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return reader;
}

// The row as a reader in another process sees it, and the view's checkpoint there.
std::string RowFromOutside(const std::string& path, const std::string& key,
                           uint64_t* checkpoint = nullptr) {
  std::unique_ptr<ViewStore> store = OpenViewsReadOnly(path);
  if (store == nullptr) return "<no store>";
  std::unique_ptr<ViewReader> reader = Reader(store.get());
  if (reader == nullptr) return "<no reader>";
  if (checkpoint != nullptr) *checkpoint = reader->checkpoint().position;
  return Row(*reader, key);
}

// Every row a scan of the view visits, as "key=value;".
std::string Scanned(const ViewReader& reader) {
  std::string out;
  Status s = reader.Scan("", [&](std::string_view key, std::string_view value) {
    out.append(key).append("=").append(value).append(";");
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(ViewStoreWriteBehindTest, ACommitIsReadInTheProcessAtOnceAndOutsideOnceWritten) {
  ScratchDir dir;
  auto store = Open(dir.Sub("views"), Behind());
  ASSERT_TRUE(store->writes_behind());
  Commit(store.get(), 7, Change::kPut, "row", "value");
  auto reader = Reader(store.get());
  EXPECT_EQ(Row(*reader, "row"), "value");
  EXPECT_EQ(reader->checkpoint().position, 7u);
  uint64_t outside = 0;
  EXPECT_EQ(RowFromOutside(dir.Sub("views"), "row", &outside), "<absent>");
  EXPECT_EQ(outside, 0u);
  ASSERT_TRUE(store->FlushCommits().ok());
  EXPECT_EQ(RowFromOutside(dir.Sub("views"), "row", &outside), "value");
  EXPECT_EQ(outside, 7u);
}

TEST(ViewStoreWriteBehindTest, TheStoreWritesHeldCommitsOnItsOwnWithinItsInterval) {
  ScratchDir dir;
  auto store = Open(dir.Sub("views"), Behind(std::chrono::milliseconds(20)));
  Commit(store.get(), 1, Change::kPut, "row", "value");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  uint64_t outside = 0;
  while (outside != 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    RowFromOutside(dir.Sub("views"), "row", &outside);
  }
  EXPECT_EQ(outside, 1u);
}

TEST(ViewStoreWriteBehindTest, AppendedBytesAreReadOnceBeforeAndAfterTheWrite) {
  ScratchDir dir;
  auto store = Open(dir.Sub("views"), Behind());
  Commit(store.get(), 1, Change::kPut, "list", "a");
  ASSERT_TRUE(store->FlushCommits().ok());
  Commit(store.get(), 2, Change::kAppend, "list", "b");
  Commit(store.get(), 3, Change::kAppend, "list", "c");
  Commit(store.get(), 3, Change::kAppend, "fresh", "x");  // appended to a row that never was
  std::shared_ptr<const ViewSnapshot> before;
  ASSERT_TRUE(store->NewSnapshot(&before).ok());
  EXPECT_EQ(Row(*Reader(store.get()), "list"), "abc");
  ASSERT_TRUE(store->FlushCommits().ok());
  EXPECT_EQ(Row(*Reader(store.get(), before), "list"), "abc");
  EXPECT_EQ(Row(*Reader(store.get()), "list"), "abc");
  EXPECT_EQ(Row(*Reader(store.get()), "fresh"), "x");
  EXPECT_EQ(RowFromOutside(dir.Sub("views"), "list"), "abc");
  // The fold's own reads (through a batch) see the latest commit too.
  auto batch = store->NewBatch();
  std::string value;
  ASSERT_TRUE(batch->Rows(kView)->Get("list", &value).ok());
  EXPECT_EQ(value, "abc");
}

TEST(ViewStoreWriteBehindTest, ASnapshotSeesNeitherLaterCommitsNorLosesRowsWrittenSince) {
  ScratchDir dir;
  auto store = Open(dir.Sub("views"), Behind());
  Commit(store.get(), 1, Change::kPut, "row", "v1");
  Commit(store.get(), 2, Change::kPut, "gone", "here");
  Commit(store.get(), 3, Change::kAppend, "list", "a");
  std::shared_ptr<const ViewSnapshot> then;
  ASSERT_TRUE(store->NewSnapshot(&then).ok());
  Commit(store.get(), 4, Change::kPut, "row", "v2");
  Commit(store.get(), 5, Change::kDelete, "gone");
  Commit(store.get(), 6, Change::kAppend, "list", "b");
  ASSERT_TRUE(store->FlushCommits().ok());  // writes 1-6 and forgets what no reader needs
  Commit(store.get(), 7, Change::kAppend, "list", "c");
  ASSERT_TRUE(store->FlushCommits().ok());
  auto old = Reader(store.get(), then);
  EXPECT_EQ(old->checkpoint().position, 3u);
  EXPECT_EQ(Row(*old, "row"), "v1");
  EXPECT_EQ(Row(*old, "gone"), "here");
  EXPECT_EQ(Row(*old, "list"), "a");
  EXPECT_EQ(Scanned(*old), "gone=here;list=a;row=v1;");
  auto now = Reader(store.get());
  EXPECT_EQ(now->checkpoint().position, 7u);
  EXPECT_EQ(Scanned(*now), "list=abc;row=v2;");
}

TEST(ViewStoreWriteBehindTest, AScanMergesHeldRowsIntoWrittenOnesInKeyOrder) {
  ScratchDir dir;
  auto store = Open(dir.Sub("views"), Behind());
  Commit(store.get(), 1, Change::kPut, "a", "1");
  Commit(store.get(), 2, Change::kPut, "c", "3");
  Commit(store.get(), 3, Change::kPut, "e", "5");
  ASSERT_TRUE(store->FlushCommits().ok());
  Commit(store.get(), 4, Change::kPut, "b", "2");
  Commit(store.get(), 5, Change::kDelete, "c");
  Commit(store.get(), 6, Change::kAppend, "e", "+");
  Commit(store.get(), 7, Change::kPut, "f", "6");
  EXPECT_EQ(Scanned(*Reader(store.get())), "a=1;b=2;e=5+;f=6;");
  std::string prefixed;
  auto batch = store->NewBatch();
  ASSERT_TRUE(batch->Rows(kView)
                  ->Scan("e",
                         [&](std::string_view key, std::string_view value) {
                           prefixed.append(key).append("=").append(value);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(prefixed, "e=5+");
}

TEST(ViewStoreWriteBehindTest, ADroppedViewForgetsItsHeldRows) {
  ScratchDir dir;
  auto store = Open(dir.Sub("views"), Behind());
  Commit(store.get(), 1, Change::kPut, "old", "x");
  ASSERT_TRUE(store->Drop(kView).ok());
  auto dropped = Reader(store.get());
  EXPECT_EQ(dropped->checkpoint().version, 0u);
  EXPECT_EQ(Row(*dropped, "old"), "<absent>");
  Commit(store.get(), 2, Change::kPut, "new", "y");
  ASSERT_TRUE(store->FlushCommits().ok());
  EXPECT_EQ(Scanned(*Reader(store.get())), "new=y;");
  EXPECT_EQ(RowFromOutside(dir.Sub("views"), "old"), "<absent>");
}

TEST(ViewStoreWriteBehindTest, ABatchTooBigToHoldIsWrittenAfterTheHeldRows) {
  ScratchDir dir;
  ViewStoreOptions options = Behind();
  options.ingest_batch_bytes = 4096;
  auto store = Open(dir.Sub("views"), options);
  Commit(store.get(), 1, Change::kPut, "row", "held");
  Commit(store.get(), 2, Change::kPut, "row", std::string(8192, 'n'));  // ingested
  EXPECT_EQ(Row(*Reader(store.get()), "row"), std::string(8192, 'n'));
  EXPECT_EQ(RowFromOutside(dir.Sub("views"), "row"), std::string(8192, 'n'));
  Commit(store.get(), 3, Change::kAppend, "row", "+");
  EXPECT_EQ(Row(*Reader(store.get()), "row"), std::string(8192, 'n') + "+");
}

TEST(ViewStoreWriteBehindTest, ClosingWritesWhatIsHeld) {
  ScratchDir dir;
  {
    auto store = Open(dir.Sub("views"), Behind());
    Commit(store.get(), 5, Change::kPut, "row", "value");
  }
  uint64_t checkpoint = 0;
  EXPECT_EQ(RowFromOutside(dir.Sub("views"), "row", &checkpoint), "value");
  EXPECT_EQ(checkpoint, 5u);
}

TEST(ViewStoreWriteBehindTest, AKillLosesOnlyHeldCommitsWithTheirCheckpoint) {
  ScratchDir dir;
  const std::string path = dir.Sub("views");
  bool committed = false;
  std::string error;
  const ChildOutcome outcome = RunChildUntilKilled(
      {VIEW_STORE_COMMITTER_PATH, path, "behind"},
      [&](const std::string& line) {
        if (line == "committed") committed = true;
        if (line.rfind("error", 0) == 0) error = line;
      },
      [&] { return committed || !error.empty(); }, std::chrono::seconds(30));
  ASSERT_EQ(error, "");
  ASSERT_TRUE(committed);
  ASSERT_TRUE(WIFSIGNALED(outcome.status) && WTERMSIG(outcome.status) == SIGKILL);
  uint64_t checkpoint = 0;
  EXPECT_EQ(RowFromOutside(path, "row-1", &checkpoint), "value");
  EXPECT_EQ(checkpoint, 1u);
  EXPECT_EQ(RowFromOutside(path, "row-2"), "<absent>");
}

TEST(ViewStoreWriteBehindTest, AFailedWriteRefusesLaterCommitsAndReadersStillSeeHeldRows) {
  ScratchDir dir;
  auto faults = std::make_shared<FaultFileSystem>();
  ViewStoreOptions options = Behind();
  options.file_system = faults;
  auto store = Open(dir.Sub("views"), options);
  Commit(store.get(), 1, Change::kPut, "row", "value");
  faults->Inject(FaultOp::kAppend, ".log");
  EXPECT_TRUE(store->FlushCommits().IsIOError());
  faults->Heal();
  auto batch = store->NewBatch();
  batch->Rows(kView)->Put("later", "x");
  batch->SetCheckpoint(kView, {2, 1});
  Status s = store->Commit(batch.get());
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  auto reader = Reader(store.get());
  EXPECT_EQ(Row(*reader, "row"), "value");
  EXPECT_EQ(Row(*reader, "later"), "<absent>");
  EXPECT_EQ(reader->checkpoint().position, 1u);
}

// A commit that writes what is held itself (past the bound held in memory) and fails: the store
// takes no more commits, or a runner folding the round again would apply it twice.
TEST(ViewStoreWriteBehindTest, ACommitWhoseOwnWriteFailsMakesTheStoreRefuseLaterCommits) {
  ScratchDir dir;
  auto faults = std::make_shared<FaultFileSystem>();
  ViewStoreOptions options = Behind();
  options.file_system = faults;  // ingest_batch_bytes left at its default (4 MB), as in serve
  auto store = Open(dir.Sub("views"), options);
  auto commit = [&](uint64_t position, size_t filler) {
    auto batch = store->NewBatch();
    batch->Rows(kView)->Append("list", ".");
    if (filler > 0) {
      batch->Rows(kView)->Put("filler-" + std::to_string(position), std::string(filler, 'f'));
    }
    batch->SetCheckpoint(kView, {position, 1});
    CommitOptions buffered;
    buffered.buffered = true;
    return store->Commit(batch.get(), buffered);
  };
  ASSERT_TRUE(commit(1, 0).ok());
  ASSERT_TRUE(store->FlushCommits().ok());
  faults->Inject(FaultOp::kAppend, ".log");
  // Rounds just under the ingestion size, held until the 64 MB bound makes a commit flush.
  Status failed;
  uint64_t position = 2;
  for (; position < 40; ++position) {
    failed = commit(position, (3 << 20) + (1 << 19));
    if (!failed.ok()) break;
  }
  faults->Heal();
  ASSERT_FALSE(failed.ok()) << "no commit flushed on its own";
  std::unique_ptr<ViewReader> reader;
  ASSERT_TRUE(store->NewReader(kView, &reader).ok());
  // Commit `position` returned the error, yet it is applied: readers (and the fold) see it.
  EXPECT_EQ(reader->checkpoint().position, position);
  // The runner forgets the failed round and folds it again: the store must refuse.
  const Status again = commit(position, 0);
  EXPECT_FALSE(again.ok()) << "a commit accepted after a failed flush";
  ASSERT_TRUE(store->NewReader(kView, &reader).ok());
  std::string list;
  ASSERT_TRUE(reader->Get("list", &list).ok());
  EXPECT_EQ(list.size(), reader->checkpoint().position)
      << "the list holds " << list.size() << " appends at checkpoint "
      << reader->checkpoint().position;
}

// Each commit appends one byte to a list and counts it in its checkpoint, while the store's
// thread writes every millisecond: a reader's list always has exactly as many lines as its
// checkpoint counts, whatever was written between its snapshot and its reads.
TEST(ViewStoreWriteBehindTest, ReadersBesideCommitsAndWritesAlwaysSeeWholeCommits) {
  constexpr uint64_t kCommits = 20000;
  ScratchDir dir;
  auto store = Open(dir.Sub("views"), Behind(std::chrono::milliseconds(1)));
  std::atomic<bool> done{false};
  std::atomic<int> checked{0};
  std::atomic<int> wrong{0};
  auto read = [&] {
    while (!done) {
      std::shared_ptr<const ViewSnapshot> snapshot;
      if (!store->NewSnapshot(&snapshot).ok()) {
        wrong++;
        continue;
      }
      auto reader = Reader(store.get(), snapshot);
      const uint64_t position = reader->checkpoint().position;
      std::this_thread::yield();  // let writes land between the snapshot and the reads
      std::string list = Row(*reader, "list");
      if (list == "<absent>") list.clear();
      std::string scanned;
      EXPECT_TRUE(reader
                      ->Scan("list",
                             [&](std::string_view, std::string_view value) {
                               scanned = value;
                               return true;
                             })
                      .ok());
      if (list.size() != position || scanned != list) wrong++;
      checked++;
    }
  };
  std::thread reader1(read), reader2(read);
  for (uint64_t position = 1; position <= kCommits; ++position) {
    auto batch = store->NewBatch();
    batch->Rows(kView)->Append("list", ".");
    // Rows of their own make each write long enough for readers to land inside it.
    batch->Rows(kView)->Put("row-" + std::to_string(position), std::string(200, 'r'));
    batch->SetCheckpoint(kView, {position, 1});
    CommitOptions buffered;
    buffered.buffered = true;
    EXPECT_TRUE(store->Commit(batch.get(), buffered).ok());
    if (position % 500 == 0) {
      EXPECT_TRUE(store->FlushCommits().ok());
    }
  }
  done = true;
  reader1.join();
  reader2.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(checked.load(), 0);
  EXPECT_EQ(Row(*Reader(store.get()), "list"), std::string(kCommits, '.'));
  store.reset();
  EXPECT_EQ(RowFromOutside(dir.Sub("views"), "list"), std::string(kCommits, '.'));
}

}  // namespace
}  // namespace tandem::test
