// `tandem view`, `rebuild`, `view-hash` and `projections` as a user runs them, on the demo's
// history.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "cli_run.h"
#include "tandem/basics/calendar.h"
#include "tandem/basics/utf8.h"
#include "tandem/projections/view_store.h"

namespace tandem::test {
namespace {

class ViewCliTest : public ::testing::Test {
 public:
  void SetUp() override {
    CliRun demo = Tandem("demo");
    ASSERT_EQ(demo.exit_code, 0) << demo.output;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(demo.output, m, std::regex("workspace (northwind-[0-9]+)")))
        << demo.output;
    workspace_ = m[1];
  }
  CliRun Tandem(const std::string& args) { return RunTandem(dir_, dir_.Sub("data"), args); }
  CliRun View(const std::string& args) {
    return Tandem("view " + args + " --workspace " + workspace_);
  }

  ScratchDir dir_;
  std::string workspace_;
};

// The error for a client's thread named by `shell_words` (expanded by the shell), which must be
// long enough to be cut short.
CliRun CutShortThreadError(ViewCliTest* test, const std::string& shell_words) {
  CliRun r = test->View("threads --project web --member dana --thread " + shell_words);
  EXPECT_EQ(r.exit_code, 1) << r.output.substr(0, 200);
  EXPECT_NE(r.output.find(" bytes)"), std::string::npos) << r.output;
  return r;
}

TEST_F(ViewCliTest, ClientTimelinePrintsTheClientsMilestonesAsJson) {
  CliRun r = View("client-timeline --project web --member dana");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(R"("title":"Design sign-off")"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(R"("reason":"Brand guide not received yet")"), std::string::npos);
}

TEST_F(ViewCliTest, CsvPrintsAHeaderAndOneLinePerMilestone) {
  CliRun r = View("client-timeline --project web --client acme --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("id,title,status,planned_date,", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("\r\ndesign,Design sign-off,completed,"), std::string::npos);
}

TEST_F(ViewCliTest, UnknownViewIsAUsageError) {
  CliRun r = View("client-timelines --project web");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("view.unknown"), std::string::npos) << r.output;
}

TEST_F(ViewCliTest, UnknownMemberFails) {
  CliRun r = View("client-timeline --project web --member mallory");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("view.unknown_member"), std::string::npos) << r.output;
}

TEST_F(ViewCliTest, ClientAskingForTheInternalTimelineGetsTheMissingProjectAnswer) {
  CliRun internal = View("internal-timeline --project web --member dana");
  CliRun missing = View("internal-timeline --project nothing-here --member dana");
  EXPECT_EQ(internal.exit_code, 1);
  EXPECT_EQ(internal.exit_code, missing.exit_code);
  EXPECT_NE(internal.output.find("view.not_found"), std::string::npos) << internal.output;
  EXPECT_EQ(std::regex_replace(internal.output, std::regex("'web'"), "'X'"),
            std::regex_replace(missing.output, std::regex("'nothing-here'"), "'X'"));
}

TEST_F(ViewCliTest, PositionPastTheHeadIsRefused) {
  CliRun r = View("client-timeline --project web --as-of-position 999999");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("view.position_out_of_range"), std::string::npos) << r.output;
}

TEST_F(ViewCliTest, MalformedTimeIsRefused) {
  CliRun r = View("client-timeline --project web --as-of-time 2026-12-01T25:00:00Z");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("view.malformed_time"), std::string::npos) << r.output;
}

TEST_F(ViewCliTest, AsOfTimeBeforeTheFirstEventFails) {
  CliRun r = View("client-timeline --project web --as-of-time 2000-01-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("view.before_first_event"), std::string::npos) << r.output;
}

TEST_F(ViewCliTest, ClientMemberNamingAPositionIsRefusedBeforeTheRangeCheck) {
  CliRun in_log = View("client-timeline --project web --member dana --as-of-position 3");
  CliRun past_head = View("client-timeline --project web --member dana --as-of-position 999999");
  EXPECT_EQ(past_head.exit_code, 1);
  EXPECT_NE(past_head.output.find("view.position_not_allowed"), std::string::npos)
      << past_head.output;
  EXPECT_EQ(in_log.output, past_head.output);
}

TEST_F(ViewCliTest, FirmMemberNamingAPositionIsRefusedAndSeesNone) {
  // A log position counts every tenant's events: the firm would gauge other tenants' activity.
  CliRun named = View("internal-timeline --project web --member ana --as-of-position 3");
  EXPECT_EQ(named.exit_code, 1);
  EXPECT_NE(named.output.find("view.position_not_allowed"), std::string::npos) << named.output;
  CliRun live = View("internal-timeline --project web --member ana");
  ASSERT_EQ(live.exit_code, 0) << live.output;
  EXPECT_EQ(live.output.find("as_of_position"), std::string::npos) << live.output;
  CliRun operator_read = View("internal-timeline --project web");
  ASSERT_EQ(operator_read.exit_code, 0) << operator_read.output;
  EXPECT_NE(operator_read.output.find("as_of_position"), std::string::npos);
}

TEST_F(ViewCliTest, AnEmptyMemberIsAUsageErrorNotTheOperator) {
  // A front end passing on an identity it could not resolve must not read as the operator.
  CliRun r = View("internal-timeline --project web --member '' --as-of-position 3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("view.empty_member"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("as_of_position"), std::string::npos) << r.output;
}

// Found in review (2026-12-05): an error echoed the id it was given byte for byte, so a newline
// in it printed a forged line of its own and an escape sequence drove the terminal.
TEST_F(ViewCliTest, AnErrorEchoesAHostileIdOnOneLineWithoutItsControlCharacters) {
  CliRun r =
      View("threads --project web --member dana --thread \"$(printf 'x\\nforged: ok\\033[31m')\"");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("view.not_found"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("x\\nforged: ok\\x1b[31m"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find('\033'), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("\nforged"), std::string::npos) << r.output;
}

// A bidirectional override or a line separator in an echoed id would turn the rest of the line
// around or break it: escaped like the other controls (review, 2026-12-07).
TEST_F(ViewCliTest, AnErrorEchoesBidirectionalOverridesAndSeparatorsEscaped) {
  CliRun r = View(
      "threads --project web --member dana --thread \"$(printf "
      "'a\342\200\256b\342\200\250c\302\205d')\"");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("a\\u202eb\\u2028c\\u0085d"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("\xE2\x80\xAE"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("\xE2\x80\xA8"), std::string::npos) << r.output;
}

TEST_F(ViewCliTest, AnErrorEchoingAHugeIdIsBounded) {
  CliRun r = CutShortThreadError(this, "$(head -c 100000 /dev/zero | tr '\\0' a)");
  EXPECT_LT(r.output.size(), 2000u);
}

TEST_F(ViewCliTest, AnErrorCutShortNeverSplitsACharacter) {
  CliRun r = CutShortThreadError(this, "x$(printf '\\303\\251%.0s' $(seq 1000))");
  EXPECT_TRUE(utf8::IsValid(r.output)) << r.output;
}

// boost reads -1 into an unsigned option as its largest value.
TEST_F(ViewCliTest, ANegativePositionIsAUsageError) {
  CliRun r = View("client-timeline --project web --as-of-position -1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("as-of-position"), std::string::npos) << r.output;
}

TEST_F(ViewCliTest, AnEmptyAsOfTimeIsAUsageErrorNotALiveRead) {
  CliRun r = View("client-timeline --project web --member dana --as-of-time ''");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("view.malformed_time"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Design sign-off"), std::string::npos) << r.output;
}

// Found in review (2026-12-05): on a full disk RocksDB's diagnostic log (its LOG file) asserted
// that its write succeeded, and every verb (a running `tandem serve` too) died with SIGABRT. A
// file size limit makes every file that grows past it fail to be written, as a full disk does.
CliRun TandemOnAFullDisk(const std::string& data, const std::string& args) {
  const std::string cmd = "bash -c \"trap '' XFSZ; ulimit -f 4; exec " + std::string(TANDEM_PATH) +
                          " " + args + " --data " + data + "\" 2>&1";
  CliRun run{0, ""};
  FILE* pipe = popen(cmd.c_str(), "r");
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) run.output.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST_F(ViewCliTest, ARebuildOnAFullDiskFailsWithTheIoErrorInsteadOfAborting) {
  CliRun r = TandemOnAFullDisk(dir_.Sub("data"), "rebuild --all");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("io_error"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Assertion"), std::string::npos) << r.output;
  CliRun after = View("client-timeline --project web --member dana");  // room again
  EXPECT_EQ(after.exit_code, 0) << after.output;
  EXPECT_NE(after.output.find("Design sign-off"), std::string::npos) << after.output;
}

TEST_F(ViewCliTest, ReadingOnAFullDiskDoesNotAbort) {
  CliRun r = TandemOnAFullDisk(dir_.Sub("data"), "projections");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("Assertion"), std::string::npos) << r.output;
}

// Found in review (2026-12-05): RocksDB 7.8 can lose the error of a damaged block in a scan over
// several tables, which then ends early as if the rows were not there; `verify` reads every
// table of the views and names the damage.
TEST_F(ViewCliTest, VerifyNamesADamagedViewsTable) {
  EXPECT_NE(Tandem("verify").output.find("views=checked"), std::string::npos);
  std::string table;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.Sub("data") + "/views")) {
    if (entry.path().extension() == ".sst") table = entry.path().string();
  }
  ASSERT_FALSE(table.empty());
  {
    std::fstream file(table, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(100);
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(~byte);
    file.seekp(100);
    file.write(&byte, 1);
  }
  CliRun r = Tandem("verify");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAILED views"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(std::filesystem::path(table).filename().string()), std::string::npos)
      << r.output;
}

TEST_F(ViewCliTest, AnEmptyClientIsAUsageErrorNotTheOperatorsWholeView) {
  CliRun r = View("internal-timeline --project web --client ''");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("view.empty_client"), std::string::npos) << r.output;
}

TEST_F(ViewCliTest, AMembersReadLogsNoWarningNamingALogPosition) {
  // Views restored ahead of their log are dropped with a warning naming their checkpoint, a
  // position that counts every tenant's events: the operator's to see, not a member's.
  const std::string log_only = dir_.Sub("log-only");
  std::filesystem::copy(dir_.Sub("data"), log_only, std::filesystem::copy_options::recursive);
  std::filesystem::remove_all(log_only + "/views");
  const std::string other =
      R"({"actor":"z","audience":"Internal","payload_type":"ReportLinkRevoked",)"
      R"("payload":{"project_id":"x"}})";
  ASSERT_EQ(RunTandem(dir_, dir_.Sub("data"), "append --tenant other --stream project:x --file -",
                      "[" + other + "," + other + "]")
                .exit_code,
            0);
  ASSERT_EQ(Tandem("view-hash --all").exit_code, 0);  // the views fold the other tenant's events
  // The log without those events, beside views that folded them.
  auto restore = [&](const std::string& name) {
    const std::string restored = dir_.Sub(name);
    std::filesystem::copy(log_only, restored, std::filesystem::copy_options::recursive);
    std::filesystem::copy(dir_.Sub("data") + "/views", restored + "/views",
                          std::filesystem::copy_options::recursive);
    return restored;
  };
  const std::string read = "view client-timeline --workspace " + workspace_ + " --project web";
  CliRun member = RunTandem(dir_, restore("for-member"), read + " --member dana");
  EXPECT_EQ(member.exit_code, 0) << member.output;
  EXPECT_EQ(member.output.find("ahead_of_log"), std::string::npos) << member.output;
  CliRun operator_read = RunTandem(dir_, restore("for-operator"), read);
  EXPECT_EQ(operator_read.exit_code, 0) << operator_read.output;
  EXPECT_NE(operator_read.output.find("ahead_of_log"), std::string::npos) << operator_read.output;
}

TEST_F(ViewCliTest, MemberAsOfATimeBeforeTheFirstEventIsAnUnknownMember) {
  CliRun r = View("client-timeline --project web --member dana --as-of-time 2000-01-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("view.unknown_member"), std::string::npos) << r.output;
}

// An instant as --as-of-time takes it, to the microsecond.
std::string IsoInstant(int64_t micros) {
  constexpr int64_t kDay = 86'400'000'000;
  const int64_t in_day = micros % kDay;
  char time[32];
  std::snprintf(time, sizeof time, "T%02lld:%02lld:%02lld.%06lldZ",
                static_cast<long long>(in_day / 3'600'000'000),
                static_cast<long long>(in_day / 60'000'000 % 60),
                static_cast<long long>(in_day / 1'000'000 % 60),
                static_cast<long long>(in_day % 1'000'000));
  return FormatIsoDate(micros / kDay) + time;
}

// A report of the past reads the same whenever it is asked for: a block in progress then has
// lasted until that moment, not until the moment of asking.
TEST_F(ViewCliTest, ReportOfThePastCountsABlockInProgressUntilThatMoment) {
  CliRun events = Tandem("read --tenant " + workspace_);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      events.output, m,
      std::regex("\"recorded_at_us\": ([0-9]+),[^\n]*\"payload_type\": \"MilestoneBlocked\"")))
      << events.output;
  const int64_t blocked = std::stoll(m[1]);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CliRun r = Tandem("report --workspace " + workspace_ + " --as ana --as-of-time " +
                    IsoInstant(blocked + 1));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"time_blocked_seconds\":0,"), std::string::npos) << r.output;
}

// A moment still to come is judged now: the future has made nothing overdue yet.
TEST_F(ViewCliTest, ReportAsOfAMomentToComeIsTheLiveReport) {
  CliRun live = Tandem("report --workspace " + workspace_ + " --as ana");
  CliRun later = Tandem("report --workspace " + workspace_ + " --as ana --as-of-time 9999-12-31");
  ASSERT_EQ(later.exit_code, 0) << later.output;
  EXPECT_EQ(later.output, live.output);
}

TEST_F(ViewCliTest, ReportLinkIsReadLiveOnly) {
  CliRun r = Tandem("report --link demo-secret-" + workspace_ + " --as-of-time 2026-12-01");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST_F(ViewCliTest, LiveRebuiltAndAsOfHashesAgree) {
  CliRun live = Tandem("view-hash --all");
  ASSERT_EQ(live.exit_code, 0) << live.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(live.output, m, std::regex("position=([0-9]+)")));
  CliRun as_of = Tandem("view-hash --all --as-of-position " + m[1].str());
  ASSERT_EQ(Tandem("rebuild --all").exit_code, 0);
  CliRun rebuilt = Tandem("view-hash --all");
  EXPECT_EQ(live.output, as_of.output);
  EXPECT_EQ(live.output, rebuilt.output);
}

TEST_F(ViewCliTest, ViewHashTakesAViewsNameForTheStoredViewsItShows) {
  CliRun r = Tandem("view-hash board");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("view=client-board "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("view=internal-board "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("view=directory "), std::string::npos) << r.output;
}

TEST_F(ViewCliTest, RebuildingAnUnknownViewNamesTheKnownOnesAndDropsNothing) {
  CliRun before = Tandem("view-hash --all");
  CliRun r = Tandem("rebuild client-timeline nope");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown stored view 'nope'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("internal-board"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("feed"), std::string::npos) << r.output;
  EXPECT_EQ(Tandem("view-hash --all").output, before.output);
}

TEST_F(ViewCliTest, RebuildLogsProgressWhenNotOnATerminal) {
  CliRun r = Tandem("rebuild client-timeline");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(100%)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rebuilt 1 view(s) to position"), std::string::npos);
  EXPECT_EQ(r.output.find("(100%)"), r.output.rfind("(100%)")) << r.output;
}

TEST_F(ViewCliTest, RebuildOfEveryViewLogsALinePerTenthEvenInOneRound) {
  // The demo's history is one round of the catch-up: its progress is its views finishing.
  CliRun r = Tandem("rebuild --all");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<int> percents;
  const std::regex line(R"(folded [0-9]+/[0-9]+ events \(([0-9]+)%\))");
  for (std::sregex_iterator it(r.output.begin(), r.output.end(), line), end; it != end; ++it) {
    percents.push_back(std::stoi((*it)[1].str()));
  }
  EXPECT_GE(percents.size(), 9u) << r.output;
  EXPECT_TRUE(std::is_sorted(percents.begin(), percents.end())) << r.output;
  ASSERT_FALSE(percents.empty());
  EXPECT_EQ(percents.back(), 100) << r.output;
}

// A rebuild leaves a copy of the views at its rounds' ends; a report of the past starts from it
// and says what the fold from the log's beginning says.
TEST_F(ViewCliTest, ARebuildsSnapshotGivesTheSameReportOfThePast) {
  CliRun rebuilt = Tandem("rebuild --all --views-snapshot-every 10");
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.output;
  const std::string snapshots = dir_.Sub("data") + "/views-snapshots";
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(snapshots)) {
    names.push_back(entry.path().filename().string());
  }
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(std::regex_match(names[0], std::regex("[0-9]{20}"))) << names[0];
  EXPECT_NE(Tandem("projections")
                .output.find("snapshots in " + snapshots + ", at positions " +
                             std::to_string(std::stoull(names[0]))),
            std::string::npos);
  CliRun last = Tandem("read --tenant " + workspace_ + " --backward --max 1");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(last.output, m, std::regex("\"recorded_at_us\": ([0-9]+)")));
  const std::string report =
      "report --workspace " + workspace_ + " --as ana --as-of-time " + IsoInstant(std::stoll(m[1]));
  CliRun from_snapshot = Tandem(report);
  ASSERT_EQ(from_snapshot.exit_code, 0) << from_snapshot.output;
  std::filesystem::rename(snapshots, snapshots + "-away");
  EXPECT_EQ(Tandem(report).output, from_snapshot.output);
}

// Copies make reads of the past cheaper, nothing more: a snapshots folder that cannot be used
// is said in the log and the rebuild goes on without.
TEST_F(ViewCliTest, ASnapshotsFolderThatCannotBeUsedDoesNotStopARebuild) {
  std::ofstream(dir_.Sub("data") + "/views-snapshots") << "not a folder";
  CliRun r = Tandem("rebuild --all --views-snapshot-every 10");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("takes no snapshots"), std::string::npos) << r.output;
}

// A rebuild replaces the views: the copies of the old ones go with them.
TEST_F(ViewCliTest, ARebuildDiscardsTheCopiesOfTheViewsItReplaces) {
  ASSERT_EQ(Tandem("rebuild --all --views-snapshot-every 10").exit_code, 0);
  const std::string snapshots = dir_.Sub("data") + "/views-snapshots";
  ASSERT_FALSE(std::filesystem::is_empty(snapshots));
  CliRun r = Tandem("rebuild client-timeline --views-snapshot-every 0");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::is_empty(snapshots));
}

TEST_F(ViewCliTest, KeepingNoSnapshotIsAUsageError) {
  CliRun r = Tandem("rebuild --all --views-snapshots-kept 0");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--views-snapshots-kept must be at least 1"), std::string::npos);
}

TEST_F(ViewCliTest, ProjectionsShowsEachViewsCheckpointAndLag) {
  ASSERT_EQ(View("client-timeline --project web").exit_code, 0);
  CliRun r = Tandem("projections --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The stored version is the projection's own: the view was built by this build.
  EXPECT_TRUE(std::regex_search(
      r.output,
      std::regex(R"(\{"view":"client-timeline","version":([0-9]+),"stored_version":\1,)")))
      << r.output;
  EXPECT_NE(r.output.find(R"("lag":0,)"), std::string::npos);
}

TEST_F(ViewCliTest, ProjectionsSaysAViewBeingFoldedAgainIsNotServed) {
  {
    // As a rebuild killed midway leaves it: its checkpoint short of its ready mark.
    std::unique_ptr<ViewStore> store;
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("data") + "/views", &store).ok());
    ViewCheckpoint c;
    ASSERT_TRUE(store->GetCheckpoint("client-timeline", &c).ok());
    ASSERT_TRUE(store->Drop("client-timeline").ok());
    auto batch = store->NewBatch();
    batch->SetCheckpoint("client-timeline", {1, c.version, c.position});
    ASSERT_TRUE(store->Commit(batch.get()).ok());
  }
  CliRun r = Tandem("projections --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(
      r.output, std::regex(R"(\{"view":"client-timeline",[^}]*"served":"folding_again")")))
      << r.output;
  EXPECT_TRUE(
      std::regex_search(r.output, std::regex(R"(\{"view":"client-feed",[^}]*"served":"yes")")))
      << r.output;
}

}  // namespace
}  // namespace tandem::test
