// The row caches of a set of projections share one memory budget (ProjectionOptions::
// row_cache_bytes): past it, a flush forgets the rows its batch did not use, and those are read
// from the views again when an event needs them; nothing else changes.
#include <gtest/gtest.h>

#include "counting_rows.h"
#include "view_world.h"

namespace tandem::test {
namespace {

class RowCacheBudgetTest : public StandardViewTest {
 protected:
  // A client-timeline projection whose caches may keep `bytes` between batches, with the
  // standard world folded into it as one batch.
  void OpenTimeline(size_t bytes) {
    ProjectionOptions options;
    options.row_cache_bytes = bytes;
    std::vector<std::unique_ptr<Projection>> projections;
    ASSERT_TRUE(MakeProjections({"client-timeline"}, &projections, options).ok());
    timeline_ = std::move(projections.front());
    FoldNew();
  }

  // Runs `command` and folds its event alone, as one batch; the rows the batch found stored are
  // left in rows_.keys_read().
  void RunAndFold(const std::string& command) {
    world_->MustRun(command);
    rows_.ResetCount();
    FoldNew();
  }

  // The keys of rows of `project` that the last batch read from storage.
  std::vector<std::string> RowsOfProjectRead(const std::string& project) const {
    std::vector<std::string> keys;
    for (const std::string& key : rows_.keys_read()) {
      if (KeyHasPart(key, project)) keys.push_back(key);
    }
    return keys;
  }

  static std::string Plan(const std::string& project, const std::string& milestone) {
    return Cmd("milestone.plan", "northwind", "pm",
               {{"project_id", project},
                {"milestone_id", milestone},
                {"title", milestone},
                {"planned_date", "2027-02-01"}});
  }

  // Folds the events not folded yet as one batch.
  void FoldNew() {
    std::vector<RecordedEvent> events = LogEvents(world_->log());
    for (size_t i = folded_; i < events.size(); ++i) {
      ASSERT_TRUE(timeline_->Apply(events[i].event(), &rows_).ok());
    }
    folded_ = events.size();
    ASSERT_TRUE(timeline_->Flush(&rows_).ok());
  }

  std::unique_ptr<Projection> timeline_;
  CountingRows rows_;
  size_t folded_ = 0;
};

TEST_F(RowCacheBudgetTest, AnExceededBudgetKeepsTheRowsTheLastBatchUsed) {
  OpenTimeline(0);
  RunAndFold(Plan("p-acme", "m-new"));
  RunAndFold(Cmd("milestone.start", "northwind", "pm",
                 {{"project_id", "p-acme"}, {"milestone_id", "m-new"}, {"expected_version", 1}}));
  EXPECT_EQ(RowsOfProjectRead("p-acme"), std::vector<std::string>());
}

TEST_F(RowCacheBudgetTest, AnExceededBudgetReadsAgainTheRowsTheLastBatchLeftAlone) {
  OpenTimeline(0);
  RunAndFold(Plan("p-acme", "m-new"));
  RunAndFold(Plan("p-globex", "m-new"));
  EXPECT_FALSE(RowsOfProjectRead("p-globex").empty());
}

TEST_F(RowCacheBudgetTest, ABudgetThatHoldsEveryRowReadsNoneAgain) {
  OpenTimeline(ProjectionOptions().row_cache_bytes);
  RunAndFold(Plan("p-acme", "m-new"));
  RunAndFold(Plan("p-globex", "m-new"));
  EXPECT_EQ(RowsOfProjectRead("p-globex"), std::vector<std::string>());
}

}  // namespace
}  // namespace tandem::test
