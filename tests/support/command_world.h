// A real engine (event log on disk, blob folder, command handler) for command tests, and the
// standard world the authorisation table runs in.
//
// Workspace "northwind" (the firm) has members owner, pm, staff and auditor; clients acme and
// globex, each with members <client>-admin, <client>-member, <client>-viewer; and per client a
// project p-<client> holding milestones m-planned, m-started and m-blocked (all shared), a
// document request "req" on m-planned, a client board "cb" with card "cc" in Inbound, an
// internal board "ib" with card "ic", a client thread "t-client" on m-planned, an internal
// thread "t-internal", an approval "ap" requested from <client>-member, a client report link
// "rl" and a client file "brief.pdf" (id "brief").
// Workspace "contoso" is another firm, with members contoso-<role> for every role.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tandem/domain/command_handler.h"
#include "test_util.h"

namespace tandem::test {

// A fixed "now" so report-link expiry does not depend on the day the tests run.
constexpr int64_t kTestNowUs = 1'795'000'000'000'000;
constexpr int64_t kDayUs = 24LL * 3600 * 1000 * 1000;

// One JSON command with a fresh command id.
inline std::string Cmd(const std::string& type, const std::string& workspace,
                       const std::string& actor, boost::json::object fields = {}) {
  static std::atomic<int> next_id{0};  // tests call this from several threads
  fields["type"] = type;
  fields["workspace"] = workspace;
  fields["actor"] = actor;
  if (!fields.contains("command_id")) fields["command_id"] = "cmd-" + std::to_string(++next_id);
  return boost::json::serialize(fields);
}

class CommandWorld {
 public:
  // `tune` adjusts the handler's options before each open.
  explicit CommandWorld(std::string dir, std::function<void(CommandHandlerOptions*)> tune = nullptr)
      : dir_(std::move(dir)), tune_(std::move(tune)) {
    Open();
  }

  void Open() {
    std::filesystem::create_directories(dir_);
    EventLogOptions log_options;
    log_options.durability = Durability::kBuffered;  // durability has its own tests
    log_ = OpenLogOrDie(dir_ + "/log", log_options);
    ASSERT_TRUE(BlobStore::Open(BlobStoreOptions(), dir_ + "/blobs", &blobs_).ok());
    CommandHandlerOptions options;
    options.now_us = [] { return kTestNowUs; };
    options.limits.max_file_bytes = 1024 * 1024;
    if (tune_) tune_(&options);
    ASSERT_TRUE(CommandHandler::Open(options, log_.get(), blobs_.get(), &handler_).ok());
  }

  void Close() {
    handler_.reset();
    blobs_.reset();
    log_.reset();
  }

  // A closed copy of this world's folder at `dir`, reopened there.
  std::unique_ptr<CommandWorld> CopyTo(const std::string& dir) {
    Close();
    std::filesystem::copy(dir_, dir, std::filesystem::copy_options::recursive);
    Open();
    return std::make_unique<CommandWorld>(dir);
  }

  Status Run(const std::string& json, CommandResult* result = nullptr) {
    CommandResult ignored;
    return handler_->ExecuteJson(json, result ? result : &ignored);
  }

  // Runs a command that must succeed; returns the version of the thing it changed.
  uint64_t MustRun(const std::string& json) {
    CommandResult result;
    Status s = Run(json, &result);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n  command: " << json;
    return result.entity_version;
  }

  EventLog* log() { return log_.get(); }
  CommandHandler* handler() { return handler_.get(); }
  BlobStore* blobs() { return blobs_.get(); }
  const std::string& dir() const { return dir_; }

  void BuildStandard();
  // A firm shaped like the standard world's northwind in workspace `nw`, its report links
  // issued with `token` (a SHA-256 in hex).
  void BuildFirm(const std::string& nw, const std::string& name, const std::string& token);

 private:
  std::string dir_;
  std::function<void(CommandHandlerOptions*)> tune_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<CommandHandler> handler_;
};

inline void CommandWorld::BuildFirm(const std::string& nw, const std::string& name,
                                    const std::string& token) {
  using boost::json::object;
  MustRun(Cmd("workspace.create", nw, "owner", {{"name", name}}));
  for (const char* role : {"project_manager", "staff", "auditor"}) {
    const std::string id = std::string(role) == "project_manager" ? "pm" : role;
    MustRun(
        Cmd("member.invite", nw, "owner",
            {{"member_id", id}, {"email", id + "@nw.io"}, {"display_name", id}, {"role", role}}));
  }
  for (const std::string c : {"acme", "globex"}) {
    MustRun(Cmd("client.add", nw, "owner", {{"client_id", c}, {"name", c}}));
    for (const char* role : {"admin", "member", "viewer"}) {
      MustRun(Cmd("member.invite", nw, "owner",
                  {{"member_id", c + "-" + role},
                   {"email", c + "-" + role + "@" + c + ".io"},
                   {"display_name", c + " " + role},
                   {"role", "client_" + std::string(role)},
                   {"client_id", c}}));
    }
    const std::string p = "p-" + c;
    MustRun(Cmd("project.create", nw, "pm", {{"project_id", p}, {"client_id", c}, {"name", c}}));
    for (const char* m : {"m-planned", "m-started", "m-blocked"}) {
      MustRun(Cmd(
          "milestone.plan", nw, "pm",
          {{"project_id", p}, {"milestone_id", m}, {"title", m}, {"planned_date", "2027-01-15"}}));
    }
    for (const char* m : {"m-started", "m-blocked"}) {
      MustRun(Cmd("milestone.start", nw, "pm",
                  {{"project_id", p}, {"milestone_id", m}, {"expected_version", 1}}));
    }
    MustRun(Cmd("milestone.block", nw, "pm",
                {{"project_id", p},
                 {"milestone_id", "m-blocked"},
                 {"expected_version", 2},
                 {"reason", "waiting for content"}}));
    MustRun(Cmd("document.request", nw, "pm",
                {{"project_id", p},
                 {"milestone_id", "m-planned"},
                 {"request_id", "req"},
                 {"title", "Brand guide"},
                 {"requested_from", c + "-member"}}));
    MustRun(
        Cmd("board.configure", nw, "pm",
            {{"project_id", p}, {"board_id", "cb"}, {"name", "Client"}, {"audience", "client"}}));
    MustRun(Cmd("board.configure", nw, "pm",
                {{"project_id", p},
                 {"board_id", "ib"},
                 {"name", "Dev"},
                 {"columns", boost::json::array{"To do", "Doing", "Done"}}}));
    MustRun(Cmd("card.create", nw, "pm",
                {{"project_id", p}, {"board_id", "cb"}, {"card_id", "cc"}, {"title", "Logo"}}));
    MustRun(Cmd("card.create", nw, "pm",
                {{"project_id", p}, {"board_id", "ib"}, {"card_id", "ic"}, {"title", "SVG"}}));
    MustRun(Cmd("comment.post", nw, "pm",
                {{"project_id", p},
                 {"thread_id", "t-client"},
                 {"comment_id", "c1"},
                 {"anchor", object{{"kind", "milestone"}, {"id", "m-planned"}}},
                 {"audience", "client"},
                 {"body", "Welcome!"}}));
    MustRun(Cmd("comment.post", nw, "pm",
                {{"project_id", p},
                 {"thread_id", "t-internal"},
                 {"comment_id", "c2"},
                 {"anchor", object{{"kind", "milestone"}, {"id", "m-planned"}}},
                 {"body", "Budget is tight"}}));
    MustRun(Cmd("approval.request", nw, "pm",
                {{"project_id", p},
                 {"approval_id", "ap"},
                 {"subject", object{{"kind", "milestone"}, {"id", "m-planned"}}},
                 {"title", "Approve plan"},
                 {"requested_from", c + "-member"}}));
    MustRun(Cmd("report_link.issue", nw, "pm",
                {{"project_id", p},
                 {"link_id", "rl"},
                 {"report", "timeline"},
                 {"expires_at_us", kTestNowUs + kDayUs},
                 {"token_sha256", token}}));
    MustRun(Cmd("file.upload", nw, "pm",
                {{"project_id", p},
                 {"name", "brief.pdf"},
                 {"file_id", "brief"},
                 {"audience", "client"},
                 {"content_base64", "YnJpZWY="}}));
  }
}

inline void CommandWorld::BuildStandard() {
  using boost::json::object;
  BuildFirm("northwind", "Northwind Studio", std::string(64, 'a'));
  MustRun(Cmd("workspace.create", "contoso", "contoso-owner", {{"name", "Contoso"}}));
  MustRun(Cmd("client.add", "contoso", "contoso-owner", {{"client_id", "acme"}, {"name", "Acme"}}));
  for (const char* role :
       {"project_manager", "staff", "auditor", "client_admin", "client_member", "client_viewer"}) {
    object f{{"member_id", "contoso-" + std::string(role)},
             {"email", std::string(role) + "@contoso.io"},
             {"display_name", role},
             {"role", role}};
    if (std::string(role).rfind("client_", 0) == 0) f["client_id"] = "acme";
    MustRun(Cmd("member.invite", "contoso", "contoso-owner", f));
  }
}

// A command of `type` that is valid against the standard world on client `c`'s project.
inline std::string StandardCommandFields(const std::string& type, const std::string& c) {
  const std::string p = "p-" + c;
  using boost::json::object;
  const object milestone_anchor{{"kind", "milestone"}, {"id", "m-planned"}};
  std::map<std::string, object> t{
      {"client.add", {{"client_id", "initech"}, {"name", "Initech"}}},
      {"member.invite",
       {{"member_id", "newbie"},
        {"email", "n@x.io"},
        {"display_name", "Newbie"},
        {"role", "client_member"},
        {"client_id", c}}},
      {"role.grant",
       {{"member_id", c + "-viewer"}, {"role", "client_member"}, {"expected_version", 1}}},
      {"role.revoke",
       {{"member_id", c + "-viewer"}, {"role", "client_viewer"}, {"expected_version", 1}}},
      {"branding.set", {{"client_id", c}, {"display_name", c}, {"primary_color", "#112233"}}},
      {"project.create", {{"project_id", "p-new"}, {"client_id", c}, {"name", "New"}}},
      {"milestone.plan",
       {{"project_id", p},
        {"milestone_id", "m-new"},
        {"title", "New"},
        {"planned_date", "2027-03-01"}}},
      {"milestone.start",
       {{"project_id", p}, {"milestone_id", "m-planned"}, {"expected_version", 1}}},
      {"milestone.reschedule",
       {{"project_id", p},
        {"milestone_id", "m-planned"},
        {"expected_version", 1},
        {"new_date", "2027-02-01"},
        {"reason", "holidays"}}},
      {"milestone.complete",
       {{"project_id", p},
        {"milestone_id", "m-started"},
        {"expected_version", 2},
        {"completed_date", "2027-01-10"}}},
      {"milestone.block",
       {{"project_id", p},
        {"milestone_id", "m-started"},
        {"expected_version", 2},
        {"reason", "x"}}},
      {"milestone.unblock",
       {{"project_id", p},
        {"milestone_id", "m-blocked"},
        {"expected_version", 3},
        {"reason", "x"}}},
      {"document.request",
       {{"project_id", p},
        {"milestone_id", "m-planned"},
        {"request_id", "req-new"},
        {"title", "Logo"}}},
      {"file.upload",
       {{"project_id", p},
        {"name", "guide.pdf"},
        {"content_base64", "aGVsbG8="},
        {"request_id", "req"}}},
      {"comment.post",
       {{"project_id", p}, {"thread_id", "t-client"}, {"comment_id", "c-new"}, {"body", "Hello"}}},
      {"board.configure",
       {{"project_id", p},
        {"board_id", "ib-new"},
        {"name", "Ops"},
        {"columns", boost::json::array{"A", "B"}}}},
      {"card.create",
       {{"project_id", p}, {"board_id", "cb"}, {"card_id", "cc-new"}, {"title", "Ask"}}},
      {"card.move",
       {{"project_id", p}, {"card_id", "cc"}, {"to_column", "Assigned"}, {"expected_version", 1}}},
      {"card.link",
       {{"project_id", p}, {"card_id", "cc"}, {"linked_card_id", "ic"}, {"expected_version", 1}}},
      {"approval.request",
       {{"project_id", p},
        {"approval_id", "ap-new"},
        {"subject", milestone_anchor},
        {"title", "Approve"},
        {"requested_from", c + "-member"}}},
      {"approval.grant", {{"project_id", p}, {"approval_id", "ap"}, {"expected_version", 1}}},
      {"approval.reject",
       {{"project_id", p}, {"approval_id", "ap"}, {"expected_version", 1}, {"comment", "No"}}},
      {"report_link.issue",
       {{"project_id", p},
        {"link_id", "rl-new"},
        {"report", "timeline"},
        {"expires_at_us", kTestNowUs + kDayUs},
        {"token_sha256", std::string(64, 'b')}}},
      {"report_link.revoke", {{"project_id", p}, {"link_id", "rl"}, {"expected_version", 1}}},
  };
  return boost::json::serialize(t.at(type));
}

// A northwind member allowed to issue `type` on acme's project.
inline std::string AllowedActor(const std::string& type) {
  if (type == "approval.grant" || type == "approval.reject") return "acme-member";
  if (type == "client.add") return "owner";
  return "pm";
}

// Tests that start from the standard world, built afresh for each test.
class StandardWorldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<CommandWorld>(dir_.Sub("world"));
    world_->BuildStandard();
  }

  // Runs `type` with `fields` in northwind as `actor`.
  Status Run(const std::string& type, const std::string& actor, boost::json::object fields,
             CommandResult* result = nullptr) {
    return world_->Run(Cmd(type, "northwind", actor, std::move(fields)), result);
  }

  // Expects a rule refusal with `reason` that left the log at `before`.
  void ExpectRejected(const Status& s, const std::string& reason, uint64_t before) {
    EXPECT_TRUE(s.IsRejected()) << s.ToString();
    EXPECT_EQ(s.reason(), reason) << s.ToString();
    EXPECT_EQ(world_->log()->LastPosition(), before);
  }
  // The same for a PermissionDenied refusal.
  void ExpectDenied(const Status& s, const std::string& reason, uint64_t before) {
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    EXPECT_EQ(s.reason(), reason) << s.ToString();
    EXPECT_EQ(world_->log()->LastPosition(), before);
  }
  // The same for a command whose expected_version is not the thing's.
  void ExpectStale(const Status& s, uint64_t before) {
    EXPECT_TRUE(s.IsWrongExpectedVersion()) << s.ToString();
    EXPECT_EQ(s.reason(), "command.expected_version_mismatch") << s.ToString();
    EXPECT_EQ(world_->log()->LastPosition(), before);
  }
  uint64_t Position() { return world_->log()->LastPosition(); }

  // Links acme's client card "cc" to the internal card "ic" that does the work.
  void LinkClientCardToInternalCard(CommandResult* result = nullptr) {
    Status s = Run("card.link", "pm",
                   {{"project_id", "p-acme"},
                    {"card_id", "cc"},
                    {"linked_card_id", "ic"},
                    {"expected_version", 1}},
                   result);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  ScratchDir dir_;
  std::unique_ptr<CommandWorld> world_;
};

}  // namespace tandem::test
