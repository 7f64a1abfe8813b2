// The projection runner over the real views (every stored view of the catalogue) and a real
// log: batches, checkpoints, versions, live following, metrics. Where a test needs a commit to
// fail, the real views database is wrapped by a store that refuses chosen commits.
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "command_world.h"
#include "damage.h"
#include "failing_projection.h"
#include "family_tables.h"
#include "fault_file_system.h"
#include "forwarding_view_store.h"
#include "metric_value.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/views.h"
#include "view_store_util.h"

namespace tandem::test {
namespace {

using boost::json::object;
using std::chrono::milliseconds;

// The real views database, with commits that can be made to fail and are counted.
class FlakyStore : public ForwardingViewStore {
 public:
  using ForwardingViewStore::ForwardingViewStore;

  using ForwardingViewStore::Commit;
  Status Commit(ViewBatch* batch, const CommitOptions& options) override {
    commits++;
    bool fail = false;
    {
      std::lock_guard<std::mutex> lock(mu_);  // views commit from two threads
      if (pass_commits > 0) {
        pass_commits--;
      } else if (fail_commits > 0) {
        fail_commits--;
        fail = true;
      }
    }
    if (fail) return Status::IOError("injected: the views database refused the write");
    return ForwardingViewStore::Commit(batch, options);
  }

  Status FlushCommits() override {
    if (on_flush) on_flush();
    return ForwardingViewStore::FlushCommits();
  }

  Status Drop(std::string_view view) override {
    if (drops_before_failure == 0) return Status::IOError("injected: the drop failed");
    if (drops_before_failure > 0) drops_before_failure--;
    return ForwardingViewStore::Drop(view);
  }
  // The next `passing` commits succeed, then `failing` fail. Locked: a runner's live thread
  // may be committing while a test sets this.
  void FailCommits(int failing, int passing = 0) {
    std::lock_guard<std::mutex> lock(mu_);
    pass_commits = passing;
    fail_commits = failing;
  }
  std::function<void()> on_flush;  // before each FlushCommits goes through
  int drops_before_failure = -1;   // when not negative: the drops that succeed before one fails
  std::atomic<int> commits{0};

 private:
  std::mutex mu_;
  int pass_commits = 0;
  int fail_commits = 0;
};

class ProjectionRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<CommandWorld>(dir_.Sub("world"));
    world_->BuildStandard();
  }
  void TearDown() override { CloseViews(); }

  // Opens the views database `name` (under the scratch folder) and a runner over every view.
  void OpenViews(ProjectionRunnerOptions options = {}, const std::string& name = "views",
                 EventLog* log = nullptr, ViewStoreOptions store_options = {}) {
    std::unique_ptr<ViewStore> base;
    ASSERT_TRUE(ViewStore::Open(store_options, dir_.Sub(name), &base).ok());
    store_ = std::make_unique<FlakyStore>(std::move(base));
    std::vector<std::unique_ptr<Projection>> projections;
    ASSERT_TRUE(MakeProjections({}, &projections).ok());
    for (auto& p : projections) {
      if (p->name() == failing_view_) {
        p = std::make_unique<FlushFails>(std::move(p), &view_fails_, &view_failures_);
      }
    }
    Status s = ProjectionRunner::Open(options, log != nullptr ? log : world_->log(), store_.get(),
                                      std::move(projections), &runner_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void CloseViews() {
    runner_.reset();
    store_.reset();
  }

  // Posts a client comment on acme's milestone m-planned; returns its position in the log.
  uint64_t PostClientComment(const std::string& id) {
    CommandResult result;
    Status s = world_->Run(Cmd("comment.post", "northwind", "acme-member",
                               {{"project_id", "p-acme"},
                                {"thread_id", "t-client"},
                                {"comment_id", id},
                                {"body", "Any news? " + id}}),
                           &result);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return result.events.empty() ? 0 : result.events.back().global_position();
  }

  // The client comments the stored internal timeline counts on acme's m-planned.
  uint64_t ClientCommentsOnPlanned() {
    std::unique_ptr<ViewSource> source;
    EXPECT_TRUE(OpenLiveViewSource(store_.get(), &source).ok());
    ViewRequest request;
    request.view = "internal-timeline";
    request.workspace = "northwind";
    request.project = "p-acme";
    std::string out;
    Status s = ReadView(request, source.get(), &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return 0;
    const boost::json::value timeline = boost::json::parse(out);
    for (const auto& m : timeline.at("milestones").as_array()) {
      if (m.at("id") == "m-planned") return m.at("client_comments").to_number<uint64_t>();
    }
    return 0;
  }

  // Every stored view's hash, from the views database.
  // Every view's stored rows, served or not (a view stopped before it has folded the log as
  // far as when its fold began is not served).
  std::map<std::string, std::string> StoredHashes() {
    StoredRowsSource source(store_.get());
    return HashesOf(&source);
  }
  // Every view's hash folded afresh in memory from `log` up to `position`: what a rebuild
  // to that position holds.
  std::map<std::string, std::string> FoldedHashes(uint64_t position, EventLog* log = nullptr) {
    AsOfScope scope;
    scope.position = position;
    std::unique_ptr<ViewSource> source;
    Status s = FoldAsOf(log != nullptr ? log : world_->log(), scope, &source);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? HashesOf(source.get()) : std::map<std::string, std::string>();
  }
  static std::map<std::string, std::string> HashesOf(ViewSource* source) {
    std::map<std::string, std::string> hashes;
    for (const std::string& view : StoredViewNames()) {
      Status s = HashView(source, view, &hashes[view]);
      EXPECT_TRUE(s.ok()) << view << ": " << s.ToString();
    }
    return hashes;
  }

  // 200 more client comments on acme's m-planned, folded into every view; then, with the log
  // closed, a byte damaged in the largest table of its column family `family` (the log's open
  // writes its memtable out as tables first), and the log and the views opened again. Returns
  // the damaged table's path.
  std::string DamageTheLogAfterFolding(const std::string& family) {
    for (int i = 0; i < 200; ++i) PostClientComment("q" + std::to_string(i));
    OpenViews();
    EXPECT_TRUE(runner_->CatchUp().ok());
    CloseViews();
    world_->Close();
    world_->Open();
    world_->Close();
    const std::string table = LargestTableOfFamily(dir_.Sub("world/log"), family);
    if (!table.empty()) DamageTable(table);
    world_->Open();
    OpenViews();
    return table;
  }

  uint64_t Head() { return world_->log()->LastPosition(); }

  // A copy of the log as it is now, and the log put back to it (as from a backup).
  void KeepACopyOfTheLog() {
    world_->Close();
    std::filesystem::copy(dir_.Sub("world/log"), dir_.Sub("copy-of-log"),
                          std::filesystem::copy_options::recursive);
    world_->Open();
  }
  void RestoreTheCopyOfTheLog() {
    world_->Close();
    std::filesystem::remove_all(dir_.Sub("world/log"));
    std::filesystem::copy(dir_.Sub("copy-of-log"), dir_.Sub("world/log"),
                          std::filesystem::copy_options::recursive);
    world_->Open();
  }

  // Views folded in rounds of 5 events, caught up; then `comments` client comments, and the
  // feed can no longer be written.
  void FeedFailsAfterComments(int comments) {
    failing_view_ = "client-feed";
    ProjectionRunnerOptions small_rounds;
    small_rounds.catch_up_batch_events = 5;
    OpenViews(small_rounds);
    ASSERT_TRUE(runner_->CatchUp().ok());
    for (int i = 0; i < comments; ++i) PostClientComment("q" + std::to_string(i));
    view_fails_ = true;
  }

  uint64_t CheckpointOf(const std::string& view) {
    ViewCheckpoint c;
    EXPECT_TRUE(store_->GetCheckpoint(view, &c).ok()) << view;
    return c.position;
  }

  // Whether `done` came true within `timeout` (a live runner folds on its own thread).
  static bool Within(milliseconds timeout, const std::function<bool()>& done) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
  }

  // How many stored views have folded the log's last event.
  size_t ViewsAtHead() {
    size_t at_head = 0;
    for (const std::string& view : StoredViewNames()) {
      ViewCheckpoint c;
      EXPECT_TRUE(store_->GetCheckpoint(view, &c).ok()) << view;
      at_head += c.position == Head() ? 1 : 0;
    }
    return at_head;
  }

  ScratchDir dir_;
  std::unique_ptr<CommandWorld> world_;
  std::string failing_view_;  // the view OpenViews makes fail to flush while view_fails_
  std::atomic<bool> view_fails_{false};
  std::atomic<int> view_failures_{0};  // the failing view's failed flushes
  std::unique_ptr<FlakyStore> store_;
  std::unique_ptr<ProjectionRunner> runner_;
};

TEST_F(ProjectionRunnerTest, ABatchThatFailsToCommitIsFoldedAgainWithoutCountingTwice) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  const uint64_t before = runner_->Position();
  PostClientComment("q1");
  PostClientComment("q2");
  store_->FailCommits(1);
  Status s = runner_->CatchUp();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(runner_->Position(), before);  // nothing of the failed batch counts as folded
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(runner_->Position(), Head());
  EXPECT_EQ(ClientCommentsOnPlanned(), 3u);  // "Welcome!", q1, q2: each once
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// Each view commits its own rows: one view's failed write leaves the others' work committed.
// The directory and report links commit first in every round, so the third commit is a view's.
TEST_F(ProjectionRunnerTest, AViewThatFailsToCommitHoldsBackNoOtherView) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  PostClientComment("q1");
  store_->FailCommits(1, 2);
  EXPECT_TRUE(runner_->CatchUp().IsIOError());
  EXPECT_EQ(ViewsAtHead(), StoredViewNames().size() - 1);
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// A view that cannot be written (here the feed) is set aside: the others fold every later
// round, not one round past it and then wait for it (rounds of one event here, so that a round
// starting from the feed's checkpoint could never reach the next comment).
TEST_F(ProjectionRunnerTest, AViewThatCannotBeWrittenHoldsNoOtherViewBackWhileFollowingLive) {
  failing_view_ = "client-feed";
  ProjectionRunnerOptions one_event_rounds;
  one_event_rounds.max_batch_events = 1;
  OpenViews(one_event_rounds);
  ASSERT_TRUE(runner_->CatchUp().ok());
  const uint64_t feed = CheckpointOf("client-feed");
  view_fails_ = true;
  ASSERT_TRUE(runner_->Start().ok());
  for (int i = 0; i < 3; ++i) {
    PostClientComment("q" + std::to_string(i));
    ASSERT_TRUE(
        Within(milliseconds(10000), [&] { return ViewsAtHead() == StoredViewNames().size() - 1; }))
        << "comment " << i << " not folded by the other views";
  }
  EXPECT_EQ(CheckpointOf("client-feed"), feed);
  EXPECT_EQ(ClientCommentsOnPlanned(), 4u);  // "Welcome!" and the three
  const Status s = runner_->LiveStatus();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("client-feed"), std::string::npos) << s.ToString();
}

// Brought back a catch-up round at a time (5 events here), the others' live rounds between.
TEST_F(ProjectionRunnerTest, AViewSetAsideCatchesUpWithTheOthersOnceItCanBeWrittenAgain) {
  FeedFailsAfterComments(0);
  ASSERT_TRUE(runner_->Start().ok());
  for (int i = 0; i < 20; ++i) PostClientComment("q" + std::to_string(i));
  ASSERT_TRUE(
      Within(milliseconds(10000), [&] { return ViewsAtHead() == StoredViewNames().size() - 1; }));
  EXPECT_LT(CheckpointOf("client-feed"), Head());
  EXPECT_EQ(runner_->ViewsSetAside(), std::vector<std::string>{"client-feed"});
  view_fails_ = false;
  PostClientComment("last");
  // Tried again a second later from its checkpoint, then folded with the others.
  ASSERT_TRUE(runner_->WaitForPosition(Head(), milliseconds(10000)).ok());
  runner_->Stop();
  EXPECT_TRUE(runner_->LiveStatus().ok()) << runner_->LiveStatus().ToString();
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// Once it can be written, its retry folds the rounds it is behind one after the other, not one
// per live round: on a quiet log there is none to wait for.
TEST_F(ProjectionRunnerTest, AViewSetAsideComesBackAtOnceOnAQuietLog) {
  failing_view_ = "client-feed";
  ProjectionRunnerOptions one_event_rounds;  // a retry folds 10 events a round
  one_event_rounds.max_batch_events = 1;
  OpenViews(one_event_rounds);
  ASSERT_TRUE(runner_->CatchUp().ok());
  const uint64_t feed = CheckpointOf("client-feed");
  view_fails_ = true;
  for (int i = 0; i < 300; ++i) PostClientComment("q" + std::to_string(i));
  ASSERT_TRUE(runner_->Start().ok());
  ASSERT_TRUE(
      Within(milliseconds(10000), [&] { return ViewsAtHead() == StoredViewNames().size() - 1; }));
  view_fails_ = false;
  // The next retry is due within the back-off's longest wait.
  ASSERT_TRUE(Within(milliseconds(70000), [&] { return CheckpointOf("client-feed") > feed; }));
  const auto moved = std::chrono::steady_clock::now();
  ASSERT_TRUE(Within(milliseconds(10000), [&] { return CheckpointOf("client-feed") == Head(); }));
  // 30 rounds: three seconds at one a live interval (100 ms).
  EXPECT_LT(std::chrono::steady_clock::now() - moved, milliseconds(1500));
}

// A view that keeps failing is tried a second after it was set aside, then 2, 4 ... 64 seconds
// after each failure: a view that cannot be written does not take a fold of everything it is
// behind every second.
TEST_F(ProjectionRunnerTest, AViewThatKeepsFailingIsTriedLessAndLessOften) {
  FeedFailsAfterComments(20);
  ASSERT_TRUE(runner_->Start().ok());
  ASSERT_TRUE(Within(milliseconds(10000), [&] { return view_failures_ > 0; }));
  const int first = view_failures_;
  // Tried again 1 and 1 + 2 seconds later, not at 1, 2 ... 7.
  std::this_thread::sleep_for(milliseconds(7500));
  const int retries = view_failures_ - first;
  EXPECT_GE(retries, 2);
  EXPECT_LE(retries, 3);
  EXPECT_EQ(runner_->ViewsSetAside(), std::vector<std::string>{"client-feed"});
}

// A catch-up of many rounds folds every other view to the head, then says which one it could not.
TEST_F(ProjectionRunnerTest, ACatchUpGoesOnToTheHeadPastAViewThatCannotBeWritten) {
  FeedFailsAfterComments(20);
  const Status s = runner_->CatchUp();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("client-feed"), std::string::npos) << s.ToString();
  EXPECT_EQ(ViewsAtHead(), StoredViewNames().size() - 1);
  EXPECT_EQ(runner_->ViewsSetAside(), std::vector<std::string>{"client-feed"});
  EXPECT_TRUE(runner_->CaughtUpButForViewsSetAside());
  view_fails_ = false;
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_TRUE(runner_->ViewsSetAside().empty());
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// `tandem serve` starts following with views set aside, not past a failure of the directory
// that came after one was set aside.
TEST_F(ProjectionRunnerTest, ACatchUpStoppedByTheDirectoryIsNotTakenForOneWithViewsSetAside) {
  FeedFailsAfterComments(20);
  store_->FailCommits(1000, 12);  // the first round's writes, then none: a later round's gates fail
  const Status s = runner_->CatchUp();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message().find("client-feed"), std::string::npos) << s.ToString();
  EXPECT_FALSE(runner_->CaughtUpButForViewsSetAside());
  const std::vector<std::string> set_aside = runner_->ViewsSetAside();
  EXPECT_NE(std::find(set_aside.begin(), set_aside.end(), "client-feed"), set_aside.end());
}

// The views readers check access in never fall behind the others: when the directory's write
// fails, no other view of that round is committed.
TEST_F(ProjectionRunnerTest, ADirectoryThatFailsToCommitHoldsBackEveryView) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  PostClientComment("q1");
  store_->FailCommits(1);
  EXPECT_TRUE(runner_->CatchUp().IsIOError());
  EXPECT_EQ(ViewsAtHead(), 0u);
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// A round large enough for two fold threads folds the other views beside the directory; they
// must neither commit before it nor keep what they folded when its write fails.
TEST_F(ProjectionRunnerTest, ADirectoryThatFailsToCommitInALargeRoundHoldsBackEveryView) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  for (int i = 0; i < 40; ++i) PostClientComment("q" + std::to_string(i));
  store_->FailCommits(1);
  EXPECT_TRUE(runner_->CatchUp().IsIOError());
  EXPECT_EQ(ViewsAtHead(), 0u);
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(ClientCommentsOnPlanned(), 41u);  // "Welcome!" and the 40: each once
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

TEST_F(ProjectionRunnerTest, ABatchThatFailsToCommitWhileFollowingLiveIsFoldedAgain) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  ASSERT_TRUE(runner_->Start().ok());
  store_->FailCommits(1);
  const uint64_t position = PostClientComment("q1");
  // The live thread waits a second after a failure before it resumes from the checkpoints.
  ASSERT_TRUE(runner_->WaitForPosition(position, milliseconds(10000)).ok());
  runner_->Stop();
  EXPECT_EQ(ClientCommentsOnPlanned(), 2u);
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

TEST_F(ProjectionRunnerTest, LiveStatusIsOkAgainOnceALiveFailureIsOvercome) {
  OpenViews();
  ASSERT_TRUE(runner_->Start().ok());
  store_->FailCommits(1);
  const uint64_t position = PostClientComment("q1");
  ASSERT_TRUE(runner_->WaitForPosition(position, milliseconds(10000)).ok());
  runner_->Stop();  // joins the live thread: what it last said is settled
  Status s = runner_->LiveStatus();
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(ProjectionRunnerTest, ARebuildThatFailsWhileFollowingLiveLeavesNoHoleInTheViews) {
  OpenViews();
  ASSERT_TRUE(runner_->Start().ok());
  ASSERT_TRUE(runner_->WaitForPosition(PostClientComment("q1"), milliseconds(5000)).ok());
  store_->FailCommits(1000);
  Status s = runner_->Rebuild({});  // drops every view, then cannot write them again
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  store_->FailCommits(0);
  // The live thread, ahead of the dropped views, must not fold the next event onto nothing.
  ASSERT_TRUE(runner_->WaitForPosition(PostClientComment("q2"), milliseconds(10000)).ok());
  runner_->Stop();
  EXPECT_EQ(ClientCommentsOnPlanned(), 3u);
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

TEST_F(ProjectionRunnerTest, RebuildOfAnUnknownViewIsRefusedAndDropsNothing) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  Status s = runner_->Rebuild({"client-timeline", "client-timelin"});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.reason(), "view.unknown");
  ViewCheckpoint checkpoint;
  ASSERT_TRUE(store_->GetCheckpoint("client-timeline", &checkpoint).ok());
  EXPECT_EQ(checkpoint.position, Head());
}

TEST_F(ProjectionRunnerTest, ACatchUpReportsProgressAsEachViewFinishesItsRound) {
  ProjectionRunnerOptions options;
  options.fold_threads = 2;
  std::vector<CatchUpProgress> reports;  // the runner makes one call at a time
  options.progress = [&](const CatchUpProgress& p) { reports.push_back(p); };
  OpenViews(options);
  ASSERT_TRUE(runner_->CatchUp().ok());
  // The standard world's history is one round of 14 views: more than its end is reported.
  ASSERT_GE(reports.size(), 10u);
  for (size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].done, reports[i - 1].done);
    EXPECT_EQ(reports[i].total, Head());
  }
  EXPECT_LT(reports.front().done, reports.front().total);
  EXPECT_EQ(reports.back().done, Head());
  EXPECT_TRUE(reports.back().finished);
}

// A damaged block of the log (a failing disk) stops any fold that reaches it. A rebuild that
// dropped the views first would leave none served until the log is repaired; the old ones
// still read.
TEST_F(ProjectionRunnerTest, ARebuildOverALogWithADamagedTableDropsNoView) {
  const std::string table = DamageTheLogAfterFolding("events");
  Status s = runner_->Rebuild({});
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.reason(), "log.damaged");
  EXPECT_NE(s.message().find(std::filesystem::path(table).filename().string()), std::string::npos)
      << s.ToString();
  EXPECT_EQ(ViewsAtHead(), StoredViewNames().size());
  EXPECT_EQ(ClientCommentsOnPlanned(), 201u);
}

// The check reads what a rebuild reads: damage elsewhere in the log (its idempotency keys'
// table, which `tandem verify` reports) does not refuse a rebuild that would succeed.
TEST_F(ProjectionRunnerTest, ARebuildGoesOnOverDamageInTheLogItDoesNotRead) {
  DamageTheLogAfterFolding("idempotency");
  Status s = runner_->Rebuild({});
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ViewsAtHead(), StoredViewNames().size());
  EXPECT_EQ(ClientCommentsOnPlanned(), 201u);
}

// The checkpoint's key in each view's column family (view_store.cc), written here through the
// rows API as a damaged disk would leave it.
const std::string kCheckpointKey(
    "\x00\x02"
    "checkpoint",
    12);

TEST_F(ProjectionRunnerTest, AViewOfAnotherVersionIsDroppedOnOpenAndNeverServedInItsOldShape) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  runner_.reset();
  {
    // The client timeline as an older version of its projection stored it.
    std::unique_ptr<ViewBatch> batch = store_->NewBatch();
    batch->Rows("client-timeline")->Put("old-shape", "{\"milestones\":[]}");
    batch->SetCheckpoint("client-timeline", {Head(), 99});
    ASSERT_TRUE(store_->Commit(batch.get()).ok());
  }
  CloseViews();

  OpenViews();
  std::unique_ptr<ViewSource> source;
  ASSERT_TRUE(OpenLiveViewSource(store_.get(), &source).ok());
  const RowReader* rows = nullptr;
  Status s = source->Reader("client-timeline", &rows);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.reason(), "view.not_built");
  EXPECT_EQ(runner_->Position(), 0u);

  ASSERT_TRUE(runner_->CatchUp().ok());
  std::unique_ptr<ViewReader> reader;
  ASSERT_TRUE(store_->NewReader("client-timeline", &reader).ok());
  std::string value;
  EXPECT_TRUE(reader->Get("old-shape", &value).IsNotFound());
  std::vector<std::unique_ptr<Projection>> current;
  ASSERT_TRUE(MakeProjections({"client-timeline"}, &current).ok());
  EXPECT_EQ(reader->checkpoint().version, current.front()->version());
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// What a store keeps to speed up a rebuild (the keys of the views it created) is not held for
// the life of a serving process.
TEST_F(ProjectionRunnerTest, ViewsBuiltByTheRunnerHoldNoKnownKeysOnceCaughtUp) {
  ProjectionRunnerOptions small_rounds;
  small_rounds.catch_up_batch_events = 5;
  OpenViews(small_rounds);
  ASSERT_TRUE(runner_->CatchUp().ok());
  for (const std::string& view : StoredViewNames())
    EXPECT_EQ(store_->ApproximateKnownKeysBytes(view), 0u) << view;
}

TEST_F(ProjectionRunnerTest, AViewWithADamagedCheckpointIsRebuiltRatherThanBlockingTheRunner) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  runner_.reset();
  {
    std::unique_ptr<ViewBatch> batch = store_->NewBatch();
    batch->Rows("internal-timeline")->Put(kCheckpointKey, "not a checkpoint");
    ASSERT_TRUE(store_->Commit(batch.get()).ok());
  }
  CloseViews();

  ASSERT_NO_FATAL_FAILURE(OpenViews());
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(runner_->Position(), Head());
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

TEST_F(ProjectionRunnerTest, AViewFedFromKafkaIsRebuiltFromTheLog) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  runner_.reset();
  // A Kafka-fed worker's view in these views: its checkpoint is the highest position it folded,
  // not a prefix of the log (it may hold some partitions' events only).
  std::vector<std::unique_ptr<Projection>> timeline;
  ASSERT_TRUE(MakeProjections({"internal-timeline"}, &timeline).ok());
  ASSERT_TRUE(store_->Drop("internal-timeline").ok());
  {
    std::unique_ptr<ViewBatch> batch = store_->NewBatch();
    batch->Rows("internal-timeline")->Put("one partition's", "rows");
    batch->SetSourceOffset("internal-timeline", {"tandem.events", 2, 10, Head()});
    batch->SetCheckpoint("internal-timeline", {Head(), timeline.front()->version()});
    ASSERT_TRUE(store_->Commit(batch.get()).ok());
  }
  CloseViews();

  ASSERT_NO_FATAL_FAILURE(OpenViews());
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

TEST_F(ProjectionRunnerTest, AViewAheadOfTheLogIsRebuiltFromTheLog) {
  // A copy of the log as it is now, restored below after the views have gone further.
  world_->Close();
  std::filesystem::copy(dir_.Sub("world/log"), dir_.Sub("old-log"),
                        std::filesystem::copy_options::recursive);
  world_->Open();
  PostClientComment("q1");
  PostClientComment("q2");
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(ClientCommentsOnPlanned(), 3u);
  CloseViews();

  auto old_log = OpenLogOrDie(dir_.Sub("old-log"));
  ASSERT_LT(old_log->LastPosition(), Head());
  OpenViews({}, "views", old_log.get());
  EXPECT_EQ(runner_->Position(), 0u);  // dropped: it held events the log does not have
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(runner_->Position(), old_log->LastPosition());
  EXPECT_EQ(ClientCommentsOnPlanned(), 1u);
  EXPECT_EQ(StoredHashes(), FoldedHashes(old_log->LastPosition(), old_log.get()));
  CloseViews();
}

// A log restored from an older copy and appended to again holds other events at the positions
// the views reached, and goes past them: only the record at a view's checkpoint tells.
TEST_F(ProjectionRunnerTest, AViewFoldedFromEventsARestoredLogNoLongerHoldsIsRebuilt) {
  KeepACopyOfTheLog();
  PostClientComment("q1");
  PostClientComment("q2");
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  const uint64_t folded = Head();
  CloseViews();

  RestoreTheCopyOfTheLog();
  for (const char* id : {"r1", "r2", "r3"}) PostClientComment(id);
  ASSERT_GT(Head(), folded);
  OpenViews();
  EXPECT_EQ(runner_->Position(), 0u);  // dropped: it held q1 and q2, which this log never had
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// The same for views stopped part-way through their first fold (not yet served).
TEST_F(ProjectionRunnerTest, PartBuiltViewsOfARestoredAndAppendedLogAreRebuilt) {
  KeepACopyOfTheLog();
  const uint64_t restored = Head();
  for (int i = 0; i < 40; ++i) PostClientComment("q" + std::to_string(i));
  ProjectionRunnerOptions small_rounds;
  small_rounds.catch_up_batch_events = 5;
  OpenViews(small_rounds);
  store_->FailCommits(1000, 200);  // some rounds past the copy, short of the head
  EXPECT_FALSE(runner_->CatchUp().ok());
  std::map<std::string, ViewCheckpoint> before;
  for (const std::string& view : StoredViewNames()) {
    ASSERT_TRUE(store_->GetCheckpoint(view, &before[view]).ok());
  }
  ASSERT_TRUE(std::any_of(before.begin(), before.end(), [&](const auto& named) {
    return named.second.position > restored && named.second.ready_at > 0;
  }));
  CloseViews();

  RestoreTheCopyOfTheLog();
  for (int i = 0; i < 60; ++i) PostClientComment("r" + std::to_string(i));
  OpenViews(small_rounds);
  for (const auto& [view, c] : before) {
    ViewCheckpoint now;
    ASSERT_TRUE(store_->GetCheckpoint(view, &now).ok());
    if (c.position > restored) {
      EXPECT_EQ(now.position, 0u) << view;
    }
  }
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// Live rounds written behind, on the same log: every view resumes where it stood (each round's
// record is the one the log holds there), none is folded again.
TEST_F(ProjectionRunnerTest, ViewsWrittenBehindResumeOnTheLogTheyFollowed) {
  ViewStoreOptions behind;
  behind.write_behind = milliseconds(20);
  ProjectionRunnerOptions options;
  options.max_batch_events = 2;
  OpenViews(options, "views", nullptr, behind);
  ASSERT_TRUE(runner_->CatchUp().ok());
  ASSERT_TRUE(runner_->Start().ok());
  uint64_t position = 0;
  for (int i = 0; i < 20; ++i) position = PostClientComment("live" + std::to_string(i));
  ASSERT_TRUE(runner_->WaitForPosition(position, milliseconds(5000)).ok());
  CloseViews();
  OpenViews();
  EXPECT_EQ(runner_->Position(), position);
  EXPECT_EQ(ViewsAtHead(), StoredViewNames().size());
}

TEST_F(ProjectionRunnerTest, FollowingLiveFoldsAnAppendWithinMoments) {
  OpenViews();
  ASSERT_TRUE(runner_->Start().ok());
  const uint64_t position = PostClientComment("q1");
  Status s = runner_->WaitForPosition(position, milliseconds(5000));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(runner_->LiveStatus().ok());
  EXPECT_EQ(ClientCommentsOnPlanned(), 2u);
  EXPECT_TRUE(runner_->WaitForPosition(position + 1, milliseconds(50)).IsTimedOut());
}

// Whether a thread of this process may run at real-time priority `priority` (CAP_SYS_NICE or
// RLIMIT_RTPRIO): where it may not, the runner follows at the normal one.
bool MayRunAtRealTimePriority(int priority) {
  bool may = false;
  std::thread([&] {
    sched_param param{};
    param.sched_priority = priority;
    may = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
  }).join();
  return may;
}

// The live thread folds at the priority asked for; a catch-up at its caller's.
TEST_F(ProjectionRunnerTest, ARunnerAskedForARealTimePriorityFollowsTheLogAtIt) {
  std::atomic<uint64_t> live_from{UINT64_MAX};
  std::atomic<int> catch_up_policy{-1}, live_policy{-1};
  ProjectionRunnerOptions options;
  options.realtime_priority = 1;
  options.on_advance = [&](uint64_t position) {
    (position >= live_from ? live_policy : catch_up_policy) = sched_getscheduler(0);
  };
  OpenViews(options);
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(catch_up_policy.load(), SCHED_OTHER);
  ASSERT_TRUE(runner_->Start().ok());
  live_from = Head() + 1;
  PostClientComment("q-live");
  ASSERT_TRUE(Within(milliseconds(10000), [&] { return live_policy != -1; }));
  EXPECT_EQ(live_policy.load(), MayRunAtRealTimePriority(1) ? SCHED_FIFO : SCHED_OTHER);
  EXPECT_EQ(ClientCommentsOnPlanned(), 2u);  // "Welcome!" and this one
}

TEST_F(ProjectionRunnerTest, ARealTimePriorityOutOfRangeIsRefused) {
  ProjectionRunnerOptions options;
  options.realtime_priority = 100;
  std::unique_ptr<ProjectionRunner> runner;
  const Status s = ProjectionRunner::Open(options, world_->log(), nullptr, {}, &runner);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.reason(), "projections.realtime_priority");
  EXPECT_EQ(runner, nullptr);
}

// A view set aside folds its way back in catch-up rounds on the live thread: those run at the
// normal priority (from far behind they would hold the machine's other threads off a CPU).
TEST_F(ProjectionRunnerTest, ARealTimeRunnerFoldsAViewSetAsideBackAtTheNormalPriority) {
  failing_view_ = "client-feed";
  ProjectionRunnerOptions options;
  options.realtime_priority = 1;
  options.max_batch_events = 1;  // the retry folds 10 events a round: several rounds
  std::atomic<bool> retrying{false};
  std::atomic<int> live_policy{-1}, retry_policy{-1};
  options.on_advance = [&](uint64_t) {
    const int policy = sched_getscheduler(0);
    std::atomic<int>& seen = retrying ? retry_policy : live_policy;
    if (seen == -1 || seen == SCHED_OTHER) seen = policy;  // FIFO, once seen, stays
  };
  OpenViews(options);
  ASSERT_TRUE(runner_->CatchUp().ok());
  view_fails_ = true;
  ASSERT_TRUE(runner_->Start().ok());
  for (int i = 0; i < 30; ++i) PostClientComment("q" + std::to_string(i));
  ASSERT_TRUE(
      Within(milliseconds(10000), [&] { return ViewsAtHead() == StoredViewNames().size() - 1; }));
  retrying = true;  // the log is quiet from here: every round is the feed's retry
  view_fails_ = false;
  ASSERT_TRUE(Within(milliseconds(70000), [&] { return CheckpointOf("client-feed") == Head(); }));
  EXPECT_EQ(live_policy.load(), MayRunAtRealTimePriority(1) ? SCHED_FIFO : SCHED_OTHER);
  EXPECT_EQ(retry_policy.load(), SCHED_OTHER);
}

// Written behind, a folded event is served in the process before the views database has it,
// and closing writes it: the views reopened equal a fold of the log.
TEST_F(ProjectionRunnerTest, ViewsWrittenBehindServeAFoldedAppendBeforeWritingIt) {
  ViewStoreOptions behind;
  behind.write_behind = std::chrono::hours(1);
  OpenViews({}, "views", nullptr, behind);
  ASSERT_TRUE(runner_->CatchUp().ok());
  ASSERT_TRUE(store_->FlushCommits().ok());
  ASSERT_TRUE(runner_->Start().ok());
  const uint64_t position = PostClientComment("q1");
  ASSERT_TRUE(runner_->WaitForPosition(position, milliseconds(5000)).ok());
  EXPECT_EQ(ClientCommentsOnPlanned(), 2u);
  {
    std::unique_ptr<ViewStore> outside = OpenViewsReadOnly(dir_.Sub("views"));
    ASSERT_NE(outside, nullptr);
    ViewCheckpoint written;
    ASSERT_TRUE(outside->GetCheckpoint("internal-timeline", &written).ok());
    EXPECT_LT(written.position, position);
  }
  CloseViews();
  OpenViews();
  EXPECT_EQ(StoredHashes(), FoldedHashes(position));
}

TEST_F(ProjectionRunnerTest, StopCommitsWhatWasFoldedAndFoldsNothingAfter) {
  ProjectionRunnerOptions options;
  options.max_batch_events = 50;
  options.max_batch_delay = milliseconds(20);
  OpenViews(options);
  ASSERT_TRUE(runner_->Start().ok());
  std::atomic<bool> appending{true};
  std::thread appender([&] {
    for (int i = 0; appending; i++) PostClientComment("burst-" + std::to_string(i));
  });
  std::this_thread::sleep_for(milliseconds(100));
  runner_->Stop();
  const uint64_t stopped_at = runner_->Position();
  std::this_thread::sleep_for(milliseconds(100));
  appending = false;
  appender.join();
  EXPECT_EQ(runner_->Position(), stopped_at);
  ASSERT_GT(stopped_at, 0u);
  ASSERT_LT(stopped_at, Head());
  // What the runner says it folded is what the views database holds, whole.
  for (const std::string& view : StoredViewNames()) {
    ViewCheckpoint checkpoint;
    ASSERT_TRUE(store_->GetCheckpoint(view, &checkpoint).ok());
    EXPECT_EQ(checkpoint.position, stopped_at) << view;
  }
  EXPECT_EQ(StoredHashes(), FoldedHashes(stopped_at));
}

TEST_F(ProjectionRunnerTest, LagMetricCountsTheBacklogUntilCaughtUp) {
  prometheus::Registry registry;
  ProjectionRunnerOptions options;
  options.metrics = &registry;
  OpenViews(options);
  for (const std::string& view : StoredViewNames()) {
    EXPECT_EQ(MetricValue(registry, "tandem_projection_lag_events", view),
              static_cast<double>(Head()))
        << view;
    EXPECT_EQ(MetricValue(registry, "tandem_projection_checkpoint", view), 0) << view;
  }
  ASSERT_TRUE(runner_->CatchUp().ok());
  for (const std::string& view : StoredViewNames()) {
    EXPECT_EQ(MetricValue(registry, "tandem_projection_lag_events", view), 0) << view;
    EXPECT_EQ(MetricValue(registry, "tandem_projection_checkpoint", view),
              static_cast<double>(Head()))
        << view;
  }
}

TEST_F(ProjectionRunnerTest, LagMetricReturnsToZeroWhileFollowingLive) {
  prometheus::Registry registry;
  ProjectionRunnerOptions options;
  options.metrics = &registry;
  OpenViews(options);
  ASSERT_TRUE(runner_->Start().ok());
  const uint64_t position = PostClientComment("q1");
  ASSERT_TRUE(runner_->WaitForPosition(position, milliseconds(5000)).ok());
  runner_->Stop();
  EXPECT_EQ(MetricValue(registry, "tandem_projection_lag_events", "client-timeline"), 0);
  EXPECT_EQ(MetricValue(registry, "tandem_projection_checkpoint", "client-timeline"),
            static_cast<double>(position));
}

// An operator tells a runner that cannot keep up (busy nearly all the time, so a long round
// gathers a large next one) from one that merely catches up after a restart.
TEST_F(ProjectionRunnerTest, RoundMetricsCountLiveRoundsApartFromCatchUpRounds) {
  prometheus::Registry registry;
  ProjectionRunnerOptions options;
  options.metrics = &registry;
  OpenViews(options);
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_GE(MetricValue(registry, "tandem_projection_round_seconds", "catch_up"), 1);
  EXPECT_EQ(HistogramSum(registry, "tandem_projection_round_events", "catch_up"),
            static_cast<double>(Head()));
  EXPECT_EQ(MetricValue(registry, "tandem_projection_round_seconds", "live"), 0);
  ASSERT_TRUE(runner_->Start().ok());
  ASSERT_TRUE(runner_->WaitForPosition(PostClientComment("q1"), milliseconds(5000)).ok());
  runner_->Stop();
  EXPECT_GE(MetricValue(registry, "tandem_projection_round_seconds", "live"), 1);
  EXPECT_EQ(HistogramSum(registry, "tandem_projection_round_events", "live"), 1);
  EXPECT_EQ(HistogramSum(registry, "tandem_projection_round_events", "catch_up"),
            static_cast<double>(Head() - 1));
}

TEST_F(ProjectionRunnerTest, FoldAndCommitSecondsAccrueForEveryViewFolded) {
  prometheus::Registry registry;
  ProjectionRunnerOptions options;
  options.metrics = &registry;
  OpenViews(options);
  for (const std::string& view : StoredViewNames()) {
    EXPECT_EQ(MetricValue(registry, "tandem_projection_commit_seconds_total", view), 0) << view;
  }
  ASSERT_TRUE(runner_->CatchUp().ok());
  for (const std::string& view : StoredViewNames()) {
    EXPECT_GT(MetricValue(registry, "tandem_projection_fold_seconds_total", view), 0) << view;
    EXPECT_GT(MetricValue(registry, "tandem_projection_commit_seconds_total", view), 0) << view;
  }
}

// The live thread publishes the metrics between batches (every 100 ms when idle) while a
// rebuild on another thread moves the checkpoints (a data race ThreadSanitizer reports).
TEST_F(ProjectionRunnerTest, MetricsStayRightWhileARebuildRunsBesideTheLiveThread) {
  prometheus::Registry registry;
  ProjectionRunnerOptions options;
  options.metrics = &registry;
  OpenViews(options);
  ASSERT_TRUE(runner_->Start().ok());
  ASSERT_TRUE(runner_->WaitForPosition(PostClientComment("q1"), milliseconds(5000)).ok());
  for (int i = 0; i < 3; i++) {
    std::this_thread::sleep_for(milliseconds(120));
    ASSERT_TRUE(runner_->Rebuild({}).ok());
  }
  runner_->Stop();
  for (const std::string& view : StoredViewNames()) {
    EXPECT_EQ(MetricValue(registry, "tandem_projection_lag_events", view), 0) << view;
    EXPECT_EQ(MetricValue(registry, "tandem_projection_checkpoint", view),
              static_cast<double>(Head()))
        << view;
  }
}

TEST_F(ProjectionRunnerTest, CheckpointSurvivesReopeningSoEventsAreFoldedOnce) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  const uint64_t folded = runner_->Position();
  CloseViews();
  PostClientComment("q1");
  OpenViews();
  EXPECT_EQ(runner_->Position(), folded);
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(ClientCommentsOnPlanned(), 2u);
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// A round's views commit buffered and their log records are written together at its end: the
// runner reports the round folded only then, so a position it reported survives a kill.
TEST_F(ProjectionRunnerTest, ARoundIsReportedFoldedOnlyOnceItsCommitsAreWritten) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  PostClientComment("q1");
  const uint64_t before = runner_->Position();
  int flushes = 0;
  store_->on_flush = [&] {
    flushes++;
    ViewCheckpoint committed;
    ASSERT_TRUE(store_->GetCheckpoint("client-timeline", &committed).ok());
    EXPECT_EQ(committed.position, Head());   // committed, in this process
    EXPECT_EQ(runner_->Position(), before);  // and not yet reported
  };
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(flushes, 1);
  EXPECT_EQ(runner_->Position(), Head());
}

// When the views' log cannot be written, the round is not reported folded and the store takes
// no more commits (folding the round again on top would apply it twice); reopened, the views
// fold it again from what the log held, each event once.
TEST_F(ProjectionRunnerTest, AViewsLogThatCannotBeWrittenAdvancesNothingAndFoldsNothingTwice) {
  auto faults = std::make_shared<FaultFileSystem>();
  ViewStoreOptions store_options;
  store_options.file_system = faults;
  OpenViews({}, "views", nullptr, store_options);
  ASSERT_TRUE(runner_->CatchUp().ok());
  const uint64_t before = runner_->Position();
  PostClientComment("q1");
  faults->Inject(FaultOp::kAppend, ".log");
  EXPECT_TRUE(runner_->CatchUp().IsIOError());
  EXPECT_EQ(runner_->Position(), before);
  faults->Heal();
  EXPECT_TRUE(runner_->CatchUp().IsIOError());  // until reopened
  CloseViews();
  OpenViews();
  EXPECT_EQ(runner_->Position(), before);
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(ClientCommentsOnPlanned(), 2u);  // "Welcome!" and q1, each once
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

// Each view's checkpoint as a views database at `path` holds them, opened read-only.
std::map<std::string, uint64_t> StoredCheckpoints(const std::string& path) {
  std::unique_ptr<ViewStore> store = OpenViewsReadOnly(path);
  std::map<std::string, uint64_t> out;
  for (const std::string& view : StoredViewNames()) {
    ViewCheckpoint c;
    if (store != nullptr && store->GetCheckpoint(view, &c).ok()) out[view] = c.position;
  }
  return out;
}

// The directory's commit is buffered first in a round; a later view's commit of the same round
// that is big enough to be ingested as tables is durable and seen by other processes at once.
// The buffered commits before it must reach the log first: a reader in another process never
// sees a view ahead of the directory (its reads would be refused). A restarted engine's first
// catch-up ingests into empty memtables, which RocksDB does without writing the log's buffer
// itself. (What a kill leaves at that moment: ProjectionCrashTest.AKillRightAfterAnIngested...)
TEST_F(ProjectionRunnerTest, NoViewIsAheadOfTheDirectoryOutsideTheProcessWhenRowsAreIngested) {
  ViewStoreOptions store_options;
  store_options.ingest_batch_bytes = 4096;
  OpenViews({}, "views", nullptr, store_options);
  ASSERT_TRUE(runner_->CatchUp().ok());
  CloseViews();
  for (int i = 0; i < 150; i++) PostClientComment("bulk-" + std::to_string(i));
  OpenViews({}, "views", nullptr, store_options);
  int flushes = 0;
  store_->on_flush = [&] {
    if (flushes++ > 0) return;
    const std::map<std::string, uint64_t> seen = StoredCheckpoints(dir_.Sub("views"));
    ASSERT_EQ(seen.count("directory"), 1u);
    for (const auto& [view, position] : seen) EXPECT_LE(position, seen.at("directory")) << view;
  };
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_GE(flushes, 1);
}

TEST_F(ProjectionRunnerTest, CatchUpCommitsEveryCatchUpBatchEvents) {
  ProjectionRunnerOptions options;
  options.catch_up_batch_events = 10;
  OpenViews(options);  // marks every view unserved until it has folded the log: one commit each
  store_->commits = 0;
  ASSERT_GT(Head(), 30u);
  ASSERT_TRUE(runner_->CatchUp().ok());
  // A commit per view per round of 10 events, but one for both views that gate reads.
  EXPECT_EQ(store_->commits, static_cast<int>((Head() + 9) / 10 * (StoredViewNames().size() - 1)));
  EXPECT_EQ(StoredHashes(), FoldedHashes(Head()));
}

TEST_F(ProjectionRunnerTest, RebuildOfOneViewFoldsItAgainToTheSameRows) {
  OpenViews();
  ASSERT_TRUE(runner_->CatchUp().ok());
  const auto before = StoredHashes();
  const int commits = store_->commits;
  ASSERT_TRUE(runner_->Rebuild({"client-timeline"}).ok());
  EXPECT_GT(store_->commits, commits);
  EXPECT_EQ(StoredHashes(), before);
  EXPECT_EQ(runner_->Position(), Head());
}

// A crash between two of a rebuild's drops, then during the catch-up after it: the views not
// dropped must not be left ahead of a directory folded again from the start (readers refuse a
// view ahead of the directory until it catches up).
TEST_F(ProjectionRunnerTest, ARebuildStoppedBetweenTwoDropsLeavesTheViewsNotDroppedReadable) {
  ProjectionRunnerOptions options;
  options.catch_up_batch_events = 10;
  OpenViews(options);
  ASSERT_TRUE(runner_->CatchUp().ok());
  store_->drops_before_failure = 2;
  ASSERT_FALSE(runner_->Rebuild({}).ok());
  store_->FailCommits(1000, 1);
  ASSERT_FALSE(runner_->CatchUp().ok());
  std::unique_ptr<ViewSource> source;
  ASSERT_TRUE(OpenLiveViewSource(store_.get(), &source).ok());
  const RowReader* rows = nullptr;
  ASSERT_TRUE(source->Reader("directory", &rows).ok());
  Status s = source->Reader("client-board", &rows);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// The two views that gate reads are dropped last, report links before the directory: a crash
// between those two drops leaves report links folded again from the start and the directory
// where it was, never report links ahead of it (the order every round commits them in).
TEST_F(ProjectionRunnerTest, ARebuildStoppedBetweenTheGatesDropsLeavesNoGateAheadOfTheDirectory) {
  OpenViews(ProjectionRunnerOptions());
  ASSERT_TRUE(runner_->CatchUp().ok());
  const int gates = 2;  // the directory and report links
  store_->drops_before_failure = static_cast<int>(StoredViewNames().size()) - gates + 1;
  ASSERT_FALSE(runner_->Rebuild({}).ok());
  ViewCheckpoint directory, links;
  ASSERT_TRUE(store_->GetCheckpoint("directory", &directory).ok());
  ASSERT_TRUE(store_->GetCheckpoint("report-links", &links).ok());
  EXPECT_GT(directory.position, 0u);
  EXPECT_EQ(links.position, 0u);
}

}  // namespace
}  // namespace tandem::test
