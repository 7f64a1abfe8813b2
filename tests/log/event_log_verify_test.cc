// `tandem verify` checks what opening a log depends on beyond RocksDB's files: the journal the
// log is marked with, the journal's current pass, and the published position. Each problem a
// read-write or read-only open would trip over (or silently hide) is a failure naming the file.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>

#include "damage.h"
#include "journal.h"
#include "tandem/log/event_log.h"
#include "tandem/log/log_verifier.h"
#include "test_util.h"

namespace tandem {
namespace {

namespace fs = std::filesystem;
using test::CommentEvent;

void AppendEach(EventLog* log, int from, int to) {
  for (int i = from; i <= to; i++) {
    AppendResult r;
    ASSERT_TRUE(log->Append({"acme", "s"}, ExpectedVersion::Any(),
                            {CommentEvent("e" + std::to_string(i))}, "", &r)
                    .ok());
  }
}

Status Verify(const std::string& dir) {
  VerifyReport report;
  return VerifyEventLogFolder(dir, VerifyOptions(), &report);
}

// Corruption whose message names `file`.
void ExpectCorruptionNaming(const Status& s, const std::string& file) {
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(file), std::string::npos) << s.message();
}

class EventLogVerifyTest : public ::testing::Test {
 protected:
  std::string Live() const { return dir_.Sub("live"); }
  std::string Lost() const { return dir_.Sub("lost"); }

  void WriteLive(int events) { AppendEach(test::OpenLogOrDie(Live()).get(), 1, events); }

  // Leaves `Lost()` as a power loss would: RocksDB's files hold e1..e<kept>, the journal (and
  // the published position) also e<kept + 1>..e<last>, each appended by its own journal write.
  void LoseFromRocksDb(int kept, int last) {
    WriteLive(kept);
    fs::copy(Live(), Lost(), fs::copy_options::recursive);
    auto live = test::OpenLogOrDie(Live());
    AppendEach(live.get(), kept + 1, last);
    for (const char* file : {"tandem.journal", "tandem.durable"}) {
      fs::copy_file(Live() + "/" + file, Lost() + "/" + file, fs::copy_options::overwrite_existing);
    }
  }

  test::ScratchDir dir_;
};

TEST_F(EventLogVerifyTest, AHealthyLogPasses) {
  WriteLive(3);
  EXPECT_TRUE(Verify(Live()).ok()) << Verify(Live()).ToString();
}

// Found in review (2026-12-05): a damaged block was reported as what it hid ("gap in the log"),
// RocksDB 7.8 ending a scan at it without an error; the tables' checksums come first now.
TEST_F(EventLogVerifyTest, ADamagedTableIsReportedByName) {
  WriteLive(50);
  const std::string table = test::DamageATableIn(Live());
  ASSERT_FALSE(table.empty());
  ExpectCorruptionNaming(Verify(Live()), fs::path(table).filename().string());
}

TEST_F(EventLogVerifyTest, ALogOnlyEverWrittenBufferedPassesWithoutAJournal) {
  EventLogOptions options;
  options.durability = Durability::kBuffered;
  AppendEach(test::OpenLogOrDie(Live(), options).get(), 1, 2);
  ASSERT_FALSE(fs::exists(Live() + "/tandem.journal"));
  EXPECT_TRUE(Verify(Live()).ok()) << Verify(Live()).ToString();
}

TEST_F(EventLogVerifyTest, AJournalHoldingAcknowledgedEventsRocksDbLostPasses) {
  // What a read-write open recovers is no problem: the events are all there, in the journal.
  LoseFromRocksDb(2, 5);
  EXPECT_TRUE(Verify(Lost()).ok()) << Verify(Lost()).ToString();
}

// Found in review (2026-12-05): verify said OK while every reader was refused until recovery.
TEST_F(EventLogVerifyTest, EventsOnlyTheJournalHoldsAreCountedAsAwaitingRecovery) {
  LoseFromRocksDb(2, 5);
  VerifyReport report;
  ASSERT_TRUE(VerifyEventLogFolder(Lost(), VerifyOptions(), &report).ok());
  EXPECT_EQ(report.awaiting_recovery, 3u);
  ASSERT_TRUE(VerifyEventLogFolder(Live(), VerifyOptions(), &report).ok());
  EXPECT_EQ(report.awaiting_recovery, 0u);
}

TEST_F(EventLogVerifyTest, VerifyBesideALiveWriterPasses) {
  // A small journal, so that the writer rewinds it often while verify reads it: the journal
  // runs ahead of verify's view of RocksDB, or starts a new pass under it.
  EventLogOptions options;
  options.journal_bytes = 4 << 10;
  auto log = test::OpenLogOrDie(Live(), options);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1; !done.load(); i++) AppendEach(log.get(), i, i);
  });
  Status failure;
  for (int round = 0; round < 30 && failure.ok(); round++) failure = Verify(Live());
  done.store(true);
  writer.join();
  EXPECT_TRUE(failure.ok()) << failure.ToString();
  EXPECT_GT(log->LastPosition(), 0u);
}

TEST_F(EventLogVerifyTest, AMissingJournalIsReported) {
  WriteLive(2);
  fs::remove(Live() + "/tandem.journal");
  ExpectCorruptionNaming(Verify(Live()), "tandem.journal");
}

TEST_F(EventLogVerifyTest, AnotherLogsJournalIsReported) {
  WriteLive(2);
  const std::string other = dir_.Sub("other");
  AppendEach(test::OpenLogOrDie(other).get(), 1, 2);
  fs::copy_file(other + "/tandem.journal", Live() + "/tandem.journal",
                fs::copy_options::overwrite_existing);
  ExpectCorruptionNaming(Verify(Live()), "tandem.journal");
}

TEST_F(EventLogVerifyTest, DamageInTheMiddleOfTheJournalIsReported) {
  LoseFromRocksDb(2, 6);
  // e4 is acknowledged and held only by the journal; later journal writes follow it.
  test::DamageCommentBodyIn(Lost() + "/tandem.journal", "e4");
  ExpectCorruptionNaming(Verify(Lost()), "tandem.journal");
}

TEST_F(EventLogVerifyTest, AJournalRecordRecoveryWouldRefuseIsReported) {
  WriteLive(2);
  test::OpenLogOrDie(Live()).reset();  // a new pass from position 3, with no record yet
  {
    // An intact record (its checksum matches) for position 3 whose batch is not one the writer
    // could have built.
    std::unique_ptr<Journal> journal;
    ASSERT_TRUE(Journal::OpenExisting(Live() + "/tandem.journal", true, &journal).ok());
    std::string record;
    journal->EncodeRecord(3, 3, "not a write batch", &record);
    ASSERT_TRUE(journal->Write(record).ok());
  }
  ExpectCorruptionNaming(Verify(Live()), "tandem.journal");
}

TEST_F(EventLogVerifyTest, AMissingDurablePositionIsReported) {
  WriteLive(2);
  fs::remove(Live() + "/tandem.durable");
  ExpectCorruptionNaming(Verify(Live()), "tandem.durable");
}

TEST_F(EventLogVerifyTest, ADurablePositionBeyondTheLogIsReported) {
  // Another log's file, publishing 4 over a log that holds 2 (and a journal with nothing more).
  WriteLive(2);
  const std::string other = dir_.Sub("other");
  AppendEach(test::OpenLogOrDie(other).get(), 1, 4);
  fs::copy_file(other + "/tandem.durable", Live() + "/tandem.durable",
                fs::copy_options::overwrite_existing);
  ExpectCorruptionNaming(Verify(Live()), "tandem.durable");
}

TEST_F(EventLogVerifyTest, ADamagedDurablePositionIsReported) {
  WriteLive(2);
  {
    std::fstream f(Live() + "/tandem.durable", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16);  // the position's bytes
    const std::string ones(8, '\xff');
    f.write(ones.data(), static_cast<std::streamsize>(ones.size()));
  }
  ExpectCorruptionNaming(Verify(Live()), "tandem.durable");
}

}  // namespace
}  // namespace tandem
