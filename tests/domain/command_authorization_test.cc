// The security specification: for every command, every role, the actor's own client's project
// or another client's, and the actor's own workspace or another firm's, whether the command is
// allowed. Allowed commands must succeed; denied ones must be PermissionDenied and write nothing.
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "command_world.h"
#include "tandem/domain/command_json.h"

namespace tandem::test {
namespace {

using boost::json::object;

// Y: the role may do this on its own client's project (for internal roles: on any project of
// their workspace). Client-side roles are denied on another client's project, and every role
// is denied in a workspace it is not a member of.
struct Row {
  const char* command;
  const char* allowed;
};
// clang-format off
const Row kTable[] = {
    // command               Owner PM Staff CAdmin CMember CViewer Auditor
    {"client.add",            "Y    -  -     -      -       -       -"},
    {"member.invite",         "Y    Y  -     Y      -       -       -"},
    {"role.grant",            "Y    Y  -     Y      -       -       -"},
    {"role.revoke",           "Y    Y  -     Y      -       -       -"},
    {"branding.set",          "Y    Y  -     Y      -       -       -"},
    {"project.create",        "Y    Y  -     -      -       -       -"},
    {"milestone.plan",        "Y    Y  -     -      -       -       -"},
    {"milestone.start",       "Y    Y  Y     -      -       -       -"},
    {"milestone.reschedule",  "Y    Y  -     -      -       -       -"},
    {"milestone.complete",    "Y    Y  -     -      -       -       -"},
    {"milestone.block",       "Y    Y  Y     -      -       -       -"},
    {"milestone.unblock",     "Y    Y  Y     -      -       -       -"},
    {"document.request",      "Y    Y  Y     -      -       -       -"},
    {"file.upload",           "Y    Y  Y     Y      Y       -       -"},
    {"comment.post",          "Y    Y  Y     Y      Y       -       -"},
    {"board.configure",       "Y    Y  -     -      -       -       -"},
    {"card.create",           "Y    Y  Y     Y      Y       -       -"},
    {"card.move",             "Y    Y  Y     -      -       -       -"},
    {"card.link",             "Y    Y  Y     -      -       -       -"},
    {"approval.request",      "Y    Y  -     -      -       -       -"},
    {"approval.grant",        "-    -  -     Y      Y       -       -"},
    {"approval.reject",       "-    -  -     Y      Y       -       -"},
    {"report_link.issue",     "Y    Y  -     Y      -       -       -"},
    {"report_link.revoke",    "Y    Y  -     Y      -       -       -"},
};
// clang-format on

struct Role {
  const char* name;      // as the table's columns
  const char* member;    // the northwind member with that role (client roles: of acme)
  const char* outsider;  // the contoso member with that role
  bool client_side;
};
const Role kRoles[] = {
    {"owner", "owner", "contoso-owner", false},
    {"project_manager", "pm", "contoso-project_manager", false},
    {"staff", "staff", "contoso-staff", false},
    {"client_admin", "acme-admin", "contoso-client_admin", true},
    {"client_member", "acme-member", "contoso-client_member", true},
    {"client_viewer", "acme-viewer", "contoso-client_viewer", true},
    {"auditor", "auditor", "contoso-auditor", false},
};

enum class Scope { kOwnClient, kOtherClient, kOtherWorkspace };
const char* ScopeName(Scope s) {
  return s == Scope::kOwnClient     ? "own client"
         : s == Scope::kOtherClient ? "other client"
                                    : "other workspace";
}

std::string WithActor(const std::string& fields, const std::string& type,
                      const std::string& workspace, const std::string& actor) {
  return Cmd(type, workspace, actor, boost::json::parse(fields).as_object());
}

std::vector<bool> AllowedColumns(const char* allowed) {
  std::istringstream in(allowed);
  std::vector<bool> out;
  for (std::string cell; in >> cell;) out.push_back(cell == "Y");
  return out;
}

// Members whose workspace role was revoked after they were given roles on projects: they can
// do nothing, anywhere.
const char* const kRevoked[] = {"acme-revoked", "revoked-pm"};

void AddRevokedMembers(CommandWorld* world) {
  auto run = [&](const std::string& type, object fields) {
    world->MustRun(Cmd(type, "northwind", "owner", std::move(fields)));
  };
  run("member.invite", {{"member_id", "acme-revoked"},
                        {"email", "r@acme.io"},
                        {"display_name", "R"},
                        {"role", "client_admin"},
                        {"client_id", "acme"}});
  run("role.grant", {{"member_id", "acme-revoked"},
                     {"role", "client_admin"},
                     {"project_id", "p-acme"},
                     {"expected_version", 1}});
  run("role.revoke",
      {{"member_id", "acme-revoked"}, {"role", "client_admin"}, {"expected_version", 2}});
  run("member.invite", {{"member_id", "revoked-pm"},
                        {"email", "r@nw.io"},
                        {"display_name", "R"},
                        {"role", "staff"}});
  uint64_t version = 1;
  for (const char* p : {"p-acme", "p-globex"}) {
    run("role.grant", {{"member_id", "revoked-pm"},
                       {"role", "project_manager"},
                       {"project_id", p},
                       {"expected_version", version++}});
  }
  run("role.revoke",
      {{"member_id", "revoked-pm"}, {"role", "staff"}, {"expected_version", version}});
}

// Appends an internal event past the rules: things no command makes internal (approvals,
// document requests) must be as invisible as the rest when a history holds them.
template <typename PayloadT>
void ForgeInternal(CommandWorld* world, PayloadT payload) {
  NewEvent e;
  e.actor = "operator";
  e.payload.Set(std::move(payload));
  AppendResult r;
  ASSERT_TRUE(
      world->log()
          ->Append(ProjectStream("northwind", "p-acme"), ExpectedVersion::Any(), {e}, "", &r)
          .ok());
}

// The id every probe names. In the holding world an internal thing (or another client's) of
// every kind holds it; in the empty world nothing does.
constexpr const char* kProbe = "probe";

void AddProbeThings(CommandWorld* world) {
  auto run = [&](const std::string& type, object fields) {
    world->MustRun(Cmd(type, "northwind", "owner", std::move(fields)));
  };
  run("member.invite",
      {{"member_id", kProbe}, {"email", "p@nw.io"}, {"display_name", "P"}, {"role", "staff"}});
  run("client.add", {{"client_id", kProbe}, {"name", "P"}});
  run("project.create", {{"project_id", kProbe}, {"client_id", "globex"}, {"name", "P"}});
  auto on_acme = [&](object f) {
    f["project_id"] = "p-acme";
    return f;
  };
  run("milestone.plan", on_acme({{"milestone_id", kProbe},
                                 {"title", "P"},
                                 {"planned_date", "2027-01-01"},
                                 {"audience", "internal"}}));
  run("board.configure",
      on_acme(
          {{"board_id", kProbe}, {"name", "P"}, {"columns", boost::json::array{"To do", "Done"}}}));
  run("card.create", on_acme({{"board_id", kProbe}, {"card_id", kProbe}, {"title", "P"}}));
  run("comment.post", on_acme({{"thread_id", kProbe},
                               {"comment_id", kProbe},
                               {"body", "P"},
                               {"anchor", object{{"kind", "milestone"}, {"id", kProbe}}}}));
  run("file.upload",
      on_acme({{"name", "probe.txt"}, {"file_id", kProbe}, {"content_base64", "cA=="}}));
  run("report_link.issue", on_acme({{"link_id", kProbe},
                                    {"report", "kpi"},
                                    {"audience", "internal"},
                                    {"expires_at_us", kTestNowUs + kDayUs},
                                    {"token_sha256", std::string(64, 'd')}}));
  schema::ApprovalRequestedT approval;
  approval.project_id = "p-acme";
  approval.approval_id = kProbe;
  approval.requested_from = "acme-member";
  ForgeInternal(world, approval);
  schema::DocumentRequestedT request;
  request.project_id = "p-acme";
  request.milestone_id = "m-planned";
  request.request_id = kProbe;
  ForgeInternal(world, request);
}

class CommandAuthorizationTest : public ::testing::TestWithParam<Row> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    world_ = new CommandWorld(dir_->Sub("world"));
    world_->BuildStandard();
    AddRevokedMembers(world_);
    holding_ = world_->CopyTo(dir_->Sub("holding")).release();
    AddProbeThings(holding_);
  }
  static void TearDownTestSuite() {
    delete holding_;
    delete world_;
    delete dir_;
  }

  static ScratchDir* dir_;
  static CommandWorld* world_;    // the standard world, with revoked members
  static CommandWorld* holding_;  // the same, plus internal things under the probe id
};
ScratchDir* CommandAuthorizationTest::dir_ = nullptr;
CommandWorld* CommandAuthorizationTest::world_ = nullptr;
CommandWorld* CommandAuthorizationTest::holding_ = nullptr;

TEST_P(CommandAuthorizationTest, AllowsExactlyWhatTheTableSays) {
  const Row& row = GetParam();
  const std::vector<bool> own_client = AllowedColumns(row.allowed);
  ASSERT_EQ(own_client.size(), std::size(kRoles)) << row.command;
  static int copies = 0;
  for (size_t r = 0; r < std::size(kRoles); r++) {
    const Role& role = kRoles[r];
    for (Scope scope : {Scope::kOwnClient, Scope::kOtherClient, Scope::kOtherWorkspace}) {
      const bool allowed = scope == Scope::kOwnClient     ? own_client[r]
                           : scope == Scope::kOtherClient ? own_client[r] && !role.client_side
                                                          : false;
      const std::string client = scope == Scope::kOtherClient ? "globex" : "acme";
      const std::string actor = scope == Scope::kOtherWorkspace ? role.outsider : role.member;
      const std::string command =
          WithActor(StandardCommandFields(row.command, client), row.command, "northwind", actor);
      SCOPED_TRACE(std::string(row.command) + " by " + role.name + " on " + ScopeName(scope) +
                   ": " + command);
      if (allowed) {
        // Each allowed command runs on its own copy of the world, so they do not interact.
        auto copy = world_->CopyTo(dir_->Sub("copy-" + std::to_string(copies++)));
        Status s = copy->Run(command);
        EXPECT_TRUE(s.ok()) << s.ToString();
      } else {
        const uint64_t before = world_->log()->LastPosition();
        Status s = world_->Run(command);
        EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
        EXPECT_EQ(world_->log()->LastPosition(), before);
      }
    }
  }
}

TEST_P(CommandAuthorizationTest, RevokedMembersCanDoNothing) {
  const Row& row = GetParam();
  for (const char* actor : kRevoked) {
    for (const char* client : {"acme", "globex"}) {
      const std::string command =
          WithActor(StandardCommandFields(row.command, client), row.command, "northwind", actor);
      SCOPED_TRACE(command);
      const uint64_t before = world_->log()->LastPosition();
      Status s = world_->Run(command);
      EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
      EXPECT_EQ(s.reason(), "role.forbidden") << s.ToString();
      EXPECT_EQ(world_->log()->LastPosition(), before);
    }
  }
}

// The ways a command can name the probe id: each id field a client-side member can fill in,
// and each kind of anchor. Commands take their other fields from StandardCommandFields.
std::vector<object> ProbesOf(const std::string& type) {
  const std::map<std::string, std::vector<std::string>> kIdFields{
      {"client.add", {"client_id"}},
      {"member.invite", {"member_id", "client_id"}},
      {"role.grant", {"member_id", "project_id"}},
      {"role.revoke", {"member_id", "project_id"}},
      {"branding.set", {"client_id"}},
      {"project.create", {"project_id", "client_id"}},
      {"milestone.plan", {"project_id", "milestone_id"}},
      {"milestone.start", {"project_id", "milestone_id"}},
      {"milestone.reschedule", {"project_id", "milestone_id"}},
      {"milestone.complete", {"project_id", "milestone_id"}},
      {"milestone.block", {"project_id", "milestone_id"}},
      {"milestone.unblock", {"project_id", "milestone_id"}},
      {"document.request", {"milestone_id", "request_id", "requested_from"}},
      {"file.upload", {"project_id", "request_id", "file_id"}},
      {"comment.post", {"project_id", "thread_id", "comment_id", "reply_to"}},
      {"board.configure", {"board_id"}},
      {"card.create", {"board_id", "card_id"}},
      {"card.move", {"card_id"}},
      {"card.link", {"card_id", "linked_card_id"}},
      {"approval.request", {"approval_id", "requested_from"}},
      {"approval.grant", {"approval_id"}},
      {"approval.reject", {"approval_id"}},
      {"report_link.issue", {"link_id"}},
      {"report_link.revoke", {"link_id"}},
  };
  std::vector<object> probes;
  for (const std::string& field : kIdFields.at(type)) probes.push_back({{field, kProbe}});
  for (const char* kind : {"milestone", "card", "file"}) {
    const object anchor{{"kind", kind}, {"id", kProbe}};
    if (type == "approval.request") probes.push_back({{"subject", anchor}});
    if (type == "file.upload") probes.push_back({{"anchor", anchor}});
    if (type == "comment.post") {
      probes.push_back({{"thread_id", "t-new"}, {"anchor", anchor}});
      probes.push_back({{"thread_id", kProbe}, {"anchor", anchor}});
    }
  }
  if (type == "comment.post") {
    probes.push_back(
        {{"thread_id", kProbe}, {"anchor", object{{"kind", "milestone"}, {"id", "m-planned"}}}});
  }
  if (type == "branding.set") {
    for (const char* logo : {"p-acme:probe", "probe:brief", "probe:probe"}) {
      probes.push_back({{"logo_file_id", logo}});
    }
  }
  return probes;
}

// The whole answer a caller gets, but for what differs between any two runs (event ids, times).
std::string Answer(const Status& s, const CommandResult& r) {
  if (!s.ok()) return CommandErrorToJson(s);
  std::unique_ptr<EventJsonCodec> codec;
  EXPECT_TRUE(EventJsonCodec::Create(&codec).ok());
  std::string json;
  EXPECT_TRUE(CommandResultToJson(*codec, r, &json).ok());
  boost::json::value v = boost::json::parse(json);
  for (auto& e : v.at("events").as_array()) {
    e.as_object().erase("event_id");
    e.as_object().erase("recorded_at_us");
  }
  return boost::json::serialize(v);
}

TEST_P(CommandAuthorizationTest, ClientCannotTellAnInternalThingFromAMissingOne) {
  const Row& row = GetParam();
  static int copies = 0;
  const int n = copies++;
  auto holding = holding_->CopyTo(dir_->Sub("oracle-holding-" + std::to_string(n)));
  auto empty = world_->CopyTo(dir_->Sub("oracle-empty-" + std::to_string(n)));
  int command_id = 0;
  for (const char* actor : {"acme-admin", "acme-member", "acme-viewer"}) {
    for (const object& probe : ProbesOf(row.command)) {
      object fields = boost::json::parse(StandardCommandFields(row.command, "acme")).as_object();
      for (const auto& [k, v] : probe) fields[k] = v;
      fields["command_id"] = "oracle-" + std::to_string(++command_id);
      const std::string command = Cmd(row.command, "northwind", actor, fields);
      SCOPED_TRACE(command);
      CommandResult held_result, empty_result;
      const Status held = holding->Run(command, &held_result);
      const Status missing = empty->Run(command, &empty_result);
      EXPECT_EQ(Answer(held, held_result), Answer(missing, empty_result));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryCommand, CommandAuthorizationTest, ::testing::ValuesIn(kTable),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           std::string name = info.param.command;
                           for (char& c : name) c = std::isalnum(c) ? c : '_';
                           return name;
                         });

TEST(CommandAuthorizationTableTest, CoversEveryCommandButWorkspaceCreate) {
  std::set<std::string> listed;
  for (const Row& row : kTable) listed.insert(row.command);
  for (CommandType t : AllCommandTypes()) {
    if (t == CommandType::kCreateWorkspace) continue;
    EXPECT_TRUE(listed.count(std::string(CommandTypeName(t)))) << CommandTypeName(t);
  }
}

}  // namespace
}  // namespace tandem::test
