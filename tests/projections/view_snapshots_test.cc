// Snapshots of the views database: a read of the past that starts from one answers exactly what
// the fold from the log's beginning answers, and a snapshot that cannot stand in is never used.
#include "tandem/projections/view_snapshots.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tandem/projections/reports.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::object;

class ViewSnapshotsTest : public StandardViewTest {
 protected:
  void SetUp() override {
    StandardViewTest::SetUp();
    options_.dir = dir_.Sub("snapshots");
    options_.keep = 100;
  }

  // A few rounds of the work a project sees, on both clients' projects: comments in client and
  // internal threads (with replies), milestones planned and moved, cards created and moved,
  // documents uploaded. A snapshot after each round.
  void TellStoryTakingSnapshots(int rounds, bool take = true) {
    ViewWorld& w = *world_;
    for (int i = 0; i < rounds; ++i) {
      const std::string n = std::to_string(i);
      for (const std::string c : {"acme", "globex"}) {
        const std::string p = "p-" + c;
        w.MustRun(Cmd("comment.post", "northwind", c + "-member",
                      {{"project_id", p},
                       {"thread_id", "t-client"},
                       {"comment_id", c + "-q" + n},
                       {"body", "Question " + n}}));
        w.MustRun(Cmd("comment.post", "northwind", "pm",
                      {{"project_id", p},
                       {"thread_id", "t-client"},
                       {"comment_id", c + "-a" + n},
                       {"reply_to", "client:" + c + ":" + c + "-q" + n},
                       {"body", "Answer " + n}}));
        w.MustRun(Cmd("comment.post", "northwind", "pm",
                      {{"project_id", p},
                       {"thread_id", "t-internal-" + n},
                       {"comment_id", c + "-i" + n},
                       {"audience", "internal"},
                       {"anchor", object{{"kind", "milestone"}, {"id", "m-planned"}}},
                       {"body", "Note " + n}}));
        w.MustRun(Cmd("milestone.plan", "northwind", "pm",
                      {{"project_id", p},
                       {"milestone_id", "m" + n},
                       {"title", "Step " + n},
                       {"planned_date", "2027-0" + std::to_string(1 + i % 9) + "-01"}}));
        w.MustRun(Cmd("milestone.reschedule", "northwind", "pm",
                      {{"project_id", p},
                       {"milestone_id", "m" + n},
                       {"expected_version", "any"},
                       {"new_date", "2027-10-01"},
                       {"reason", "moved " + n}}));
        w.MustRun(Cmd("card.create", "northwind", "pm",
                      {{"project_id", p},
                       {"board_id", "cb"},
                       {"card_id", "card" + n},
                       {"title", "Card " + n}}));
        w.MustRun(Cmd("card.move", "northwind", "pm",
                      {{"project_id", p},
                       {"card_id", "card" + n},
                       {"to_column", "Assigned"},
                       {"expected_version", "any"}}));
        w.MustRun(Cmd(
            "file.upload", "northwind", "pm",
            {{"project_id", p}, {"name", "notes-" + n + ".txt"}, {"content_base64", "aGVsbG8="}}));
      }
      if (!take) continue;
      w.CatchUp();
      ViewSnapshotManifest taken;
      ASSERT_TRUE(TakeViewSnapshot(w.store(), w.log(), options_, &taken).ok());
      EXPECT_EQ(taken.position, w.log()->LastPosition());
    }
  }

  // The whole log folded as of `position`: from a snapshot when `snapshots`.
  std::unique_ptr<ViewSource> FoldAll(uint64_t position, bool snapshots) {
    AsOfScope scope;
    scope.position = position;
    if (snapshots) scope.snapshots = options_.dir;
    std::unique_ptr<ViewSource> source;
    Status s = FoldAsOf(world_->log(), scope, &source);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return source;
  }

  // Where a fold of `scope` given the snapshots starts (0: the log's beginning).
  uint64_t FoldedFromSnapshots(AsOfScope scope) {
    scope.snapshots = options_.dir;
    std::unique_ptr<ViewSource> source;
    Status s = FoldAsOf(world_->log(), scope, &source);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? source->folded_from() : UINT64_MAX;
  }

  std::unique_ptr<ViewSource> Live() {
    std::unique_ptr<ViewSource> live;
    EXPECT_TRUE(OpenLiveViewSource(world_->store(), &live).ok());
    return live;
  }

  std::map<std::string, std::string> Hashes(ViewSource* source) {
    std::map<std::string, std::string> hashes;
    for (const std::string& view : StoredViewNames()) {
      EXPECT_TRUE(HashView(source, view, &hashes[view]).ok()) << view;
    }
    return hashes;
  }

  ViewSnapshotOptions options_;
};

TEST_F(ViewSnapshotsTest, AReadOfThePastFromASnapshotHashesAsTheFoldFromTheStart) {
  const uint64_t before = world_->log()->LastPosition();
  TellStoryTakingSnapshots(3);
  std::vector<ViewSnapshotManifest> snapshots;
  ASSERT_TRUE(ListViewSnapshots(options_.dir, &snapshots).ok());
  ASSERT_EQ(snapshots.size(), 3u);
  for (uint64_t p = before; p <= world_->log()->LastPosition(); ++p) {
    std::unique_ptr<ViewSource> from_start = FoldAll(p, false);
    std::unique_ptr<ViewSource> from_snapshot = FoldAll(p, true);
    ASSERT_NE(from_snapshot, nullptr);
    // The newest snapshot at or before the moment.
    uint64_t expected = 0;
    for (const ViewSnapshotManifest& m : snapshots) {
      if (m.position <= p) expected = m.position;
    }
    EXPECT_EQ(from_snapshot->folded_from(), expected) << p;
    EXPECT_EQ(Hashes(from_snapshot.get()), Hashes(from_start.get())) << "as of " << p;
  }
}

TEST_F(ViewSnapshotsTest, AViewAheadOfTheOthersInASnapshotFoldsOnlyWhatItLacks) {
  world_->CatchUp();
  TellStoryTakingSnapshots(1, false);
  {  // Two views folded further than the others when the snapshot is taken.
    std::vector<std::unique_ptr<Projection>> ahead;
    ASSERT_TRUE(MakeProjections({"client-timeline", "internal-threads"}, &ahead).ok());
    std::unique_ptr<ProjectionRunner> runner;
    ASSERT_TRUE(ProjectionRunner::Open(ProjectionRunnerOptions(), world_->log(), world_->store(),
                                       std::move(ahead), &runner)
                    .ok());
    ASSERT_TRUE(runner->CatchUp().ok());
  }
  ViewSnapshotManifest taken;
  ASSERT_TRUE(TakeViewSnapshot(world_->store(), world_->log(), options_, &taken).ok());
  const uint64_t head = world_->log()->LastPosition();
  ASSERT_EQ(taken.position, head);
  ViewCheckpoint behind;
  ASSERT_TRUE(world_->store()->GetCheckpoint("directory", &behind).ok());
  ASSERT_LT(behind.position, head);
  std::unique_ptr<ViewSource> from_snapshot = FoldAll(head, true);
  ASSERT_NE(from_snapshot, nullptr);
  EXPECT_EQ(from_snapshot->folded_from(), head);
  EXPECT_EQ(Hashes(from_snapshot.get()), Hashes(FoldAll(head, false).get()));
}

TEST_F(ViewSnapshotsTest, AnOwnersReportOfThePastFromASnapshotIsTheSame) {
  TellStoryTakingSnapshots(2);
  const uint64_t head = world_->log()->LastPosition();
  std::unique_ptr<ViewSource> live = Live();
  ReportRequest request;
  request.workspace = "northwind";
  request.as_member = "owner";
  request.by = {"client", "week"};
  request.now_us = kTestNowUs;
  request.live = live.get();
  std::string answers[2];
  for (int snapshots = 0; snapshots < 2; ++snapshots) {
    AsOfScope scope;
    ASSERT_TRUE(ReportAsOfScope(request, head - 3, &scope).ok());
    EXPECT_TRUE(scope.projects_are_all);
    if (snapshots) scope.snapshots = options_.dir;
    std::unique_ptr<ViewSource> source;
    ASSERT_TRUE(FoldAsOf(world_->log(), scope, &source).ok());
    EXPECT_EQ(source->folded_from() > 0, snapshots == 1);
    ASSERT_TRUE(ReadReport(request, source.get(), &answers[snapshots]).ok());
  }
  EXPECT_EQ(answers[1], answers[0]);
}

TEST_F(ViewSnapshotsTest, AClientsReadOfThePastNeverStartsFromASnapshotOfEveryProject) {
  TellStoryTakingSnapshots(1);
  std::unique_ptr<ViewSource> live = Live();
  ViewRequest request;
  request.view = "action-items";
  request.workspace = "northwind";
  request.member = "acme-member";
  request.live = live.get();
  AsOfScope scope;
  ASSERT_TRUE(AsOfScopeFor(request, world_->log()->LastPosition(), &scope).ok());
  ASSERT_FALSE(scope.projects_are_all);
  EXPECT_EQ(FoldedFromSnapshots(scope), 0u);
}

// Snapshots are taken as every tenant's events add up: a client's read of the past timed from
// one would tell how busy the other tenants were, even when its client has every project.
TEST_F(ViewSnapshotsTest, AClientWithEveryProjectOfItsWorkspaceNeverReadsFromASnapshot) {
  world_->MustRun(Cmd("project.create", "contoso", "contoso-owner",
                      {{"project_id", "c1"}, {"client_id", "acme"}, {"name", "Only"}}));
  TellStoryTakingSnapshots(1);
  std::unique_ptr<ViewSource> live = Live();
  ReportRequest request;
  request.workspace = "contoso";
  request.as_member = "contoso-client_admin";
  request.live = live.get();
  AsOfScope scope;
  ASSERT_TRUE(ReportAsOfScope(request, world_->log()->LastPosition(), &scope).ok());
  ASSERT_TRUE(scope.projects_are_all);
  EXPECT_TRUE(scope.client_side);
  EXPECT_EQ(FoldedFromSnapshots(scope), 0u);
}

TEST_F(ViewSnapshotsTest, ASnapshotOfAnotherVersionIsNotUsed) {
  TellStoryTakingSnapshots(1);
  const uint64_t head = world_->log()->LastPosition();
  std::vector<ViewSnapshotManifest> snapshots;
  ASSERT_TRUE(ListViewSnapshots(options_.dir, &snapshots).ok());
  ASSERT_EQ(snapshots.size(), 1u);
  {  // The copy's timeline as an older version of its projection left it.
    ViewStoreOptions writable;
    writable.create_if_missing = false;
    std::unique_ptr<ViewStore> copy;
    ASSERT_TRUE(ViewStore::Open(writable, ViewSnapshotFolder(options_.dir, head), &copy).ok());
    ViewCheckpoint c;
    ASSERT_TRUE(copy->GetCheckpoint("client-timeline", &c).ok());
    c.version -= 1;
    std::unique_ptr<ViewBatch> batch = copy->NewBatch();
    batch->SetCheckpoint("client-timeline", c);
    ASSERT_TRUE(copy->Commit(batch.get()).ok());
  }
  std::unique_ptr<ViewSource> source = FoldAll(head, true);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->folded_from(), 0u);  // the manifest disagrees with the copy
  std::unique_ptr<ViewSource> from_start = FoldAll(head, false);
  EXPECT_EQ(Hashes(source.get()), Hashes(from_start.get()));
}

TEST_F(ViewSnapshotsTest, AFolderWithoutAWholeManifestIsNoSnapshotAndIsCleanedAway) {
  TellStoryTakingSnapshots(1);
  const uint64_t head = world_->log()->LastPosition();
  const std::string folder = ViewSnapshotFolder(options_.dir, head);
  std::filesystem::resize_file(folder + "/tandem-snapshot.json", 10);  // torn
  std::vector<ViewSnapshotManifest> snapshots;
  ASSERT_TRUE(ListViewSnapshots(options_.dir, &snapshots).ok());
  EXPECT_TRUE(snapshots.empty());
  std::unique_ptr<ViewSource> source = FoldAll(head, true);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->folded_from(), 0u);
  ASSERT_TRUE(RemoveViewSnapshotsOfAnotherLog(options_.dir, world_->log()).ok());
  EXPECT_FALSE(std::filesystem::exists(folder));
}

// A log restored from an older copy and appended to again holds other events at the same
// positions: a snapshot folded from the old one names an event the log does not hold.
TEST_F(ViewSnapshotsTest, ASnapshotOfAnotherLogIsNeitherUsedNorKept) {
  TellStoryTakingSnapshots(1);
  const uint64_t head = world_->log()->LastPosition();
  const std::string manifest = ViewSnapshotFolder(options_.dir, head) + "/tandem-snapshot.json";
  std::string text;
  {
    std::ifstream in(manifest);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const size_t at = text.find("\"record_sha256\":\"");
  ASSERT_NE(at, std::string::npos) << text;
  text[at + 17] = text[at + 17] == '0' ? '1' : '0';  // another record's digest
  std::ofstream(manifest, std::ios::trunc) << text;
  std::unique_ptr<ViewSource> source = FoldAll(head, true);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->folded_from(), 0u);
  ASSERT_TRUE(RemoveViewSnapshotsOfAnotherLog(options_.dir, world_->log()).ok());
  std::vector<ViewSnapshotManifest> left;
  ASSERT_TRUE(ListViewSnapshots(options_.dir, &left).ok());
  EXPECT_TRUE(left.empty());
}

// A damaged table of a copy (its hard link to the live views' file broken) is found before any
// row is read: the read answers from the log's beginning instead of failing or ending short.
TEST_F(ViewSnapshotsTest, ASnapshotWithADamagedTableIsNotUsed) {
  // One copy of enough rows that a view's table holds several blocks: the damage is in one that
  // only a scan reads.
  TellStoryTakingSnapshots(12, false);
  world_->CatchUp();
  ViewSnapshotManifest taken;
  ASSERT_TRUE(TakeViewSnapshot(world_->store(), world_->log(), options_, &taken).ok());
  const uint64_t head = world_->log()->LastPosition();
  std::filesystem::path largest;
  for (const auto& e :
       std::filesystem::directory_iterator(ViewSnapshotFolder(options_.dir, head))) {
    if (e.path().extension() == ".sst" &&
        (largest.empty() || e.file_size() > std::filesystem::file_size(largest))) {
      largest = e.path();
    }
  }
  ASSERT_FALSE(largest.empty());
  const std::filesystem::path copy = largest.string() + ".copy";
  std::filesystem::copy_file(largest, copy);
  std::filesystem::rename(copy, largest);  // no longer the live views' file
  {
    std::fstream f(largest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(largest) / 3));
    f.write("DAMAGED!", 8);
  }
  std::unique_ptr<ViewSource> source = FoldAll(head, true);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->folded_from(), 0u);
  EXPECT_EQ(Hashes(source.get()), Hashes(FoldAll(head, false).get()));
}

TEST(ViewSnapshotThinningTest, KeepsTheNewestAndSpreadsTheRest) {
  // Evenly spaced: the oldest gaps merge first, the newest is never removed.
  EXPECT_EQ(SnapshotsToThin({100, 200, 300, 400, 500}, 3), (std::vector<uint64_t>{100, 300}));
  // A cluster loses its members first.
  EXPECT_EQ(SnapshotsToThin({100, 500, 510, 520, 1000}, 3), (std::vector<uint64_t>{500, 510}));
  EXPECT_EQ(SnapshotsToThin({100, 200}, 0), (std::vector<uint64_t>{100}));
  EXPECT_TRUE(SnapshotsToThin({100, 200}, 2).empty());
}

TEST_F(ViewSnapshotsTest, TakingMoreThanKeptThinsThem) {
  options_.keep = 2;
  TellStoryTakingSnapshots(4);
  std::vector<ViewSnapshotManifest> snapshots;
  ASSERT_TRUE(ListViewSnapshots(options_.dir, &snapshots).ok());
  ASSERT_EQ(snapshots.size(), 2u);
  EXPECT_EQ(snapshots.back().position, world_->log()->LastPosition());
}

TEST_F(ViewSnapshotsTest, TheSnapshotterTakesOneOnceTheViewsHaveMovedOnEnough) {
  world_->CatchUp();
  options_.every_events = 10;
  std::unique_ptr<ViewSnapshotter> snapshotter;
  ProjectionRunner* runner = world_->runner();
  ASSERT_TRUE(ViewSnapshotter::Start(
                  options_, world_->store(), world_->log(), [runner] { return runner->Position(); },
                  &snapshotter)
                  .ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (snapshotter->taken() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(snapshotter->taken(), 1u);
  snapshotter.reset();
  std::vector<ViewSnapshotManifest> snapshots;
  ASSERT_TRUE(ListViewSnapshots(options_.dir, &snapshots).ok());
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_EQ(snapshots[0].position, world_->log()->LastPosition());
}

}  // namespace
}  // namespace tandem::test
