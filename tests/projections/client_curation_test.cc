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
#include "tandem/domain/blob_store.h"
#include "tandem/projections/reports.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::array;
using boost::json::object;

constexpr const char* kMarker = "INTERNAL-MARKER";
// Every text of a command the domain must refuse (RandomHistory's refused variants).
constexpr const char* kRefusedMarker = "REFUSED-MARKER";

std::string TagOf(const std::string& project) {
  return project == "p-acme" ? "ACME-TAG" : "GLOBEX-TAG";
}

// A report link the history issued: whoever holds `secret` reads its project's report.
struct IssuedLink {
  std::string project, secret, audience;
};

// A client-side person the history invited, with the id the domain gave it.
struct InvitedPerson {
  std::string member, client;
};

class RandomHistory {
 public:
  RandomHistory(ViewWorld* world, uint64_t seed)
      : world_(world), rng_(seed), variants_rng_(seed ^ 0x5eedULL) {}

  void Run(int commands) {
    for (int i = 0; i < commands; ++i) Step(i);
  }
  int accepted() const { return accepted_; }
  int refused() const { return refused_; }
  // How many commands of `type` the domain accepted.
  int accepted(const std::string& type) const {
    auto it = accepted_by_type_.find(type);
    return it == accepted_by_type_.end() ? 0 : it->second;
  }
  const std::vector<IssuedLink>& links() const { return links_; }
  // Accepted uploads answering an internal request, and a client's.
  int internal_answers() const { return internal_answers_; }
  int client_answers() const { return client_answers_; }
  const std::vector<InvitedPerson>& invited() const { return invited_; }
  // The refused variants tried (see TryRefusedVariant): the reasons they were refused for, and
  // how many the domain accepted (none should be).
  const std::map<std::string, int>& variant_refusals() const { return variant_refusals_; }
  int variants_accepted() const { return variants_accepted_; }

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
    for (auto it = restores_.begin(); it != restores_.end();) {
      if (it->step > i) {
        ++it;
        continue;
      }
      world_->Run(
          Cmd("role.grant", "northwind", "owner",
              {{"member_id", it->member}, {"role", it->role}, {"expected_version", "any"}}));
      it = restores_.erase(it);
    }
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
    switch (Pick(16)) {
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
        f["content_base64"] = "aGVsbG8=";
        auto m = Milestone(project);
        f["anchor"] = object{{"kind", "milestone"}, {"id", m.first}};
        f["expected_version"] = "any";  // names repeat: each upload of one is its next version
        std::pair<std::string, bool> request = {"", false};
        if (Coin()) {
          const auto& requests = requests_[project];
          request =
              requests.empty() || Coin() ? std::pair{std::string("req"), false} : PickOf(requests);
          f["request_id"] = request.first;
        }
        // An answer without an audience takes its request's.
        const bool implied = !request.first.empty() && Coin();
        const bool file_internal = implied ? request.second : internal;
        if (!implied) f["audience"] = file_internal ? "internal" : "client";
        f["name"] = Text(project, file_internal, "file" + std::to_string(Pick(8))) + ".pdf";
        if (Execute(actor, type, f) && !request.first.empty()) {
          ++(request.second ? internal_answers_ : client_answers_);
        }
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
        f["requested_from"] = client + (Coin() ? "-member" : "-admin");
        if (Coin()) f["due_date"] = DueDate();
        if (Execute(actor, type, f)) {
          approvals_.push_back({project, "a" + n, f["requested_from"].as_string().c_str()});
        }
        return;
      }
      case 12: {
        // Mostly the member asked, sometimes anyone; answers are the client's own words.
        if (approvals_.empty()) return;
        const Approval& a = PickOf(approvals_);
        type = Coin() ? "approval.grant" : "approval.reject";
        f["project_id"] = a.project;
        f["approval_id"] = a.id;
        f["comment"] = Text(a.project, false, "answer");
        f["expected_version"] = "any";
        Execute(Pick(4) == 0 ? actor : a.requested_from, type, f);
        return;
      }
      case 13: {
        if (!links_.empty() && Pick(4) == 0) {
          type = "report_link.revoke";
          const IssuedLink& l = PickOf(links_);
          f["project_id"] = l.project;
          f["link_id"] = "l-" + l.secret;
          f["expected_version"] = "any";
          Execute(actor, type, f);
          return;
        }
        type = "report_link.issue";
        const std::string secret = "secret" + n;
        f["link_id"] = "l-" + secret;
        f["report"] = "kpis";
        f["expires_at_us"] = kTestNowUs + 30 * kDayUs;
        f["token_sha256"] = Sha256Hex(secret);
        f["audience"] = audience;
        if (Execute(Coin() ? actor : client + "-admin", type, f)) {
          links_.push_back({project, secret, audience});
        }
        return;
      }
      case 14: {
        // Client people change roles within their side; a staff member manages a project for
        // a while. A client admin may take away its own role, or a colleague's.
        static const std::vector<std::string> kClientRoles = {"client_admin", "client_member",
                                                              "client_viewer"};
        type = Coin() ? "role.revoke" : "role.grant";
        std::string role;
        if (Pick(3) == 0) {
          f["member_id"] = "staff";
          role = "project_manager";
          actor = Coin() ? "owner" : actor;
        } else {
          f.erase("project_id");
          f["member_id"] = client + PickOf<std::string>({"-admin", "-member", "-viewer"});
          role = PickOf(kClientRoles);
          actor = Coin() ? client + "-admin" : actor;
        }
        f["role"] = role;
        f["expected_version"] = "any";
        const std::string member = f["member_id"].as_string().c_str();
        if (Execute(actor, type, f) && type == "role.revoke" && !f.contains("project_id")) {
          // Without a workspace role a person does nothing; the owner gives the standard role
          // back a little later, so the history keeps people who act.
          const std::string standard = "client_" + member.substr(member.find('-') + 1);
          restores_.push_back({i + 1 + static_cast<int>(Pick(40)), member, standard});
        }
        return;
      }
      case 15: {
        if (Coin()) {
          type = "branding.set";
          f.erase("project_id");
          f["client_id"] = client;
          f["display_name"] = Text(project, false, "brand");
          f["expected_version"] = "any";
          Execute(Coin() ? client + "-admin" : actor, type, f);
          return;
        }
        type = "member.invite";
        f.erase("project_id");
        const bool by_client = Coin();
        const std::string id = "new" + n;
        f["member_id"] = id;
        f["email"] = id + "@" + client + ".io";
        f["display_name"] = Text(project, false, "person");
        f["role"] = PickOf<std::string>({"client_admin", "client_member", "client_viewer"});
        f["client_id"] = client;
        if (Execute(by_client ? client + "-admin" : actor, type, f)) {
          invited_.push_back({by_client ? "client:" + client + ":" + id : id, client});
        }
        return;
      }
      default: {
        type = "document.request";
        auto m = Milestone(project);
        // A request on an internal milestone, or one the firm asks of itself, is internal.
        const bool internal_request = m.second || internal;
        f["milestone_id"] = m.first;
        f["request_id"] = "r" + n;
        f["title"] = Text(project, internal_request, "document");
        if (internal_request) f["audience"] = "internal";
        if (Coin()) f["due_date"] = DueDate();
        if (internal_request && Coin()) f["requested_from"] = "staff";
        if (Execute(actor, type, f)) requests_[project].push_back({"r" + n, internal_request});
        return;
      }
    }
  }

  // A due date around the tests' today (2026-11-18): past, soon or later, for every urgency.
  std::string DueDate() {
    return PickOf<std::string>({"2026-11-01", "2026-11-19", "2026-11-20", "2027-03-01"});
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
    TryRefusedVariant(actor, type, fields);
    Status s = world_->Run(Cmd(type, "northwind", actor, fields));
    (s.ok() ? accepted_ : refused_)++;
    if (s.ok()) ++accepted_by_type_[type];
    return s.ok();
  }

  // Before about one command in four, a variant of it the domain must refuse for a reason other
  // than a role: a project that does not exist, an expected version far ahead, or an actor who
  // is no member. Its texts carry kRefusedMarker, which nothing may ever show. It draws from
  // its own generator, so the history the other tests read is the same with or without it.
  void TryRefusedVariant(const std::string& actor, const std::string& type, const object& fields) {
    if (variants_rng_() % 4 != 0) return;
    object f = fields;
    std::string who = actor;
    const bool of_a_project = fields.contains("project_id") && type.rfind("member.", 0) != 0 &&
                              type.rfind("role.", 0) != 0 && type.rfind("branding.", 0) != 0;
    switch (variants_rng_() % 3) {
      case 0:
        if (!of_a_project) return;
        f["project_id"] = "p-nowhere";
        break;
      case 1:
        // Refused whether the thing exists or not (an upload under a new name, a new board or
        // a client's first branding must expect version 0).
        if (!f.contains("expected_version")) return;
        f["expected_version"] = 1000000;
        break;
      default:
        who = "stranger";
        break;
    }
    // The texts (Text: those carrying a client's tag), not the ids, which would then be refused
    // for their shape before anything else.
    for (auto& field : f) {
      if (field.value().is_string() &&
          field.value().get_string().find("-TAG") != boost::json::string::npos) {
        field.value() = std::string(kRefusedMarker) + " " + field.value().get_string().c_str();
      }
    }
    Status s = world_->Run(Cmd(type, "northwind", who, f));
    if (s.ok()) {
      ++variants_accepted_;
    } else {
      ++variant_refusals_[s.reason()];
    }
  }

  struct Approval {
    std::string project, id, requested_from;
  };
  // A role the owner gives back at `step`.
  struct Restore {
    int step;
    std::string member, role;
  };

  ViewWorld* world_;
  std::mt19937_64 rng_;
  std::map<std::string, std::vector<std::pair<std::string, bool>>> milestones_, boards_;
  std::map<std::string, std::vector<std::string>> cards_;
  // Each project's requests, with whether each is internal.
  std::map<std::string, std::vector<std::pair<std::string, bool>>> requests_;
  int internal_answers_ = 0, client_answers_ = 0;
  std::vector<std::string> comments_;
  std::map<std::string, std::string> thread_anchors_;
  std::vector<Approval> approvals_;
  std::vector<Restore> restores_;
  std::vector<IssuedLink> links_;
  std::vector<InvitedPerson> invited_;
  std::map<std::string, int> accepted_by_type_;
  int accepted_ = 0;
  int refused_ = 0;
  std::mt19937_64 variants_rng_;
  std::map<std::string, int> variant_refusals_;
  int variants_accepted_ = 0;
};

class ClientCurationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<ViewWorld>(dir_.path());
    world_->BuildStandard();
    history_ = std::make_unique<RandomHistory>(world_.get(), 20261201);
    history_->Run(4000);
    // Both kinds matter: refused commands must leave no trace either.
    ASSERT_GT(history_->accepted(), 1000) << history_->refused();
    ASSERT_GT(history_->refused(), 300);
    for (const std::string type :
         {"approval.grant", "approval.reject", "report_link.issue", "report_link.revoke",
          "role.grant", "role.revoke", "member.invite", "branding.set"}) {
      ASSERT_GT(history_->accepted(type), 0) << type;
    }
    ASSERT_GT(history_->internal_answers(), 0);
    ASSERT_GT(history_->client_answers(), 0);
    // The history took roles away at random; the standard people get theirs back, so that
    // the reads below are the reads of members (a member without a role reads nothing).
    for (const std::string client : {"acme", "globex"}) {
      for (const std::string role : {"admin", "member", "viewer"}) {
        world_->Run(Cmd("role.grant", "northwind", "owner",
                        {{"member_id", client + "-" + role},
                         {"role", "client_" + role},
                         {"expected_version", "any"}}));
      }
    }
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
  std::unique_ptr<RandomHistory> history_;
};

TEST_F(ClientCurationTest, NoClientReadShowsAnythingInternalOrAnotherClients) {
  struct Asker {
    std::string member, client, foreign_tag;
  };
  std::vector<Asker> askers = {{"acme-admin", "", "GLOBEX-TAG"},  {"acme-member", "", "GLOBEX-TAG"},
                               {"acme-viewer", "", "GLOBEX-TAG"}, {"globex-admin", "", "ACME-TAG"},
                               {"globex-member", "", "ACME-TAG"}, {"globex-viewer", "", "ACME-TAG"},
                               {"", "acme", "GLOBEX-TAG"},        {"", "globex", "ACME-TAG"},
                               {"pm", "acme", "GLOBEX-TAG"}};
  // People the clients' admins and the firm invited, whatever roles they hold now.
  for (const InvitedPerson& p : history_->invited()) {
    askers.push_back({p.member, "", p.client == "acme" ? "GLOBEX-TAG" : "ACME-TAG"});
  }
  ASSERT_GT(askers.size(), 9u);
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

// Whoever holds a client link's secret is outside the firm: its report, live or refused, never
// shows an internal thing nor another client's, whoever issued it and whatever became of it.
// A link that still shows its project shows exactly what the client's admin sees of it.
TEST_F(ClientCurationTest, ClientReportLinksShowWhatTheClientsAdminSeesAndNothingElse) {
  std::unique_ptr<ViewSource> source;
  ASSERT_TRUE(OpenLiveViewSource(world_->store(), &source).ok());
  const auto report = [&](const std::string& secret, const std::string& member,
                          const std::vector<std::string>& by, std::string* text) {
    ReportRequest r;
    r.workspace = "northwind";
    r.as_member = member;
    r.by = by;
    r.now_us = kTestNowUs;
    Status s = secret.empty() ? ReadReport(r, source.get(), text)
                              : ReadReportByLink(secret, r, source.get(), text);
    if (!s.ok()) *text = s.ToString();
    return s.ok();
  };
  int shown = 0, refused = 0;
  for (const IssuedLink& link : history_->links()) {
    if (link.audience != "client") continue;
    const std::string client = link.project.substr(2);
    const std::string other = client == "acme" ? "globex" : "acme";
    for (const std::vector<std::string>& by :
         {std::vector<std::string>{"project"}, {"client", "project", "week"}}) {
      std::string text;
      const bool ok = report(link.secret, "", by, &text);
      (ok ? shown : refused)++;
      EXPECT_EQ(text.find(kMarker), std::string::npos) << link.secret << ": " << text;
      EXPECT_EQ(text.find(other), std::string::npos) << link.secret << ": " << text;
      EXPECT_EQ(text.find(TagOf("p-" + other)), std::string::npos) << link.secret << ": " << text;
      if (!ok) continue;
      std::string admin_text;
      ASSERT_TRUE(report("", client + "-admin", by, &admin_text)) << admin_text;
      const auto by_link = boost::json::parse(text).as_object();
      const auto by_admin = boost::json::parse(admin_text).as_object();
      EXPECT_EQ(by_link.at("rows"), by_admin.at("rows")) << link.secret;
      EXPECT_EQ(by_link.at("total"), by_admin.at("total")) << link.secret;
    }
  }
  // Both outcomes happen: links that still show, and links revoked or lost with their issuer.
  EXPECT_GT(shown, 0);
  EXPECT_GT(refused, 0);
}

// Past its expiry every link the history issued is refused as expired, revoked or not, whoever
// issued it and whatever became of them, and the refusal names nothing of the project.
TEST_F(ClientCurationTest, ReportLinksAreRefusedOnceExpired) {
  std::unique_ptr<ViewSource> source;
  ASSERT_TRUE(OpenLiveViewSource(world_->store(), &source).ok());
  ASSERT_FALSE(history_->links().empty());
  for (const IssuedLink& link : history_->links()) {
    ReportRequest r;
    r.workspace = "northwind";
    r.now_us = kTestNowUs + 31 * kDayUs;  // every link was issued for 30 days
    std::string text;
    const Status s = ReadReportByLink(link.secret, r, source.get(), &text);
    EXPECT_EQ(s.reason(), "report_link.expired") << link.secret << ": " << s.ToString() << text;
    EXPECT_EQ(s.ToString().find(kMarker), std::string::npos) << s.ToString();
    EXPECT_EQ(s.ToString().find(link.project), std::string::npos) << s.ToString();
  }
}

// A refused command leaves nothing: of the variants the domain refused for an unknown project, a
// stale expected version or an actor who is no member, no text reached the log or any view's
// rows (client or internal).
TEST_F(ClientCurationTest, RefusedCommandsLeaveNothingInTheLogNorInAnyView) {
  EXPECT_EQ(history_->variants_accepted(), 0);
  int refused = 0;
  for (const auto& [reason, count] : history_->variant_refusals()) refused += count;
  EXPECT_GT(refused, 500);
  EXPECT_GE(history_->variant_refusals().size(), 3u);  // not only role.forbidden
  std::vector<RecordedEvent> page;
  uint64_t events = 0;
  for (uint64_t next = 1;; next = page.back().global_position() + 1) {
    ASSERT_TRUE(world_->log()->ReadAll(next, ReadOptions(), &page).ok());
    if (page.empty()) break;
    for (const RecordedEvent& e : page) {
      ++events;
      EXPECT_EQ(e.bytes().find(kRefusedMarker), std::string_view::npos) << e.global_position();
    }
  }
  EXPECT_GT(events, 1000u);
  for (const std::string& view : StoredViewNames()) {
    std::unique_ptr<ViewReader> reader;
    ASSERT_TRUE(world_->store()->NewReader(view, &reader).ok());
    ASSERT_TRUE(reader
                    ->Scan("",
                           [&](std::string_view key, std::string_view value) {
                             EXPECT_EQ(value.find(kRefusedMarker), std::string_view::npos) << view;
                             EXPECT_EQ(key.find(kRefusedMarker), std::string_view::npos) << view;
                             return true;
                           })
                    .ok());
  }
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
  // The random history may have done some of these already (a role held, an id taken): what
  // matters is that every kind of event is in the log, checked below.
  const auto run = [&](const std::string& actor, const std::string& type, object fields) {
    world_->Run(Cmd(type, "northwind", actor, std::move(fields)));
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
  run("owner", "branding.set",
      {{"client_id", "acme"}, {"display_name", "Acme"}, {"expected_version", "any"}});
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
  schema::CommentPostedT mixed;  // an internal event in a client thread
  mixed.thread_id = "tc0";
  mixed.comment_id = "filter-mixed";
  mixed.body = std::string(kMarker) + " mixed";
  mixed.thread_audience = schema::Audience::Client;
  AppendPastTheRules(world_.get(), schema::Audience::Internal, mixed);
  schema::MemberInvitedT stray_member;  // on a project's stream
  stray_member.member_id = "filter-stray";
  stray_member.client_id = "acme";
  stray_member.role = schema::Role::ClientAdmin;
  AppendPastTheRules(world_.get(), schema::Audience::Client, stray_member);
  schema::ProjectCreatedT stray_project;  // on the workspace's stream
  stray_project.client_id = "acme";
  stray_project.name = "Stray";
  AppendPastTheRules(world_.get(), schema::Audience::Client, stray_project, "workspace");

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
    int64_t milestones = 0, completed = 0, slips = 0, open_requests = 0;
    for (const auto& m : timeline.at("milestones").as_array()) {
      ++milestones;
      if (!m.at("completed_date").as_string().empty()) ++completed;
      slips += static_cast<int64_t>(m.at("slips").as_array().size());
      open_requests += static_cast<int64_t>(m.at("open_requests").as_array().size());
    }
    EXPECT_GT(slips, 0);
    EXPECT_GT(open_requests, 0);
    // The firm's internal requests count in neither.
    EXPECT_EQ(row.at("document_requests_open").to_number<int64_t>(), open_requests) << client;
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
