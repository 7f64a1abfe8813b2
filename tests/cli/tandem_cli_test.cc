// Runs the real `tandem` binary as a user would and checks its output and exit codes.
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <regex>

#include <gtest/gtest.h>

#include "cli_run.h"
#include "tandem/basics/utf8.h"

namespace tandem {
namespace {

using test::CliRun;

class TandemCliTest : public ::testing::Test {
 protected:
  // Runs `tandem <args> --data <scratch>` with `input` on stdin.
  CliRun Tandem(const std::string& args, const std::string& input = "") {
    return test::RunTandem(dir_, dir_.Sub("data"), args, input);
  }

  static constexpr const char* kPlanned =
      R"({"actor":"member:ana","audience":"Client","payload_type":"MilestonePlanned",
          "payload":{"project_id":"p1","milestone_id":"m1","title":"Kick-off",
                     "planned_date":"2026-12-01"}})";

  test::ScratchDir dir_;
};

TEST_F(TandemCliTest, HelpListsTheVerbs) {
  CliRun r = Tandem("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* verb : {"append", "read", "verify", "command", "demo"}) {
    EXPECT_NE(r.output.find(verb), std::string::npos) << verb;
  }
}

TEST_F(TandemCliTest, AppendThenReadPrintsTheEventAsJson) {
  CliRun a = Tandem("append --tenant acme --stream p1 --expected no_stream", kPlanned);
  ASSERT_EQ(a.exit_code, 0) << a.output;
  EXPECT_NE(a.output.find(R"("first_position":1)"), std::string::npos) << a.output;
  CliRun r = Tandem("read --tenant acme --stream p1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(R"("payload_type": "MilestonePlanned")"), std::string::npos);
  EXPECT_NE(r.output.find(R"("planned_date": "2026-12-01")"), std::string::npos);
}

TEST_F(TandemCliTest, WrongExpectedVersionExitsOneAndWritesNothing) {
  ASSERT_EQ(Tandem("append --tenant acme --stream p1", kPlanned).exit_code, 0);
  CliRun a = Tandem("append --tenant acme --stream p1 --expected no_stream", kPlanned);
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_NE(a.output.find("wrong_expected_version"), std::string::npos) << a.output;
  CliRun v = Tandem("verify");
  EXPECT_NE(v.output.find("OK events=1 "), std::string::npos) << v.output;
}

TEST_F(TandemCliTest, MalformedJsonExitsOneWithAClearMessage) {
  ASSERT_EQ(Tandem("append --tenant acme --stream p1", kPlanned).exit_code, 0);
  CliRun a = Tandem("append --tenant acme --stream p1", "{\"payload_type\": ");
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_NE(a.output.find("malformed JSON"), std::string::npos) << a.output;
  EXPECT_NE(Tandem("verify").output.find("OK events=1 "), std::string::npos);
}

TEST_F(TandemCliTest, ReadingAnUnknownStreamExitsOneNamingIt) {
  ASSERT_EQ(Tandem("append --tenant acme --stream p1", kPlanned).exit_code, 0);
  CliRun r = Tandem("read --tenant acme --stream p2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("stream acme/p2 does not exist"), std::string::npos) << r.output;
}

TEST_F(TandemCliTest, ReadingAStreamAsOfBeforeItExistedExitsOne) {
  ASSERT_EQ(Tandem("append --tenant acme --stream p1", kPlanned).exit_code, 0);
  CliRun r = Tandem("read --tenant acme --stream p1 --as-of-time 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("stream acme/p1 does not exist"), std::string::npos) << r.output;
}

TEST_F(TandemCliTest, MissingRequiredOptionIsAUsageError) {
  CliRun a = Tandem("append --stream p1", kPlanned);
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_NE(a.output.find("tenant"), std::string::npos) << a.output;
  EXPECT_EQ(Tandem("frobnicate").exit_code, 2);
}

TEST_F(TandemCliTest, VerifyOfAMissingFolderFails) {
  CliRun v = Tandem("verify");
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.output.find("no event log"), std::string::npos) << v.output;
}

TEST_F(TandemCliTest, VerifyOfAFolderWithoutItsJournalFailsNamingIt) {
  ASSERT_EQ(Tandem("append --tenant acme --stream p1", kPlanned).exit_code, 0);
  ASSERT_TRUE(std::filesystem::remove(dir_.Sub("data") + "/tandem.journal"));
  CliRun v = Tandem("verify");
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_NE(v.output.find("tandem.journal"), std::string::npos) << v.output;
  // As every read-write open does.
  EXPECT_EQ(Tandem("append --tenant acme --stream p1", kPlanned).exit_code, 1);
}

TEST_F(TandemCliTest, DemoRunsTheStoryThroughCommandsAndNoClientSeesInternalEvents) {
  CliRun d = Tandem("demo");
  ASSERT_EQ(d.exit_code, 0) << d.output;
  EXPECT_NE(d.output.find("no client saw an internal event"), std::string::npos) << d.output;
  EXPECT_NE(d.output.find("refused: scope.not_visible"), std::string::npos) << d.output;
  EXPECT_NE(d.output.find("refused: milestone.already_completed"), std::string::npos) << d.output;
  EXPECT_EQ(d.output.find("FAILED"), std::string::npos) << d.output;
  EXPECT_EQ(Tandem("verify").exit_code, 0);
}

TEST_F(TandemCliTest, DemoEndsWithTheClientsTimelineAndActionItemsAndTheOwnersReport) {
  CliRun d = Tandem("demo");
  ASSERT_EQ(d.exit_code, 0) << d.output;
  const size_t timeline = d.output.find("timeline, as Dana (Acme) sees it:");
  const size_t items = d.output.find("what Eli (Acme) must do now:");
  const size_t report = d.output.find("the workspace report, as Ana (owner) sees it:");
  ASSERT_NE(timeline, std::string::npos) << d.output;
  ASSERT_NE(items, std::string::npos) << d.output;
  ASSERT_NE(report, std::string::npos) << d.output;
  EXPECT_LT(timeline, items);
  EXPECT_LT(items, report);
  const std::string client = d.output.substr(timeline, report - timeline);
  EXPECT_TRUE(std::regex_search(
      client, std::regex(R"(slipped 2026-12-01 -> 2026-12-08 on [0-9]{4}-[0-9]{2}-[0-9]{2}: )")))
      << client;
  EXPECT_NE(client.find("file brand-guide.pdf (version 2 of 2)"), std::string::npos) << client;
  // The demo's dates follow today: the launch copy is due in two days.
  EXPECT_TRUE(std::regex_search(
      client,
      std::regex(R"(Launch announcement copy from \S+ \(due [0-9]{4}-[0-9]{2}-[0-9]{2}\))")))
      << client;
  EXPECT_NE(client.find("[overdue ] answer_approval"), std::string::npos) << client;
  EXPECT_NE(client.find("Launch announcement copy (due "), std::string::npos) << client;
  EXPECT_TRUE(std::regex_search(client, std::regex(R"(\(due [-0-9]+\), asked by Ben\n)")))
      << client;
  EXPECT_TRUE(
      std::regex_search(d.output.substr(report), std::regex(R"(milestones_completed_late\s+1\n)")))
      << d.output.substr(report);
}

TEST_F(TandemCliTest, CommandPrintsTheEventsItWrote) {
  CliRun r = Tandem("command",
                    R"({"type":"workspace.create","command_id":"c1","workspace":"nw",
                        "actor":"ana","name":"Northwind"})");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(R"("ok":true)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(R"("payload_type":"WorkspaceCreated")"), std::string::npos) << r.output;
}

TEST_F(TandemCliTest, RefusedCommandPrintsTheReasonAndExitsOne) {
  const char* create =
      R"({"type":"workspace.create","command_id":"c1","workspace":"nw","actor":"ana","name":"N"})";
  ASSERT_EQ(Tandem("command", create).exit_code, 0);
  CliRun r = Tandem("command", R"({"type":"client.add","command_id":"c2","workspace":"nw",
                                   "actor":"mallory","client_id":"x","name":"X"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(R"("reason":"actor.not_member")"), std::string::npos) << r.output;
}

TEST_F(TandemCliTest, MalformedCommandPrintsASpecificError) {
  CliRun r = Tandem("command", R"({"type":"milestone.start","command_id":"c1"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(R"("reason":"command.missing_field")"), std::string::npos) << r.output;
}

TEST_F(TandemCliTest, CommandOutputIsValidUtf8WhenAMessageQuotesACutName) {
  // The unknown type is quoted up to 64 bytes; the 'é' straddles that cut.
  CliRun r = Tandem("command", R"({"type":")" + std::string(63, 'a') + "\xC3\xA9\"}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(R"("reason":"command.unknown_type")"), std::string::npos) << r.output;
  EXPECT_TRUE(utf8::IsValid(r.output)) << r.output;
}

// The input itself (32 MB) plus the process; AddressSanitizer's shadow and quarantine add more.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kMaxCommandRssKiB = 384 * 1024;
#else
constexpr long kMaxCommandRssKiB = 128 * 1024;
#endif

TEST_F(TandemCliTest, AHugeCommentIsRefusedWithoutParsingIt) {
  // 32 MB of tiny values once took 825 MB before the field check refused them.
  std::string body = "[0";
  while (body.size() < 32u * 1024 * 1024) body += ",0";
  CliRun r = Tandem("command", R"({"type":"comment.post","command_id":"c1","workspace":"nw",)"
                               R"("actor":"ana","project_id":"p","thread_id":"t",)"
                               R"("comment_id":"c","body":)" +
                                   body + "]}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(R"("reason":"command.too_large")"), std::string::npos) << r.output;
  struct rusage usage;
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &usage), 0);
  EXPECT_LT(usage.ru_maxrss, kMaxCommandRssKiB) << "peak RSS in KiB of the tandem process";
}

// The demo's workspace name (it varies per run), from its first line.
std::string DemoWorkspace(const std::string& output) {
  const std::string marker = "workspace ";
  size_t at = output.find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  return output.substr(at, output.find(' ', at) - at);
}

TEST_F(TandemCliTest, ReportPrintsKpisAsTheMemberSeesThemAndThroughALink) {
  CliRun d = Tandem("demo");
  ASSERT_EQ(d.exit_code, 0) << d.output;
  const std::string ws = DemoWorkspace(d.output);
  ASSERT_FALSE(ws.empty()) << d.output;
  CliRun owner = Tandem("report --workspace " + ws + " --as ana --by client week");
  ASSERT_EQ(owner.exit_code, 0) << owner.output;
  EXPECT_NE(owner.output.find(R"("client":"acme")"), std::string::npos) << owner.output;
  EXPECT_NE(owner.output.find(R"("card_cycle_mean_seconds")"), std::string::npos);
  CliRun csv = Tandem("report --workspace " + ws + " --as ana --by client --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  EXPECT_NE(csv.output.find("client,milestones,"), std::string::npos) << csv.output;
  CliRun past = Tandem("report --workspace " + ws + " --as ana --as-of-time 2100-01-01");
  ASSERT_EQ(past.exit_code, 0) << past.output;
  EXPECT_NE(past.output.find(R"("audience":"internal")"), std::string::npos) << past.output;
  EXPECT_EQ(past.output.find("as_of_position"), std::string::npos) << past.output;
  CliRun link = Tandem("report --link demo-secret-" + ws);
  ASSERT_EQ(link.exit_code, 0) << link.output;
  EXPECT_NE(link.output.find(R"("audience":"client")"), std::string::npos) << link.output;
}

// Views written behind longer than that would leave other processes' reads far behind; a
// negative interval is not read as a huge one.
TEST_F(TandemCliTest, ServeRefusesAWriteBehindIntervalOutOfRangeBeforeStarting) {
  CliRun longer = Tandem("serve --views-write-behind-ms 10001");
  EXPECT_EQ(longer.exit_code, 2);
  EXPECT_NE(longer.output.find("--views-write-behind-ms must be at most 10000"), std::string::npos)
      << longer.output;
  EXPECT_EQ(Tandem("serve --views-write-behind-ms -1").exit_code, 2);
}

TEST_F(TandemCliTest, ServeRefusesARealTimePriorityOutOfRangeBeforeStarting) {
  CliRun high = Tandem("serve --views-realtime-priority 100");
  EXPECT_EQ(high.exit_code, 2);
  EXPECT_NE(high.output.find("--views-realtime-priority must be 0 to 99, not 100"),
            std::string::npos)
      << high.output;
  EXPECT_EQ(Tandem("serve --views-realtime-priority -1").exit_code, 2);
}

TEST_F(TandemCliTest, ReportAsAnEmptyMemberIsAUsageErrorNotTheOperator) {
  CliRun d = Tandem("demo");
  ASSERT_EQ(d.exit_code, 0) << d.output;
  const std::string ws = DemoWorkspace(d.output);
  CliRun r = Tandem("report --workspace " + ws + " --as '' --as-of-position 5");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("view.empty_member"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("as_of_position"), std::string::npos) << r.output;
}

TEST_F(TandemCliTest, ReportRefusalsHaveClearErrorsAndExitCodes) {
  ASSERT_EQ(Tandem("demo").exit_code, 0);
  EXPECT_EQ(Tandem("report --as ana").exit_code, 2);  // no --workspace
  EXPECT_EQ(Tandem("report --workspace w --as ana --link x").exit_code, 2);
  EXPECT_EQ(Tandem("report --workspace w --as ana --format xml").exit_code, 2);
  CliRun bad = Tandem("report --workspace w --as ana --by colour");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("report.bad_dimension"), std::string::npos) << bad.output;
  CliRun link = Tandem("report --link not-a-secret");
  EXPECT_EQ(link.exit_code, 1) << link.output;
  EXPECT_NE(link.output.find("report_link.invalid"), std::string::npos) << link.output;
  CliRun member = Tandem("report --workspace nowhere --as ana");
  EXPECT_EQ(member.exit_code, 1) << member.output;
  EXPECT_NE(member.output.find("view.unknown_member"), std::string::npos) << member.output;
}

}  // namespace
}  // namespace tandem
