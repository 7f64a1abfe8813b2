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
  // the last two as one batch, then each of the last two alone. Returns the keys of the rows of
  // `project` that the last batch read from the client timeline's storage.
  std::vector<std::string> RowsReadByTheLastBatch(const std::vector<std::string>& views,
                                                  size_t bytes, const std::string& project) {
    ProjectionOptions options;
    options.row_cache_bytes = bytes;
    std::vector<std::unique_ptr<Projection>> projections;
    EXPECT_TRUE(MakeProjections(views, &projections, options).ok());
    std::vector<CountingRows> rows(projections.size());
    const std::vector<RecordedEvent> events = LogEvents(world_->log());
    const std::vector<size_t> batch_ends = {events.size() - 2, events.size() - 1, events.size()};
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
  void PlanInAcmeThenGlobex() {
    Plan("p-acme", "m-new");
    Plan("p-globex", "m-new");
  }
};

const std::vector<std::string> kNone;
const std::vector<std::string> kClientTimeline = {"client-timeline"};

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
  // The least budget (to 64 bytes) with which the client timeline alone keeps every row.
  size_t forgets = 0, keeps = size_t{1} << 24;
  ASSERT_EQ(RowsReadByTheLastBatch(kClientTimeline, keeps, "p-globex"), kNone);
  while (keeps - forgets > 64) {
    const size_t mid = forgets + (keeps - forgets) / 2;
    (RowsReadByTheLastBatch(kClientTimeline, mid, "p-globex").empty() ? keeps : forgets) = mid;
  }
  // Made together with the internal timeline, the client timeline's rows no longer fit in it.
  EXPECT_NE(RowsReadByTheLastBatch({"client-timeline", "internal-timeline"}, keeps, "p-globex"),
            kNone);
}

}  // namespace
}  // namespace tandem::test
