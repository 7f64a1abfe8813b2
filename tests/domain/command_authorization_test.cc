// The security specification: for every command, every role, the actor's own client's project
// or another client's, and the actor's own workspace or another firm's, whether the command is
// allowed. Allowed commands must succeed; denied ones must be PermissionDenied and write nothing.
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "command_world.h"

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

class CommandAuthorizationTest : public ::testing::TestWithParam<Row> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    world_ = new CommandWorld(dir_->Sub("world"));
    world_->BuildStandard();
  }
  static void TearDownTestSuite() {
    delete world_;
    delete dir_;
  }

  static ScratchDir* dir_;
  static CommandWorld* world_;
};
ScratchDir* CommandAuthorizationTest::dir_ = nullptr;
CommandWorld* CommandAuthorizationTest::world_ = nullptr;

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
