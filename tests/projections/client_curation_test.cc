// The promise of every client-facing view: a client sees nothing internal and nothing of
// another client, whatever happened. A seeded random history of thousands of commands from
// every role (valid and refused) marks every internal title, body and name with a marker and
// every text of a client's project with that client's tag; then every client-side member reads
// every view of every project, and no answer (nor any error) carries a marker or another
// client's tag.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "counting_rows.h"
#include "tandem/projections/reports.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::array;
using boost::json::object;

constexpr const char* kMarker = "INTERNAL-MARKER";

std::string TagOf(const std::string& project) {
  return project == "p-acme" ? "ACME-TAG" : "GLOBEX-TAG";
}

class RandomHistory {
 public:
  RandomHistory(ViewWorld* world, uint64_t seed) : world_(world), rng_(seed) {}

  void Run(int commands) {
    for (int i = 0; i < commands; ++i) Step(i);
  }
  int accepted() const { return accepted_; }
  int refused() const { return refused_; }

 private:
  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  bool Coin() { return rng_() % 2 == 0; }
  template <class T>
  const T& PickOf(const std::vector<T>& v) {
    return v[Pick(v.size())];
  }

  // A text: marked when the thing it describes is internal, tagged with the project's client.
  std::string Text(const std::string& project, bool internal, const std::string& what) {
    return (internal ? std::string(kMarker) + " " : "") + TagOf(project) + " " + what;
  }

  void Step(int i) {
    static const std::vector<std::string> kActors = {
        "owner",       "pm",          "staff",        "auditor",       "acme-admin",
        "acme-member", "acme-viewer", "globex-admin", "globex-member", "globex-viewer"};
    const std::string project = Coin() ? "p-acme" : "p-globex";
    const std::string client = project == "p-acme" ? "acme" : "globex";
    // Mostly someone who may act (so the history grows), sometimes anyone (so refusals happen).
    std::string actor = PickOf(kActors);
    if (Pick(4) != 0) {
      actor = Pick(3) == 0 ? client + (Coin() ? "-admin" : "-member")
                           : std::string(Coin() ? "pm" : (Coin() ? "owner" : "staff"));
    }
    const std::string n = std::to_string(i);
    const bool internal = Pick(3) == 0;
    const std::string audience = internal ? "internal" : "client";
    object f{{"project_id", project}};
    std::string type;
    switch (Pick(12)) {
      case 0: {
        type = "milestone.plan";
        const std::string id = "m" + n;
        f["milestone_id"] = id;
        f["title"] = Text(project, internal, "milestone");
        f["planned_date"] = "2027-0" + std::to_string(1 + Pick(9)) + "-1" + std::to_string(Pick(9));
        f["audience"] = audience;
        if (Execute(actor, type, f)) milestones_[project].push_back({id, internal});
        return;
      }
      case 1:
      case 2: {
        auto m = Milestone(project);
        type = PickOf<std::string>({"milestone.reschedule", "milestone.block", "milestone.start",
                                    "milestone.complete", "milestone.unblock"});
        f["milestone_id"] = m.first;
        f["expected_version"] = "any";
        if (type == "milestone.reschedule")
          f["new_date"] = "2027-11-0" + std::to_string(1 + Pick(9));
        if (type == "milestone.complete") f["completed_date"] = "2027-10-01";
        if (type != "milestone.start" && type != "milestone.complete") {
          f["reason"] = Text(project, m.second, "reason");
        }
        Execute(actor, type, f);
        return;
      }
      case 3:
      case 4:
      case 5: {
        type = "comment.post";
        const bool thread_internal = Coin();
        const std::string thread = (thread_internal ? "ti" : "tc") + std::to_string(Pick(4));
        f["thread_id"] = thread;
        f["comment_id"] = "c" + n;
        f["audience"] = thread_internal ? "internal" : "client";
        f["body"] = Text(project, thread_internal, "comment");
        // A thread keeps the anchor of its first comment.
        auto anchor = thread_anchors_.try_emplace(project + "/" + thread, Milestone(project).first);
        f["anchor"] = object{{"kind", "milestone"}, {"id", anchor.first->second}};
        if (Coin() && !comments_.empty()) f["reply_to"] = PickOf(comments_);
        if (Execute(actor, type, f)) comments_.push_back("c" + n);
        return;
      }
      case 6: {
        type = "file.upload";
        f["name"] = Text(project, internal, "file") + ".pdf";
        f["audience"] = audience;
        f["content_base64"] = "aGVsbG8=";
        auto m = Milestone(project);
        f["anchor"] = object{{"kind", "milestone"}, {"id", m.first}};
        if (Coin()) f["request_id"] = "req";
        Execute(actor, type, f);
        return;
      }
      case 7: {
        type = "board.configure";
        const std::string id = "b" + std::to_string(Pick(3));
        f["board_id"] = id;
        f["name"] = Text(project, internal, "board");
        f["audience"] = audience;
        if (Execute(actor, type, f)) boards_[project].push_back({id, internal});
        return;
      }
      case 8: {
        type = "card.create";
        auto b = Board(project);
        f["board_id"] = b.first;
        f["card_id"] = "k" + n;
        f["title"] = Text(project, b.second, "card");
        if (Execute(actor, type, f)) cards_[project].push_back("k" + n);
        return;
      }
      case 9: {
        type = Coin() ? "card.move" : "card.link";
        const auto& cards = cards_[project];
        f["card_id"] = cards.empty() ? std::string("cc") : PickOf(cards);
        if (type == "card.move") {
          f["to_column"] = PickOf<std::string>(
              {"Inbound", "Assigned", "In Progress", "Staged", "Approved", "Doing", "Done"});
          f["expected_version"] = "any";
        } else {
          f["linked_card_id"] = Coin() ? std::string("ic") : std::string("cc");
          f["expected_version"] = "any";
        }
        Execute(actor, type, f);
        return;
      }
      case 10: {
        type = "approval.request";
        auto m = Milestone(project);
        f["approval_id"] = "a" + n;
        f["subject"] = object{{"kind", "milestone"}, {"id", m.first}};
        f["title"] = Text(project, m.second, "approval");
        f["requested_from"] = project == "p-acme" ? "acme-member" : "globex-member";
        Execute(actor, type, f);
        return;
      }
      default: {
        type = "document.request";
        auto m = Milestone(project);
        f["milestone_id"] = m.first;
        f["request_id"] = "r" + n;
        f["title"] = Text(project, m.second, "document");
        Execute(actor, type, f);
        return;
      }
    }
  }

  std::pair<std::string, bool> Milestone(const std::string& project) {
    const auto& ms = milestones_[project];
    if (ms.empty() || Pick(5) == 0) return {"m-planned", false};
    return PickOf(ms);
  }
  std::pair<std::string, bool> Board(const std::string& project) {
    const auto& bs = boards_[project];
    if (bs.empty() || Pick(3) == 0) return Coin() ? std::pair{"cb", false} : std::pair{"ib", true};
    return PickOf(bs);
  }

  bool Execute(const std::string& actor, const std::string& type, const object& fields) {
    Status s = world_->Run(Cmd(type, "northwind", actor, fields));
    (s.ok() ? accepted_ : refused_)++;
    return s.ok();
  }

  ViewWorld* world_;
  std::mt19937_64 rng_;
  std::map<std::string, std::vector<std::pair<std::string, bool>>> milestones_, boards_;
  std::map<std::string, std::vector<std::string>> cards_;
  std::vector<std::string> comments_;
  std::map<std::string, std::string> thread_anchors_;
  int accepted_ = 0;
  int refused_ = 0;
};

class ClientCurationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<ViewWorld>(dir_.path());
    world_->BuildStandard();
    RandomHistory history(world_.get(), 20261201);
    history.Run(4000);
    // Both kinds matter: refused commands must leave no trace either.
    ASSERT_GT(history.accepted(), 1000) << history.refused();
    ASSERT_GT(history.refused(), 300);
    world_->CatchUp();
  }

  // Every read a client-side asker can make; `check` sees each answer or error.
  void ReadEverything(
      const std::string& member, const std::string& client,
      const std::function<void(const std::string& what, const std::string&)>& check) {
    for (const std::string& view : ReadableViewNames()) {
      for (const std::string project : {"p-acme", "p-globex", ""}) {
        std::vector<std::string> boards = {""}, threads = {""};
        if (view == "board") boards = {"", "cb", "ib", "b0", "b1", "b2"};
        if (view == "threads") threads = {"", "t-client", "t-internal", "tc0", "ti0", "tc1", "ti1"};
        for (const std::string& board : boards) {
          for (const std::string& thread : threads) {
            ViewRequest r = Ask(view, member, project);
            r.client = client;
            r.board = board;
            r.thread = thread;
            r.limit = 1000;
            Status s;
            std::string out = world_->Read(r, &s);
            const std::string what = view + " " + project + " " + board + " " + thread;
            check(what, s.ok() ? out : s.ToString());
          }
        }
      }
    }
  }

  ScratchDir dir_;
  std::unique_ptr<ViewWorld> world_;
};

TEST_F(ClientCurationTest, NoClientReadShowsAnythingInternalOrAnotherClients) {
  struct Asker {
    std::string member, client, foreign_tag;
  };
  const std::vector<Asker> askers = {
      {"acme-admin", "", "GLOBEX-TAG"},  {"acme-member", "", "GLOBEX-TAG"},
      {"acme-viewer", "", "GLOBEX-TAG"}, {"globex-admin", "", "ACME-TAG"},
      {"globex-member", "", "ACME-TAG"}, {"globex-viewer", "", "ACME-TAG"},
      {"", "acme", "GLOBEX-TAG"},        {"", "globex", "ACME-TAG"},
      {"pm", "acme", "GLOBEX-TAG"}};
  int answers = 0;
  for (const Asker& a : askers) {
    ReadEverything(a.member, a.client, [&](const std::string& what, const std::string& text) {
      ++answers;
      EXPECT_EQ(text.find(kMarker), std::string::npos) << a.member << a.client << ": " << what;
      EXPECT_EQ(text.find(a.foreign_tag), std::string::npos)
          << a.member << a.client << ": " << what;
    });
  }
  EXPECT_GE(answers, static_cast<int>(askers.size() * ReadableViewNames().size() * 3));
}

TEST_F(ClientCurationTest, ClientCuratedStorageHoldsNoInternalText) {
  for (const std::string& view : StoredViewNames()) {
    if (view.rfind("client-", 0) != 0) continue;
    std::unique_ptr<ViewReader> reader;
    ASSERT_TRUE(world_->store()->NewReader(view, &reader).ok());
    int rows = 0;
    ASSERT_TRUE(reader
                    ->Scan("",
                           [&](std::string_view key, std::string_view value) {
                             ++rows;
                             EXPECT_EQ(value.find(kMarker), std::string_view::npos) << view;
                             EXPECT_EQ(key.find(kMarker), std::string_view::npos) << view;
                             return true;
                           })
                    .ok());
    EXPECT_GT(rows, 0) << view;
  }
}

// The runner hands each view only the events its filter names (Projection::filter); a fold of
// every event in memory (as an as-of read folds) must store the same rows, so a filter that
// leaves out an event its view folds shows as a hash that differs. On top of the random
// history: the kinds of event it never makes, and events written past the domain's rules whose
// stream or audiences disagree with their payload.
TEST_F(ClientCurationTest, EveryViewFoldedThroughItsFilterHashesLikeAFoldOfEveryEvent) {
  const auto run = [&](const std::string& actor, const std::string& type, object fields) {
    world_->MustRun(Cmd(type, "northwind", actor, std::move(fields)));
  };
  run("owner", "role.grant",
      {{"member_id", "staff"},
       {"role", "project_manager"},
       {"project_id", "p-acme"},
       {"expected_version", "any"}});
  run("owner", "role.revoke",
      {{"member_id", "staff"},
       {"role", "project_manager"},
       {"project_id", "p-acme"},
       {"expected_version", "any"}});
  run("owner", "branding.set", {{"client_id", "acme"}, {"display_name", "Acme"}});
  run("pm", "report_link.issue",
      {{"project_id", "p-acme"},
       {"link_id", "filter-link"},
       {"report", "kpis"},
       {"expires_at_us", kTestNowUs + kDayUs},
       {"token_sha256", std::string(64, 'a')},
       {"audience", "client"}});
  run("pm", "report_link.revoke",
      {{"project_id", "p-acme"}, {"link_id", "filter-link"}, {"expected_version", "any"}});
  for (const std::string id : {"filter-yes", "filter-no"}) {
    run("pm", "approval.request",
        {{"project_id", "p-acme"},
         {"approval_id", id},
         {"subject", object{{"kind", "milestone"}, {"id", "m-planned"}}},
         {"title", "Sign-off"},
         {"requested_from", "acme-member"}});
  }
  run("acme-member", "approval.grant",
      {{"project_id", "p-acme"}, {"approval_id", "filter-yes"}, {"expected_version", "any"}});
  run("acme-member", "approval.reject",
      {{"project_id", "p-acme"},
       {"approval_id", "filter-no"},
       {"comment", "Not yet"},
       {"expected_version", "any"}});
  const auto past_the_rules = [&](const std::string& stream, schema::Audience audience,
                                  auto payload) {
    NewEvent e;
    e.actor = "pm";
    e.audience = audience;
    e.payload.Set(std::move(payload));
    AppendResult result;
    ASSERT_TRUE(world_->log()
                    ->Append({"northwind", stream}, ExpectedVersion::Any(), {e}, "", &result)
                    .ok());
  };
  schema::CommentPostedT mixed;  // an internal event in a client thread
  mixed.thread_id = "tc0";
  mixed.comment_id = "filter-mixed";
  mixed.body = std::string(kMarker) + " mixed";
  mixed.thread_audience = schema::Audience::Client;
  past_the_rules("project:p-acme", schema::Audience::Internal, mixed);
  schema::MemberInvitedT stray_member;  // on a project's stream
  stray_member.member_id = "filter-stray";
  stray_member.client_id = "acme";
  stray_member.role = schema::Role::ClientAdmin;
  past_the_rules("project:p-acme", schema::Audience::Client, stray_member);
  schema::ProjectCreatedT stray_project;  // on the workspace's stream
  stray_project.client_id = "acme";
  stray_project.name = "Stray";
  past_the_rules("workspace", schema::Audience::Client, stray_project);

  std::set<schema::Payload> seen;
  std::vector<RecordedEvent> page;
  for (uint64_t next = 1;; next = page.back().global_position() + 1) {
    ASSERT_TRUE(world_->log()->ReadAll(next, ReadOptions(), &page).ok());
    if (page.empty()) break;
    for (const RecordedEvent& e : page) seen.insert(e.event().payload_type());
  }
  for (schema::Payload type : schema::EnumValuesPayload()) {
    if (type != schema::Payload::NONE) {
      EXPECT_TRUE(seen.count(type)) << schema::EnumNamePayload(type);
    }
  }

  AsOfScope scope;
  scope.position = world_->log()->LastPosition();
  std::unique_ptr<ViewSource> every_event;
  ASSERT_TRUE(FoldAsOf(world_->log(), scope, &every_event).ok());
  for (const std::string& view : StoredViewNames()) {
    std::string folded;
    ASSERT_TRUE(HashView(every_event.get(), view, &folded).ok()) << view;
    EXPECT_EQ(world_->Hash(view), folded) << view;
  }
}

// With a row-cache budget of 0, every flush forgets the rows its batch did not use and later
// batches read them back from storage: the views must come out exactly as when nothing is
// forgotten.
TEST_F(ClientCurationTest, EveryViewFoldedWithARowCacheBudgetOfZeroHoldsTheSameRows) {
  const std::vector<RecordedEvent> events = LogEvents(world_->log());
  auto fold = [&](size_t row_cache_bytes, std::vector<CountingRows>* rows) {
    ProjectionOptions options;
    options.row_cache_bytes = row_cache_bytes;
    std::vector<std::unique_ptr<Projection>> projections;
    ASSERT_TRUE(MakeProjections({}, &projections, options).ok());
    rows->resize(projections.size());
    constexpr size_t kBatch = 5;  // a live batch's few events
    for (size_t i = 0; i < events.size(); ++i) {
      for (size_t v = 0; v < projections.size(); ++v) {
        ASSERT_TRUE(projections[v]->Apply(events[i].event(), &(*rows)[v]).ok());
        if (i % kBatch == kBatch - 1 || i + 1 == events.size()) {
          ASSERT_TRUE(projections[v]->Flush(&(*rows)[v]).ok());
        }
      }
    }
  };
  std::vector<CountingRows> forgetting, keeping;
  fold(0, &forgetting);
  fold(ProjectionOptions().row_cache_bytes, &keeping);
  const std::vector<std::string> views = StoredViewNames();
  ASSERT_EQ(keeping.size(), views.size());
  for (size_t v = 0; v < views.size(); ++v) {
    EXPECT_FALSE(keeping[v].rows().empty()) << views[v];
    EXPECT_TRUE(forgetting[v].rows() == keeping[v].rows()) << views[v];
  }
}

TEST_F(ClientCurationTest, TheFirmSeesTheInternalThingsTheClientDoesNot) {
  // The markers exist: a firm member's internal timeline shows them, so the checks above are
  // not vacuous.
  std::string internal = world_->Read(Ask("internal-timeline", "pm", "p-acme"));
  EXPECT_NE(internal.find(kMarker), std::string::npos);
}

TEST_F(ClientCurationTest, ClientReportsOfEveryPivotShowNothingInternalNorAnotherClients) {
  std::unique_ptr<ViewSource> source;
  ASSERT_TRUE(OpenLiveViewSource(world_->store(), &source).ok());
  const std::vector<std::vector<std::string>> pivots = {
      {"project"}, {"client"}, {"week"}, {"client", "project", "week"}};
  size_t card_times = 0;  // the history moves client cards: their times show
  for (const std::string client : {"acme", "globex"}) {
    const std::string other = client == "acme" ? "globex" : "acme";
    for (const std::string role : {"-admin", "-member"}) {
      for (const auto& by : pivots) {
        ReportRequest r;
        r.workspace = "northwind";
        r.as_member = client + role;
        r.by = by;
        std::string text;
        ASSERT_TRUE(ReadReport(r, source.get(), &text).ok()) << r.as_member;
        EXPECT_EQ(text.find(kMarker), std::string::npos) << text;
        EXPECT_EQ(text.find(other), std::string::npos) << text;
        const auto report = boost::json::parse(text).as_object();
        std::vector<boost::json::object> kpis = {report.at("total").as_object()};
        for (const auto& row : report.at("rows").as_array()) kpis.push_back(row.as_object());
        // Card times of the client's board only: an internal board's columns never show.
        for (const auto& k : kpis) {
          for (const auto& [column, seconds] : k.at("card_cycle_mean_seconds").as_object()) {
            EXPECT_TRUE(column != "To do" && column != "Doing" && column != "Done") << text;
            ++card_times;
          }
        }
      }
    }
  }
  EXPECT_GT(card_times, 0u);
}

TEST_F(ClientCurationTest, ClientReportsCountExactlyWhatTheClientTimelineShows) {
  std::unique_ptr<ViewSource> source;
  ASSERT_TRUE(OpenLiveViewSource(world_->store(), &source).ok());
  for (const std::string client : {"acme", "globex"}) {
    const std::string project = "p-" + client;
    ReportRequest r;
    r.workspace = "northwind";
    r.as_member = client + "-admin";
    r.by = {"project"};
    std::string text;
    ASSERT_TRUE(ReadReport(r, source.get(), &text).ok());
    EXPECT_EQ(text.find(kMarker), std::string::npos);
    const auto report = boost::json::parse(text).as_object();
    ASSERT_EQ(report.at("rows").as_array().size(), 1u) << text;
    const auto& row = report.at("rows").at(0).as_object();
    EXPECT_EQ(row.at("project"), project.c_str());
    // Milestones, completions and slips of the client's report are those of its timeline.
    const auto timeline = world_->Json(Ask("client-timeline", client + "-admin", project));
    int64_t milestones = 0, completed = 0, slips = 0;
    for (const auto& m : timeline.at("milestones").as_array()) {
      ++milestones;
      if (!m.at("completed_date").as_string().empty()) ++completed;
      slips += static_cast<int64_t>(m.at("slips").as_array().size());
    }
    EXPECT_GT(slips, 0);
    EXPECT_EQ(row.at("milestones").to_number<int64_t>(), milestones) << client;
    EXPECT_EQ(row.at("milestones_completed_on_time").to_number<int64_t>() +
                  row.at("milestones_completed_late").to_number<int64_t>(),
              completed)
        << client;
    EXPECT_EQ(row.at("milestone_slips").to_number<int64_t>(), slips) << client;
  }
}

}  // namespace
}  // namespace tandem::test
