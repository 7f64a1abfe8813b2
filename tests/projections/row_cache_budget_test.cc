// The row caches of the projections made together share one memory budget
// (ProjectionOptions::row_cache_bytes): past it, a flush forgets the rows its batch did not use,
// and those are read from the views again when an event needs them; nothing else changes.
#include <gtest/gtest.h>

#include "counting_rows.h"
#include "view_world.h"

namespace tandem::test {
namespace {

class RowCacheBudgetTest : public StandardViewTest {
 protected:
  // Folds the log into fresh `views` made together with `bytes` of row cache: every event but
  // the last `alone` as one batch, then each of those alone. Returns the keys of the rows of
  // `project` that the last batch read from the client timeline's storage.
  std::vector<std::string> RowsReadByTheLastBatch(const std::vector<std::string>& views,
                                                  size_t bytes, const std::string& project,
                                                  size_t alone = 2) {
    ProjectionOptions options;
    options.row_cache_bytes = bytes;
    std::vector<std::unique_ptr<Projection>> projections;
    EXPECT_TRUE(MakeProjections(views, &projections, options).ok());
    std::vector<CountingRows> rows(projections.size());
    const std::vector<RecordedEvent> events = LogEvents(world_->log());
    std::vector<size_t> batch_ends;
    for (size_t end = events.size() - alone; end <= events.size(); ++end) batch_ends.push_back(end);
    size_t next = 0;
    for (size_t end : batch_ends) {
      for (size_t v = 0; v < projections.size(); ++v) {
        rows[v].ResetCount();
        for (size_t i = next; i < end; ++i) {
          EXPECT_TRUE(projections[v]->Apply(events[i].event(), &rows[v]).ok());
        }
        EXPECT_TRUE(projections[v]->Flush(&rows[v]).ok());
      }
      next = end;
    }
    std::vector<std::string> keys;
    for (size_t v = 0; v < projections.size(); ++v) {
      if (projections[v]->name() != "client-timeline") continue;
      for (const std::string& key : rows[v].keys_read()) {
        if (KeyHasPart(key, project)) keys.push_back(key);
      }
    }
    return keys;
  }

  void Plan(const std::string& project, const std::string& milestone) {
    world_->MustRun(Cmd("milestone.plan", "northwind", "pm",
                        {{"project_id", project},
                         {"milestone_id", milestone},
                         {"title", milestone},
                         {"planned_date", "2027-02-01"}}));
  }
  // A milestone planned in acme's project, then one in globex's.
  void PlanInAcmeThenGlobex(const std::string& milestone = "m-new") {
    Plan("p-acme", milestone);
    Plan("p-globex", milestone);
  }
  // The least budget (to 64 bytes) with which the client timeline alone keeps every row of
  // globex's project over the last `alone` batches.
  size_t LeastBudgetKeepingTheClientTimeline(size_t alone) {
    size_t forgets = 0, keeps = size_t{1} << 24;
    EXPECT_EQ(RowsReadByTheLastBatch(kClientTimeline, keeps, "p-globex", alone), kNone);
    while (keeps - forgets > 64) {
      const size_t mid = forgets + (keeps - forgets) / 2;
      (RowsReadByTheLastBatch(kClientTimeline, mid, "p-globex", alone).empty() ? keeps : forgets) =
          mid;
    }
    return keeps;
  }
  static inline const std::vector<std::string> kNone;
  static inline const std::vector<std::string> kClientTimeline = {"client-timeline"};
};

TEST_F(RowCacheBudgetTest, AnExceededBudgetKeepsTheRowsTheLastBatchUsed) {
  Plan("p-acme", "m-new");
  world_->MustRun(
      Cmd("milestone.start", "northwind", "pm",
          {{"project_id", "p-acme"}, {"milestone_id", "m-new"}, {"expected_version", 1}}));
  EXPECT_EQ(RowsReadByTheLastBatch(kClientTimeline, 0, "p-acme"), kNone);
}

TEST_F(RowCacheBudgetTest, AnExceededBudgetReadsAgainTheRowsTheLastBatchLeftAlone) {
  PlanInAcmeThenGlobex();
  EXPECT_NE(RowsReadByTheLastBatch(kClientTimeline, 0, "p-globex"), kNone);
}

TEST_F(RowCacheBudgetTest, ABudgetThatHoldsEveryRowReadsNoneAgain) {
  PlanInAcmeThenGlobex();
  EXPECT_EQ(
      RowsReadByTheLastBatch(kClientTimeline, ProjectionOptions().row_cache_bytes, "p-globex"),
      kNone);
}

TEST_F(RowCacheBudgetTest, ABudgetBeyondInt64MaxHoldsEveryRow) {
  PlanInAcmeThenGlobex();
  EXPECT_EQ(RowsReadByTheLastBatch(kClientTimeline, SIZE_MAX, "p-globex"), kNone);
}

TEST_F(RowCacheBudgetTest, TheProjectionsMadeTogetherShareOneBudget) {
  PlanInAcmeThenGlobex();
  const size_t keeps = LeastBudgetKeepingTheClientTimeline(2);
  // Made together with the internal timeline, the client timeline's rows no longer fit in it.
  EXPECT_NE(RowsReadByTheLastBatch({"client-timeline", "internal-timeline"}, keeps, "p-globex"),
            kNone);
}

// Found in review (c7305d7): a cache no batch used kept its rows, and its share of the budget,
// for ever, while the caches in use forgot theirs at every flush.
TEST_F(RowCacheBudgetTest, ACacheNoBatchUsesGivesItsShareOfTheBudgetBack) {
  for (const char* milestone : {"m-1", "m-2", "m-3"}) PlanInAcmeThenGlobex(milestone);
  const size_t keeps = LeastBudgetKeepingTheClientTimeline(6);
  // The directory's rows (members, projects) are used by the first batch only.
  EXPECT_EQ(RowsReadByTheLastBatch({"directory", "client-timeline"}, keeps, "p-globex", 6), kNone);
}

}  // namespace
}  // namespace tandem::test
