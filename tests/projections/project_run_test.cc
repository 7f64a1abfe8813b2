// ProjectRun: a fold resolves the project of a run of events once, and reads the same row as it
// would resolving every event again: across tenants, creations in the run, rows the cache frees
// at a flush or forgets after a failed batch.
#include "project_run.h"

#include <gtest/gtest.h>

#include "memory_rows.h"
#include "row_cache_budget.h"
#include "row_fields.h"
#include "view_key.h"

namespace tandem {
namespace {

struct RunDoc {
  std::string name;
  static constexpr std::tuple kFields{Field("name", &RunDoc::name)};
};

// An event of `tenant`'s `stream`; only its names matter to a run.
class EventBytes {
 public:
  EventBytes(const std::string& tenant, const std::string& stream) {
    schema::EventT e;
    e.tenant = tenant;
    e.stream_id = stream;
    schema::CommentPostedT c;
    c.comment_id = "c1";
    e.payload.Set(std::move(c));
    builder_.Finish(schema::Event::Pack(builder_, &e));
  }
  const schema::Event& event() const {
    return *flatbuffers::GetRoot<schema::Event>(builder_.GetBufferPointer());
  }

 private:
  flatbuffers::FlatBufferBuilder builder_;
};

class ProjectRunTest : public ::testing::Test {
 protected:
  // Opens the run on an event of `tenant`'s project `project`; the name of its row, or "(none)".
  std::string NameThroughRun(const std::string& tenant, const std::string& project) {
    EventBytes e(tenant, "project:" + project);
    EXPECT_TRUE(run_.Open(e.event(), rows_).ok());
    EXPECT_EQ(run_.tenant(), tenant);
    EXPECT_EQ(run_.project(), project);
    return run_.row().doc == nullptr ? "(none)" : run_.row().doc->name;
  }
  void Create(const std::string& tenant, const std::string& project, const std::string& name) {
    RunDoc* doc = nullptr;
    ASSERT_TRUE(cache_.Create(rows_, ProjectRowKey(tenant, project), &doc).ok());
    ASSERT_NE(doc, nullptr);
    doc->name = name;
  }

  MemoryRows rows_;
  RowCacheBudget budget_{0};  // always exceeded: every flush forgets the rows its batch left
  DocCache<RunDoc> cache_{&budget_};
  ProjectRun<RunDoc> run_{&cache_, ProjectRowKey};
};

TEST_F(ProjectRunTest, EachTenantsProjectIsItsOwnRow) {
  Create("acme", "web", "acme's web");
  EXPECT_EQ(NameThroughRun("acme", "web"), "acme's web");
  EXPECT_EQ(NameThroughRun("globex", "web"), "(none)");
  EXPECT_EQ(NameThroughRun("acme", "web"), "acme's web");
  EXPECT_EQ(NameThroughRun("acme", "app"), "(none)");
}

TEST_F(ProjectRunTest, AProjectCreatedInTheRunIsSeenByItsNextEvent) {
  EXPECT_EQ(NameThroughRun("acme", "web"), "(none)");
  Create("acme", "web", "created mid-run");
  EXPECT_EQ(NameThroughRun("acme", "web"), "created mid-run");
}

TEST_F(ProjectRunTest, ARowFreedByAFlushIsReadAgainFromTheRows) {
  Create("acme", "web", "flushed");
  EXPECT_EQ(NameThroughRun("acme", "web"), "flushed");
  cache_.Flush(&rows_);
  // A batch that uses another row only: the budget being exceeded, its flush frees acme's row,
  // which the run last resolved.
  RunDoc* other = nullptr;
  ASSERT_TRUE(cache_.Get(rows_, ProjectRowKey("globex", "app"), &other).ok());
  cache_.Flush(&rows_);
  EXPECT_EQ(NameThroughRun("acme", "web"), "flushed");
}

TEST_F(ProjectRunTest, AfterForgetTheRunReadsTheRowAsStoredNotAsForgotten) {
  EXPECT_EQ(NameThroughRun("acme", "web"), "(none)");
  Create("acme", "web", "never committed");
  cache_.Forget();
  EXPECT_EQ(NameThroughRun("acme", "web"), "(none)");
}

TEST_F(ProjectRunTest, AChangeThroughTheRunIsWrittenInEachBatch) {
  Create("acme", "web", "first");
  cache_.Flush(&rows_);
  for (const std::string name : {"second", "third"}) {
    EXPECT_NE(NameThroughRun("acme", "web"), "(none)");
    run_.row().doc->name = name;
    run_.row().Changed();
    cache_.Flush(&rows_);
    std::string stored;
    ASSERT_TRUE(rows_.Get(ProjectRowKey("acme", "web"), &stored).ok());
    EXPECT_EQ(stored, "{\"name\":\"" + name + "\"}");
  }
}

TEST_F(ProjectRunTest, AnEventOfAnotherStreamNamesNoProject) {
  Create("acme", "web", "acme's web");
  EXPECT_EQ(NameThroughRun("acme", "web"), "acme's web");
  EventBytes workspace("acme", "workspace");
  ASSERT_TRUE(run_.Open(workspace.event(), rows_).ok());
  EXPECT_EQ(run_.tenant(), "acme");
  EXPECT_EQ(run_.project(), "");
  EXPECT_EQ(run_.row().doc, nullptr);
}

TEST_F(ProjectRunTest, ATenantNamedPastTheRulesIsNamedSanitised) {
  const std::string raw = std::string("ac\xff", 3) + "me";
  EventBytes e(raw, "project:web");
  ASSERT_TRUE(run_.Open(e.event(), rows_).ok());
  EXPECT_EQ(run_.tenant(), json_fields::S(e.event().tenant()));
  EXPECT_NE(run_.tenant(), raw);
}

}  // namespace
}  // namespace tandem
