// Buffered commits (CommitOptions::buffered): applied at once in the process, written to the
// operating system together by FlushCommits. What another process sees, what survives a
// SIGKILL, and what a failed write of the log leaves.
#include <gtest/gtest.h>

#include "child_process.h"
#include "fault_file_system.h"
#include "tandem/projections/view_store.h"
#include "test_util.h"
#include "view_store_util.h"

namespace tandem::test {
namespace {

constexpr char kView[] = "client-feed";

void CommitPosition(ViewStore* store, uint64_t position, bool buffered) {
  auto batch = store->NewBatch();
  batch->Rows(kView)->Put("row-" + std::to_string(position), "value");
  batch->SetCheckpoint(kView, {position, 1});
  CommitOptions options;
  options.buffered = buffered;
  ASSERT_TRUE(store->Commit(batch.get(), options).ok());
}

// The view as a reader in another process sees it (a read-only open replays the write-ahead
// log from its file): its checkpoint, and which of the rows "row-1" and "row-2" it holds.
struct SeenFromOutside {
  uint64_t checkpoint = UINT64_MAX;
  bool row1 = false, row2 = false;
};
SeenFromOutside ReadFromOutside(const std::string& path) {
  SeenFromOutside seen;
  std::unique_ptr<ViewStore> store = OpenViewsReadOnly(path);
  if (store == nullptr) return seen;
  std::unique_ptr<ViewReader> reader;
  EXPECT_TRUE(store->NewReader(kView, &reader).ok());
  if (reader == nullptr) return seen;
  seen.checkpoint = reader->checkpoint().position;
  std::string value;
  seen.row1 = reader->Get("row-1", &value).ok();
  seen.row2 = reader->Get("row-2", &value).ok();
  return seen;
}
uint64_t CheckpointSeenFromOutside(const std::string& path) {
  return ReadFromOutside(path).checkpoint;
}

// Runs view_store_committer's `scenario` on `path` in a child process, and kills it with
// SIGKILL once it has committed, as a crash would.
void CommitInAChildAndKillIt(const std::string& path, const std::string& scenario) {
  bool committed = false;
  std::string error;
  const ChildOutcome outcome = RunChildUntilKilled(
      {VIEW_STORE_COMMITTER_PATH, path, scenario},
      [&](const std::string& line) {
        if (line == "committed") committed = true;
        if (line.rfind("error", 0) == 0) error = line;
      },
      [&] { return committed || !error.empty(); }, std::chrono::seconds(30));
  ASSERT_EQ(error, "");
  ASSERT_TRUE(committed) << "the child never committed";
  ASSERT_TRUE(WIFSIGNALED(outcome.status) && WTERMSIG(outcome.status) == SIGKILL);
}

TEST(ViewStoreBufferedCommitTest, IsSeenInTheProcessAtOnceAndFromOutsideOnceFlushed) {
  ScratchDir dir;
  std::unique_ptr<ViewStore> store;
  ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir.Sub("views"), &store).ok());
  CommitPosition(store.get(), 1, false);
  CommitPosition(store.get(), 2, true);
  ViewCheckpoint inside;
  ASSERT_TRUE(store->GetCheckpoint(kView, &inside).ok());
  EXPECT_EQ(inside.position, 2u);
  EXPECT_EQ(CheckpointSeenFromOutside(dir.Sub("views")), 1u);
  ASSERT_TRUE(store->FlushCommits().ok());
  EXPECT_EQ(CheckpointSeenFromOutside(dir.Sub("views")), 2u);
}

TEST(ViewStoreBufferedCommitTest, SurvivesAKillOnceFlushed) {
  ScratchDir dir;
  const std::string path = dir.Sub("views");
  CommitInAChildAndKillIt(path, "flushed");
  EXPECT_EQ(CheckpointSeenFromOutside(path), 2u);
}

TEST(ViewStoreBufferedCommitTest, IsLostWithItsCheckpointWhenKilledBeforeTheFlush) {
  ScratchDir dir;
  const std::string path = dir.Sub("views");
  CommitInAChildAndKillIt(path, "unflushed");
  const SeenFromOutside seen = ReadFromOutside(path);
  EXPECT_EQ(seen.checkpoint, 1u);
  EXPECT_TRUE(seen.row1);
  EXPECT_FALSE(seen.row2);
}

TEST(ViewStoreBufferedCommitTest, AnUnbufferedCommitSurvivesAKillAsSoonAsItReturns) {
  ScratchDir dir;
  const std::string path = dir.Sub("views");
  CommitInAChildAndKillIt(path, "unbuffered");  // its commit writes the buffered one too
  EXPECT_EQ(CheckpointSeenFromOutside(path), 2u);
}

TEST(ViewStoreBufferedCommitTest, AFailedLogWriteRefusesLaterCommitsUntilReopened) {
  ScratchDir dir;
  const std::string path = dir.Sub("views");
  auto faults = std::make_shared<FaultFileSystem>();
  ViewStoreOptions options;
  options.file_system = faults;
  {
    std::unique_ptr<ViewStore> store;
    ASSERT_TRUE(ViewStore::Open(options, path, &store).ok());
    CommitPosition(store.get(), 1, false);
    CommitPosition(store.get(), 2, true);
    faults->Inject(FaultOp::kAppend, ".log");
    Status s = store->FlushCommits();
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    faults->Heal();
    // Folding the lost round again on top of what the memtable holds would apply it twice.
    auto batch = store->NewBatch();
    batch->Rows(kView)->Append("list", "line\n");
    batch->SetCheckpoint(kView, {2, 1});
    s = store->Commit(batch.get());
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_NE(s.message().find("opened again"), std::string::npos) << s.ToString();
    EXPECT_TRUE(store->FlushCommits().IsIOError());
  }
  const SeenFromOutside seen = ReadFromOutside(path);
  EXPECT_EQ(seen.checkpoint, 1u);
  EXPECT_FALSE(seen.row2);
  options.file_system = nullptr;
  std::unique_ptr<ViewStore> store;
  ASSERT_TRUE(ViewStore::Open(options, path, &store).ok());
  CommitPosition(store.get(), 2, false);  // takes commits again
}

}  // namespace
}  // namespace tandem::test
