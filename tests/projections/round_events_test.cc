// A catch-up round's events reach the views whose projects fold apart grouped by project
// (round_events.h): each project's events in log order, every workspace event where it falls.
// What users see of it: nothing. A view caught up in one round holds exactly what it holds
// when folded one event at a time.
#include "round_events.h"

#include <gtest/gtest.h>

#include "tandem/projections/views.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::object;

class ProjectGroupedOrderTest : public ::testing::Test {
 protected:
  void SetUp() override { log_ = OpenLogOrDie(dir_.path() + "/log"); }

  // Appends a comment whose body is `body` to `stream` of `tenant`.
  void Append(const std::string& tenant, const std::string& stream, const std::string& body) {
    AppendResult result;
    ASSERT_TRUE(
        log_->Append({tenant, stream}, ExpectedVersion::Any(), {CommentEvent(body)}, "", &result)
            .ok());
  }

  // The whole log as one round.
  std::vector<std::vector<RecordedEvent>> Round() {
    std::vector<RecordedEvent> page;
    EXPECT_TRUE(log_->ReadAll(1, ReadOptions(), &page).ok());
    return {std::move(page)};
  }

  static std::vector<std::string> BodiesOf(const std::vector<const schema::Event*>& events) {
    std::vector<std::string> out;
    for (const schema::Event* e : events)
      out.push_back(e->payload_as_CommentPosted()->body()->str());
    return out;
  }

  // Appends comments (tenant, stream, body) and returns their bodies in the grouped order.
  struct Comment {
    std::string tenant, stream, body;
  };
  std::vector<std::string> GroupedBodiesOf(const std::vector<Comment>& comments) {
    for (const Comment& c : comments) Append(c.tenant, c.stream, c.body);
    std::vector<uint64_t> arena;
    return BodiesOf(RoundEvents(Round(), /*group_by_project=*/true, &arena).by_project());
  }

  ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
};

using Bodies = std::vector<std::string>;

TEST_F(ProjectGroupedOrderTest, EachProjectsEventsComeTogetherInLogOrder) {
  EXPECT_EQ(GroupedBodiesOf({{"nw", "project:p1", "a1"},
                             {"nw", "project:p2", "b1"},
                             {"nw", "project:p1", "a2"},
                             {"nw", "project:p2", "b2"},
                             {"nw", "project:p1", "a3"}}),
            (Bodies{"a1", "a2", "a3", "b1", "b2"}));
}

TEST_F(ProjectGroupedOrderTest, ProjectsComeInTheOrderOfTheirFirstEvent) {
  EXPECT_EQ(
      GroupedBodiesOf(
          {{"nw", "project:p9", "z1"}, {"nw", "project:p1", "a1"}, {"nw", "project:p9", "z2"}}),
      (Bodies{"z1", "z2", "a1"}));
}

TEST_F(ProjectGroupedOrderTest, AWorkspaceEventStaysBetweenTheProjectEventsAroundIt) {
  EXPECT_EQ(GroupedBodiesOf({{"nw", "project:p1", "a1"},
                             {"nw", "project:p2", "b1"},
                             {"nw", "workspace", "w"},
                             {"nw", "project:p1", "a2"},
                             {"nw", "project:p2", "b2"},
                             {"nw", "project:p1", "a3"}}),
            (Bodies{"a1", "b1", "w", "a2", "a3", "b2"}));
}

TEST_F(ProjectGroupedOrderTest, TwoTenantsProjectsOfOneIdAreTwoProjects) {
  EXPECT_EQ(
      GroupedBodiesOf(
          {{"nw", "project:p1", "x1"}, {"other", "project:p1", "y1"}, {"nw", "project:p1", "x2"}}),
      (Bodies{"x1", "x2", "y1"}));
}

TEST_F(ProjectGroupedOrderTest, AnEventOfATenantThatIsNotUtf8StaysWhereItFalls) {
  EXPECT_EQ(GroupedBodiesOf({{"nw", "project:p1", "a1"},
                             {"nw\xff", "project:p1", "x"},
                             {"nw", "project:p1", "a2"},
                             {"nw\xff", "project:p1", "y"}}),
            (Bodies{"a1", "x", "a2", "y"}));
}

TEST_F(ProjectGroupedOrderTest, ABufferGrowsToTheRoundItHoldsNotToTwiceIt) {
  for (int i = 0; i < 100; ++i) Append("nw", "project:p" + std::to_string(i % 3), "e");
  std::vector<uint64_t> arena;
  RoundEvents(Round(), true, &arena);
  const size_t first = arena.size();
  Append("nw", "project:p1", std::string(5000, 'x'));
  RoundEvents(Round(), true, &arena);
  EXPECT_GT(arena.size(), first);
  EXPECT_LT(arena.capacity(), first * 3 / 2);
}

TEST_F(ProjectGroupedOrderTest, TheCopiedEventsReadLikeTheLogsInLogOrder) {
  for (int i = 0; i < 50; ++i) {
    Append("nw", "project:p" + std::to_string(i % 7), std::string(i * 13, 'x') + std::to_string(i));
  }
  std::vector<std::vector<RecordedEvent>> round = Round();
  std::vector<const schema::Event*> original;
  for (const RecordedEvent& e : round[0]) original.push_back(&e.event());
  const std::vector<std::string> expected = BodiesOf(original);
  std::vector<uint64_t> arena;
  for (bool grouped : {false, true}) {
    std::vector<std::vector<RecordedEvent>> copy = round;
    const RoundEvents events(std::move(copy), grouped, &arena);
    ASSERT_EQ(events.size(), 50u);
    EXPECT_EQ(BodiesOf(events.in_log()), expected);
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events.in_log()[i]->global_position(), i + 1);
    }
    if (!grouped) {
      EXPECT_EQ(events.by_project(), events.in_log());
    }
  }
}

// Catches `world` up in one round (everything since its last catch-up) and a second views
// database one event a round: every view must hash alike.
void ExpectOneRoundStoresLikeOneEventARound(ViewWorld* world, const std::string& dir) {
  world->CatchUp();
  std::unique_ptr<ViewStore> store;
  ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir + "/one-by-one", &store).ok());
  std::vector<std::unique_ptr<Projection>> projections;
  ASSERT_TRUE(MakeProjections({}, &projections).ok());
  ProjectionRunnerOptions options;
  options.catch_up_batch_events = 1;
  std::unique_ptr<ProjectionRunner> runner;
  ASSERT_TRUE(
      ProjectionRunner::Open(options, world->log(), store.get(), std::move(projections), &runner)
          .ok());
  ASSERT_TRUE(runner->CatchUp().ok());
  for (const std::string& view : StoredViewNames()) {
    EXPECT_EQ(world->Hash(view), LiveHash(store.get(), view)) << view;
  }
}

// The story a grouped fold could get wrong: a member's comment in one project before and after
// their invitation as the client's (a workspace event: the first is the firm's comment, the
// second a client question), the other project's events in between, and one report link token
// issued in both projects (the first issue in the log owns it: the report links view keeps log
// order).
TEST(GroupedCatchUpTest, ACatchUpInOneRoundStoresWhatOneEventARoundStores) {
  ScratchDir dir;
  ViewWorld world(dir.path());
  world.BuildStandard();
  auto comment = [&](const std::string& project, const std::string& actor, const std::string& id) {
    schema::CommentPostedT c;
    c.thread_id = "tc-" + project;
    c.comment_id = id;
    c.thread_audience = schema::Audience::Client;
    c.body = "comment " + id;
    NewEvent e;
    e.actor = actor;
    e.audience = schema::Audience::Client;
    e.payload.Set(std::move(c));
    AppendPastTheRules(world.log(), project, std::move(e));
  };
  auto issue = [&](const std::string& project, const std::string& link) {
    world.MustRun(Cmd("report_link.issue", "northwind", "pm",
                      {{"project_id", project},
                       {"link_id", link},
                       {"report", "kpis"},
                       {"expires_at_us", kTestNowUs + kDayUs},
                       {"token_sha256", std::string(64, 'b')},
                       {"audience", "client"}}));
  };
  comment("p-acme", "newcomer", "before");
  comment("p-globex", "pm", "g1");
  world.MustRun(Cmd("member.invite", "northwind", "owner",
                    {{"member_id", "newcomer"},
                     {"email", "newcomer@acme.io"},
                     {"display_name", "Newcomer"},
                     {"role", "client_member"},
                     {"client_id", "acme"}}));
  comment("p-acme", "newcomer", "after");
  comment("p-globex", "pm", "g2");
  comment("p-acme", "pm", "reply");
  issue("p-globex", "globex-link");
  issue("p-acme", "acme-link");
  comment("p-globex", "globex-member", "g3");

  ExpectOneRoundStoresLikeOneEventARound(&world, dir.path());
}

// Two tenants' names that differ in bytes are one tenant to the views when both read alike once
// made valid UTF-8 (the first creation of the project decides, in log order).
TEST(GroupedCatchUpTest, TenantsThatReadAlikeOnceSanitisedAreOneProjectToTheViews) {
  ScratchDir dir;
  ViewWorld world(dir.path());
  auto append = [&](const std::string& tenant, NewEvent e) {
    AppendResult result;
    ASSERT_TRUE(
        world.log()
            ->Append({tenant, "project:p"}, ExpectedVersion::Any(), {std::move(e)}, "", &result)
            .ok());
  };
  auto created = [](const std::string& name) {
    schema::ProjectCreatedT c;
    c.client_id = "acme";
    c.name = name;
    NewEvent e;
    e.actor = "pm";
    e.audience = schema::Audience::Client;
    e.payload.Set(std::move(c));
    return e;
  };
  const std::string raw = "nw\xff", sanitised = "nw\xEF\xBF\xBD";
  append(raw, CommentEvent("opens the raw tenant's group"));
  append(sanitised, created("created first in the log"));
  append(raw, created("created second in the log"));
  ExpectOneRoundStoresLikeOneEventARound(&world, dir.path());
}

}  // namespace
}  // namespace tandem::test
