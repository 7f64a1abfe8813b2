// Review of 9fc42d4 (each view commits its rows and checkpoint on its own): the directory decides
// who may read what, so no view may be readable ahead of it. The real views database, watched
// at every commit by a reader asking as a member, as a server would between two commits.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "command_world.h"
#include "failing_projection.h"
#include "forwarding_view_store.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/reports.h"
#include "tandem/projections/views.h"

namespace tandem::test {
namespace {

// The real views database; `before_commit` is called before each commit with the views it writes.
class WatchedStore : public ForwardingViewStore {
  struct Batch : public ViewBatch {
    explicit Batch(std::unique_ptr<ViewBatch> b) : base(std::move(b)) {}
    ViewRows* Rows(std::string_view view) override {
      views.insert(std::string(view));
      return base->Rows(view);
    }
    void SetCheckpoint(std::string_view view, const ViewCheckpoint& checkpoint) override {
      views.insert(std::string(view));
      checkpoints[std::string(view)] = checkpoint.position;
      base->SetCheckpoint(view, checkpoint);
    }
    void SetSourceOffset(std::string_view view, const SourceOffset& offset) override {
      base->SetSourceOffset(view, offset);
    }
    size_t ApproximateBytes() const override { return base->ApproximateBytes(); }
    std::unique_ptr<ViewBatch> base;
    std::set<std::string> views;
    std::map<std::string, uint64_t> checkpoints;  // view -> position
  };

 public:
  using ForwardingViewStore::ForwardingViewStore;
  using ForwardingViewStore::NewBatch;
  std::unique_ptr<ViewBatch> NewBatch(const BatchOptions& options) override {
    return std::make_unique<Batch>(ForwardingViewStore::NewBatch(options));
  }
  using ForwardingViewStore::Commit;
  Status Commit(ViewBatch* batch, const CommitOptions& options) override {
    auto* b = static_cast<Batch*>(batch);
    if (before_commit) before_commit(b->views);
    if (fail_commit) {
      if (Status f = fail_commit(b->views); !f.ok()) return f;
    }
    Status s = ForwardingViewStore::Commit(b->base.get(), options);
    if (s.ok() && committed) committed(b->checkpoints);
    return s;
  }
  using ForwardingViewStore::NewReader;
  Status NewReader(std::string_view view, const ReaderOptions& options,
                   std::unique_ptr<ViewReader>* reader) override {
    Status s = ForwardingViewStore::NewReader(view, options, reader);
    if (after_new_reader) after_new_reader(view);
    return s;
  }

  std::function<void(const std::set<std::string>&)> before_commit;
  std::function<Status(const std::set<std::string>&)> fail_commit;  // the commit fails with it
  std::function<void(std::string_view)> after_new_reader;
  // After each commit, with the checkpoints it wrote (view -> position).
  std::function<void(const std::map<std::string, uint64_t>&)> committed;
};

class ViewOrderReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<CommandWorld>(dir_.Sub("world"));
    world_->BuildStandard();
    std::unique_ptr<ViewStore> base;
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &base).ok());
    store_ = std::make_unique<WatchedStore>(std::move(base));
    std::vector<std::unique_ptr<Projection>> projections;
    ASSERT_TRUE(MakeProjections({}, &projections).ok());
    ASSERT_TRUE(ProjectionRunner::Open(ProjectionRunnerOptions(), world_->log(), store_.get(),
                                       std::move(projections), &runner_)
                    .ok());
  }
  void TearDown() override {
    runner_.reset();
    store_.reset();
  }

  // A runner opened again over the same views (its caches empty), with `options`.
  void ReopenRunner(const ProjectionRunnerOptions& options) {
    runner_.reset();
    std::vector<std::unique_ptr<Projection>> projections;
    ASSERT_TRUE(MakeProjections({}, &projections).ok());
    ASSERT_TRUE(ProjectionRunner::Open(options, world_->log(), store_.get(), std::move(projections),
                                       &runner_)
                    .ok());
  }

  // Every stored row of `view` overwritten with bytes that are not a row.
  void DamageRows(const std::string& view) {
    std::vector<std::string> keys;
    {
      std::unique_ptr<ViewReader> reader;
      ASSERT_TRUE(store_->NewReader(view, &reader).ok());
      ASSERT_TRUE(reader
                      ->Scan("",
                             [&](std::string_view key, std::string_view) {
                               keys.emplace_back(key);
                               return true;
                             })
                      .ok());
    }
    ASSERT_FALSE(keys.empty());
    std::unique_ptr<ViewBatch> batch = store_->NewBatch();
    for (const std::string& key : keys) batch->Rows(view)->Put(key, "damaged");
    ASSERT_TRUE(store_->Commit(batch.get()).ok());
  }

  // A first catch-up where the views that decide access are the cheapest, as in any real
  // history (the directory folds only workspace events).
  void CatchUpWithTheGatesCheapest() {
    store_->before_commit = [](const std::set<std::string>& views) {
      if (!views.count("directory") && !views.count("report-links")) {
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
      }
    };
    ASSERT_TRUE(runner_->CatchUp().ok());
    store_->before_commit = nullptr;
  }

  // Catches up, calling `leaked` before every commit (one at a time); returns the views whose
  // commit a leak was seen before.
  std::vector<std::string> CatchUpWatching(const std::function<bool()>& leaked) {
    std::mutex mu;
    std::vector<std::string> leaks;
    store_->before_commit = [&](const std::set<std::string>& views) {
      std::lock_guard<std::mutex> lock(mu);
      if (leaked()) leaks.push_back(*views.begin());
    };
    EXPECT_TRUE(runner_->CatchUp().ok());
    store_->before_commit = nullptr;
    return leaks;
  }

  Status ReadThreads(const std::string& member, std::string* out) {
    std::unique_ptr<ViewSource> source;
    Status s = OpenLiveViewSource(store_.get(), &source);
    if (!s.ok()) return s;
    ViewRequest r;
    r.view = "threads";
    r.workspace = "northwind";
    r.member = member;
    r.project = "p-acme";
    return ReadView(r, source.get(), out);
  }

  Status ReadByLink(const std::string& token, std::string* out,
                    const std::vector<std::string>& by = {}) {
    std::unique_ptr<ViewSource> source;
    Status s = OpenLiveViewSource(store_.get(), &source);
    if (!s.ok()) return s;
    ReportRequest r;
    r.now_us = kTestNowUs;
    r.now_date = "2027-02-01";
    r.by = by;
    return ReadReportByLink(token, r, source.get(), out);
  }

  // What acme-member's threads query answers before each commit while `run` folds, and how
  // often: a reason, or "partial" / "whole" for a thread without or with its first comment.
  std::map<std::string, int> ThreadsAnswersWhile(const std::function<Status()>& run) {
    std::map<std::string, int> answers;
    store_->before_commit = [&](const std::set<std::string>&) {
      std::string out;
      const Status s = ReadThreads("acme-member", &out);
      ++answers[!s.ok()                                     ? s.reason()
                : out.find("Welcome!") == std::string::npos ? "partial"
                                                            : "whole"];
    };
    const Status s = run();
    store_->before_commit = nullptr;
    EXPECT_TRUE(s.ok()) << s.ToString();
    return answers;
  }

  // Told to try again until the views it reads are whole (the other views of the last round
  // may commit after them), never served part-built.
  static void ExpectOnlyTryAgainOrWhole(const std::map<std::string, int>& answers) {
    EXPECT_GT(answers.count("view.not_built"), 0u);
    for (const auto& [answer, times] : answers) {
      EXPECT_TRUE(answer == "view.not_built" || answer == "whole") << answer << " x" << times;
    }
  }

  ProjectionRunnerOptions SmallRounds() {
    ProjectionRunnerOptions options;
    options.catch_up_batch_events = 4;
    options.fold_threads = 1;
    return options;
  }

  // The project manager posts in acme's client thread.
  void PostInAcmesThread(const std::string& comment_id, const std::string& body) {
    world_->MustRun(Cmd("comment.post", "northwind", "pm",
                        {{"project_id", "p-acme"},
                         {"thread_id", "t-client"},
                         {"comment_id", comment_id},
                         {"audience", "client"},
                         {"body", body}}));
  }

  // The project manager issues a link to acme's report whose token hashes to `token_sha256`.
  void IssueAcmeLink(const std::string& link_id, const std::string& token_sha256,
                     const std::string& audience) {
    world_->MustRun(Cmd("report_link.issue", "northwind", "pm",
                        {{"project_id", "p-acme"},
                         {"link_id", link_id},
                         {"report", "kpis"},
                         {"expires_at_us", kTestNowUs + kDayUs},
                         {"token_sha256", token_sha256},
                         {"audience", audience}}));
  }
  void RevokeAcmeLink(const std::string& link_id) {
    world_->MustRun(
        Cmd("report_link.revoke", "northwind", "pm",
            {{"project_id", "p-acme"}, {"link_id", link_id}, {"expected_version", "any"}}));
  }
  // The owner makes staff acme's project manager.
  void MakeStaffManageAcme() {
    world_->MustRun(Cmd("role.grant", "northwind", "owner",
                        {{"member_id", "staff"},
                         {"role", "project_manager"},
                         {"project_id", "p-acme"},
                         {"expected_version", "any"}}));
  }
  static constexpr const char* kAcmeSecretSha256 =  // of "acme-link-secret"
      "4c6b11205ca0c2b6ecc7bc3769bf797284da682208bf376599c0514bdf6074eb";
  static constexpr const char* kInternalSecretSha256 =  // of "internal-link-secret"
      "f3ab25342699962a4d0f2743febd2c533865f50f93c7672a979f1751f00ded6b";

  // The firm takes acme-member's role away, then posts in acme's client thread.
  void RevokeAcmeMemberThenPostInItsThread() {
    world_->MustRun(Cmd(
        "role.revoke", "northwind", "owner",
        {{"member_id", "acme-member"}, {"role", "client_member"}, {"expected_version", "any"}}));
    PostInAcmesThread("after", "POSTED-AFTER-REVOCATION");
  }

  ScratchDir dir_;
  std::unique_ptr<CommandWorld> world_;
  std::unique_ptr<WatchedStore> store_;
  std::unique_ptr<ProjectionRunner> runner_;
};

TEST_F(ViewOrderReviewTest, AMemberWhoseRoleWasRevokedNeverReadsWhatWasPostedAfter) {
  CatchUpWithTheGatesCheapest();
  RevokeAcmeMemberThenPostInItsThread();
  // Between any two commits of the fold, acme-member asks for the thread.
  const auto leaks = CatchUpWatching([&] {
    std::string out;
    return ReadThreads("acme-member", &out).ok() &&
           out.find("POSTED-AFTER-REVOCATION") != std::string::npos;
  });
  EXPECT_TRUE(leaks.empty()) << "a revoked member read a comment posted after the revocation, "
                             << "before the commit of " << leaks.front();
  std::string out;
  EXPECT_EQ(ReadThreads("acme-member", &out).reason(), "view.unknown_member");
}

TEST_F(ViewOrderReviewTest, ARevokedReportLinkNeverShowsWhatWasFoldedAfter) {
  const std::string secret = "acme-link-secret";
  IssueAcmeLink("share", kAcmeSecretSha256, "client");
  CatchUpWithTheGatesCheapest();
  std::string before;
  ASSERT_TRUE(ReadByLink(secret, &before).ok());
  // The link is revoked, then acme's milestone completes (a fact of the link's report).
  RevokeAcmeLink("share");
  world_->MustRun(Cmd("milestone.complete", "northwind", "pm",
                      {{"project_id", "p-acme"},
                       {"milestone_id", "m-started"},
                       {"expected_version", "any"},
                       {"completed_date", "2027-01-10"}}));
  const auto leaks = CatchUpWatching([&] {
    std::string out;
    return ReadByLink(secret, &out).ok() && out != before;
  });
  EXPECT_TRUE(leaks.empty()) << "a revoked link showed a report folded after its revocation, "
                             << "before the commit of " << leaks.front();
  std::string out;
  EXPECT_EQ(ReadByLink(secret, &out).reason(), "report_link.revoked");
}

// Both gates are written in one commit: committed one after the other, a reader between the two
// read a link revoked in the round as valid, with the directory of the round's end (here the
// manager granted after the revocation, in the link's report by manager).
TEST_F(ViewOrderReviewTest, ARevokedReportLinkNeverShowsWhatTheDirectoryLearntAfter) {
  const std::string secret = "internal-link-secret";
  IssueAcmeLink("team", kInternalSecretSha256, "internal");
  CatchUpWithTheGatesCheapest();
  std::string before;
  ASSERT_TRUE(ReadByLink(secret, &before, {"manager"}).ok());
  ASSERT_NE(before.find(R"("manager":"pm")"), std::string::npos) << before;
  RevokeAcmeLink("team");
  MakeStaffManageAcme();
  const auto leaks = CatchUpWatching([&] {
    std::string out;
    return ReadByLink(secret, &out, {"manager"}).ok() &&
           out.find(R"("manager":"staff")") != std::string::npos;
  });
  EXPECT_TRUE(leaks.empty()) << "a revoked link showed the manager granted after its "
                             << "revocation, before the commit of " << leaks.front();
  std::string out;
  EXPECT_EQ(ReadByLink(secret, &out, {"manager"}).reason(), "report_link.revoked");
}

// The gates share a commit: report links found damaged in a round take the directory's part of
// it along, and the directory folds that part again (a fold that took its rows for written would
// leave the round's grant out of it for good).
TEST_F(ViewOrderReviewTest, DamagedReportLinksAreFoldedAgainAndTheDirectoryKeepsTheRound) {
  IssueAcmeLink("share", kAcmeSecretSha256, "internal");
  IssueAcmeLink("team", kInternalSecretSha256, "internal");
  ASSERT_TRUE(runner_->CatchUp().ok());
  DamageRows("report-links");
  ReopenRunner(ProjectionRunnerOptions());  // its folds then read the damaged rows
  MakeStaffManageAcme();
  RevokeAcmeLink("share");
  ASSERT_TRUE(runner_->CatchUp().ok());
  for (const char* view : {"directory", "report-links"}) {
    ViewCheckpoint checkpoint;
    ASSERT_TRUE(store_->GetCheckpoint(view, &checkpoint).ok());
    EXPECT_EQ(checkpoint.position, world_->log()->LastPosition()) << view;
  }
  std::string out;
  EXPECT_EQ(ReadByLink("acme-link-secret", &out).reason(), "report_link.revoked");
  const Status read = ReadByLink("internal-link-secret", &out, {"manager"});
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_NE(out.find(R"("manager":"staff")"), std::string::npos) << out;
}

// Report links that cannot fold hold no revocation of the round back: the directory, which
// shares their commit, is folded again without them and goes on, and a read by link, which would
// pair the links of before with the directory of after, is told to try again until they fold;
// the workspace's reports, which read no link, are served meanwhile.
TEST_F(ViewOrderReviewTest, ReportLinksThatCannotFoldHoldNoRevocationBackAndTheirReadsWait) {
  IssueAcmeLink("share", kAcmeSecretSha256, "client");
  ASSERT_TRUE(runner_->CatchUp().ok());
  std::string out;
  ASSERT_TRUE(ReadByLink("acme-link-secret", &out).ok());
  std::atomic<bool> failing{true};
  runner_.reset();
  std::vector<std::unique_ptr<Projection>> projections;
  ASSERT_TRUE(MakeProjections({}, &projections).ok());
  for (auto& p : projections) {
    if (p->name() == "report-links") p = std::make_unique<FlushFails>(std::move(p), &failing);
  }
  ASSERT_TRUE(ProjectionRunner::Open(ProjectionRunnerOptions(), world_->log(), store_.get(),
                                     std::move(projections), &runner_)
                  .ok());
  RevokeAcmeMemberThenPostInItsThread();
  for (int attempt = 0; attempt < 3; ++attempt) EXPECT_TRUE(runner_->CatchUp().IsIOError());
  EXPECT_EQ(ReadThreads("acme-member", &out).reason(), "view.unknown_member");
  EXPECT_EQ(ReadByLink("acme-link-secret", &out).reason(), "view.not_built");
  ReportRequest owners;  // a workspace report reads no link: still served
  owners.workspace = "northwind";
  owners.as_member = "owner";
  owners.now_us = kTestNowUs;
  owners.now_date = "2027-02-01";
  std::unique_ptr<ViewSource> source;
  ASSERT_TRUE(OpenLiveViewSource(store_.get(), &source).ok());
  const Status report = ReadReport(owners, source.get(), &out);
  EXPECT_TRUE(report.ok()) << report.ToString();
  failing = false;
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_TRUE(ReadByLink("acme-link-secret", &out).ok());
}

// Report links gate reads too, and both gates go first in every round, but the directory before
// them however long each took the round before: handed out by that cost, report links slower
// once went first, and a flush of the rows written behind sealed between the two commits left
// them ahead of the directory after a kill (ProjectionCrashTest).
TEST_F(ViewOrderReviewTest, TheDirectoryIsCommittedBeforeReportLinksWhateverEachTookBefore) {
  ReopenRunner(SmallRounds());
  uint64_t directory = 0;
  std::vector<std::string> ahead;
  store_->before_commit = [](const std::set<std::string>& views) {
    if (views.count("report-links")) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  };
  store_->committed = [&](const std::map<std::string, uint64_t>& checkpoints) {
    for (const auto& [view, position] : checkpoints) {
      if (view == "directory") {
        directory = std::max(directory, position);
      } else if (position > directory) {
        ahead.push_back(view + " at " + std::to_string(position));
      }
    }
  };
  ASSERT_TRUE(runner_->CatchUp().ok());
  store_->before_commit = nullptr;
  store_->committed = nullptr;
  EXPECT_GT(directory, 8u);  // several rounds of 4 events
  EXPECT_TRUE(ahead.empty()) << "committed ahead of the directory: " << ahead.front()
                             << " (directory at " << directory << ")";
}

// The gates commit in the order the runner is given them: the catalog must give the directory
// first, or the test above would pass while serve commits report links ahead of it.
TEST_F(ViewOrderReviewTest, TheCatalogGivesTheDirectoryFirstAmongTheGates) {
  std::vector<std::unique_ptr<Projection>> projections;
  ASSERT_TRUE(MakeProjections({"report-links", "client-board", "directory"}, &projections).ok());
  std::vector<std::string> gates;
  for (const auto& p : projections) {
    if (p->gates_reads()) gates.emplace_back(p->name());
  }
  EXPECT_EQ(gates, (std::vector<std::string>{"directory", "report-links"}));
}

// The directory, found damaged, is dropped and folded again from the log's start while the
// other views stay where they are: its commits on the way (a round at a time) must not show a
// revoked member the views folded past the revocation.
TEST_F(ViewOrderReviewTest,
       ADirectoryFoldedAgainAfterDamageNeverShowsARevokedMemberWhatWasPostedAfter) {
  RevokeAcmeMemberThenPostInItsThread();
  ASSERT_TRUE(runner_->CatchUp().ok());
  std::string out;
  ASSERT_EQ(ReadThreads("acme-member", &out).reason(), "view.unknown_member");
  // The directory's rows are damaged; the next event about a member makes its fold read them.
  DamageRows("directory");
  world_->MustRun(
      Cmd("role.grant", "northwind", "owner",
          {{"member_id", "staff"}, {"role", "project_manager"}, {"expected_version", "any"}}));
  ProjectionRunnerOptions options;
  options.catch_up_batch_events = 4;  // a long history: the directory is folded in many rounds
  options.fold_threads = 1;
  ReopenRunner(options);
  const auto leaks = CatchUpWatching([&] {
    std::string read;
    return ReadThreads("acme-member", &read).ok() &&
           read.find("POSTED-AFTER-REVOCATION") != std::string::npos;
  });
  EXPECT_TRUE(leaks.empty()) << "a revoked member read a comment posted after the revocation "
                             << "while the directory was folded again, before the commit of "
                             << leaks.front();
  EXPECT_EQ(ReadThreads("acme-member", &out).reason(), "view.unknown_member");
}

// A read opens the directory, then the view it asks for: a round committed in between (the
// revocation into the directory, a comment posted after it into the threads) must not pair the
// directory from before with the threads from after.
TEST_F(ViewOrderReviewTest,
       ARoundCommittedBetweenAReadsDirectoryAndThreadsNeverShowsTheRevokedMemberThePost) {
  CatchUpWithTheGatesCheapest();
  RevokeAcmeMemberThenPostInItsThread();
  bool folded = false;
  store_->after_new_reader = [&](std::string_view view) {
    if (view != "directory" || folded) return;
    folded = true;
    EXPECT_TRUE(runner_->CatchUp().ok());  // the live runner commits a round meanwhile
  };
  std::string out;
  const Status s = ReadThreads("acme-member", &out);
  store_->after_new_reader = nullptr;
  ASSERT_TRUE(folded);
  EXPECT_FALSE(s.ok() && out.find("POSTED-AFTER-REVOCATION") != std::string::npos)
      << "a revoked member read a comment posted after the revocation: " << out;
  EXPECT_EQ(ReadThreads("acme-member", &out).reason(), "view.unknown_member");
}

// The same race without a revocation: a query reads every view as of the moment it opened, so
// it is answered (not refused with "try again") and shows nothing committed after that moment.
TEST_F(ViewOrderReviewTest,
       ARoundCommittedBetweenAReadsDirectoryAndThreadsLeavesTheReadAsOfItsStart) {
  CatchUpWithTheGatesCheapest();
  PostInAcmesThread("during", "POSTED-DURING-THE-READ");
  bool folded = false;
  store_->after_new_reader = [&](std::string_view view) {
    if (view != "directory" || folded) return;
    folded = true;
    EXPECT_TRUE(runner_->CatchUp().ok());
  };
  std::string out;
  const Status s = ReadThreads("acme-member", &out);
  store_->after_new_reader = nullptr;
  ASSERT_TRUE(folded);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out.find("POSTED-DURING-THE-READ"), std::string::npos) << out;
  ASSERT_TRUE(ReadThreads("acme-member", &out).ok());
  EXPECT_NE(out.find("POSTED-DURING-THE-READ"), std::string::npos) << out;
}

// A directory being folded again (here: dropped) is not a missing workspace: the read is told to
// try again, and learns nothing of the workspace either way.
TEST_F(ViewOrderReviewTest, AReadWhileTheDirectoryIsNotBuiltIsToldToTryAgain) {
  ASSERT_TRUE(runner_->CatchUp().ok());
  runner_.reset();
  ASSERT_TRUE(store_->Drop("directory").ok());
  std::string out;
  EXPECT_EQ(ReadThreads("acme-member", &out).reason(), "view.not_built");
}

// Past its first round, a directory folded again from the start holds only the workspaces and
// members of the events it has reached: an existing member asking meanwhile is told to try
// again (the views it reads are ahead of the directory), never that it is unknown.
TEST_F(ViewOrderReviewTest, AnExistingMemberIsNeverCalledUnknownWhileTheDirectoryIsFoldedAgain) {
  ASSERT_TRUE(runner_->CatchUp().ok());
  runner_.reset();
  ASSERT_TRUE(store_->Drop("directory").ok());
  ProjectionRunnerOptions options;
  options.catch_up_batch_events = 4;  // many directory commits before acme-member's invitation
  options.fold_threads = 1;
  ReopenRunner(options);
  std::map<std::string, int> threads, reports;
  store_->before_commit = [&](const std::set<std::string>&) {
    std::string out;
    ++threads[ReadThreads("acme-member", &out).reason()];
    std::unique_ptr<ViewSource> source;
    ASSERT_TRUE(OpenLiveViewSource(store_.get(), &source).ok());
    ReportRequest r;
    r.workspace = "northwind";
    r.as_member = "acme-member";
    r.now_us = kTestNowUs;
    r.now_date = "2027-02-01";
    ++reports[ReadReport(r, source.get(), &out).reason()];
  };
  ASSERT_TRUE(runner_->CatchUp().ok());
  store_->before_commit = nullptr;
  for (const auto* answers : {&threads, &reports}) {
    EXPECT_EQ(answers->size(), 1u);  // before every commit, the same answer
    EXPECT_GT(answers->count("view.not_built"), 0u);
  }
  std::string out;
  EXPECT_TRUE(ReadThreads("acme-member", &out).ok());
}

// A view rebuilt alone, in rounds, is refused ("try again") until it has folded the log as it
// was when dropped: part-built, acme's thread would read as having no first comment.
TEST_F(ViewOrderReviewTest, AViewRebuiltAloneIsNotServedUntilItHasFoldedTheLog) {
  ASSERT_TRUE(runner_->CatchUp().ok());
  ReopenRunner(SmallRounds());
  const auto answers = ThreadsAnswersWhile([&] { return runner_->Rebuild({"client-threads"}); });
  ExpectOnlyTryAgainOrWhole(answers);
  std::string out;
  ASSERT_TRUE(ReadThreads("acme-member", &out).ok());
  EXPECT_NE(out.find("Welcome!"), std::string::npos) << out;
}

// The first catch-up of views never built is a fold from the start like a rebuild's.
TEST_F(ViewOrderReviewTest, AFirstCatchUpServesNothingBeforeItHasFoldedTheLog) {
  ReopenRunner(SmallRounds());
  const auto answers = ThreadsAnswersWhile([&] { return runner_->CatchUp(); });
  ExpectOnlyTryAgainOrWhole(answers);
  std::string out;
  EXPECT_TRUE(ReadThreads("acme-member", &out).ok());
}

// A view of another version is dropped as the runner opens; a process stopped before it has
// folded anything leaves the view unserved for the next one, which folds it in full.
TEST_F(ViewOrderReviewTest, AViewDroppedForANewVersionStaysUnservedAcrossARestart) {
  ASSERT_TRUE(runner_->CatchUp().ok());
  runner_.reset();
  ViewCheckpoint stored;
  ASSERT_TRUE(store_->GetCheckpoint("client-threads", &stored).ok());
  std::unique_ptr<ViewBatch> batch = store_->NewBatch();
  batch->SetCheckpoint("client-threads", {stored.position, stored.version + 1});
  ASSERT_TRUE(store_->Commit(batch.get()).ok());
  ReopenRunner(SmallRounds());  // drops the view
  runner_.reset();              // and stops before folding
  std::string out;
  EXPECT_EQ(ReadThreads("acme-member", &out).reason(), "view.not_built");
  ReopenRunner(SmallRounds());
  const auto answers = ThreadsAnswersWhile([&] { return runner_->CatchUp(); });
  ExpectOnlyTryAgainOrWhole(answers);
  ASSERT_TRUE(ReadThreads("acme-member", &out).ok());
  EXPECT_NE(out.find("Welcome!"), std::string::npos) << out;
}

// The log's head went back (restored from a backup) below the position a view being folded
// again must reach: the view is folded again over the log there is, not refused for ever.
TEST_F(ViewOrderReviewTest, AViewWaitingForAPositionPastTheLogsHeadIsFoldedAgainAndServed) {
  ASSERT_TRUE(runner_->CatchUp().ok());
  runner_.reset();
  ViewCheckpoint c;
  ASSERT_TRUE(store_->GetCheckpoint("client-threads", &c).ok());
  const uint64_t head = world_->log()->LastPosition();
  ASSERT_TRUE(store_->Drop("client-threads").ok());  // as a rebuild over a longer log left it
  std::unique_ptr<ViewBatch> batch = store_->NewBatch();
  batch->SetCheckpoint("client-threads", {0, c.version, head + 50});
  ASSERT_TRUE(store_->Commit(batch.get()).ok());
  batch.reset();
  ReopenRunner(ProjectionRunnerOptions());
  ASSERT_TRUE(runner_->CatchUp().ok());
  std::string out;
  EXPECT_TRUE(ReadThreads("acme-member", &out).ok());
}

// The commit that would reach the mark fails: the mark stays, and the smaller rounds that fold
// the rest once following live (the view set aside, brought back ten live batches at a time)
// never serve the view part-built.
TEST_F(ViewOrderReviewTest, AFailedCommitAtTheReadyPositionKeepsTheViewUnserved) {
  ASSERT_TRUE(runner_->CatchUp().ok());
  ProjectionRunnerOptions options;
  options.fold_threads = 1;
  options.max_batch_events = 2;  // rounds smaller than the catch-up's
  ReopenRunner(options);
  int commits = 0;
  store_->fail_commit = [&](const std::set<std::string>& views) {
    // The second commit of client-threads alone: the first is the drop's mark.
    if (views.count("client-threads") && ++commits == 2) return Status::IOError("transient");
    return Status::OK();
  };
  EXPECT_FALSE(runner_->Rebuild({"client-threads"}).ok());
  ASSERT_EQ(commits, 2);
  store_->fail_commit = nullptr;
  const auto answers = ThreadsAnswersWhile([&] {
    Status s = runner_->Start();
    if (s.ok())
      s = runner_->WaitForPosition(world_->log()->LastPosition(), std::chrono::seconds(20));
    runner_->Stop();
    return s;
  });
  EXPECT_EQ(answers.count("partial"), 0u);
}

}  // namespace
}  // namespace tandem::test
