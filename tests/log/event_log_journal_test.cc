// What the journal is for: acknowledged appends that RocksDB's unsynced WAL lost (a power loss
// does that; a process crash does not) come back when the log is reopened. The loss is made by
// putting the log's journal next to an older copy of its RocksDB files.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <zlib.h>

#include "damage.h"
#include "journal.h"
#include "log_keys.h"
#include "metric_value.h"
#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

namespace fs = std::filesystem;
using test::BodyOf;
using test::CommentEvent;

class EventLogJournalTest : public ::testing::Test {
 protected:
  std::string Live() const { return dir_.Sub("live"); }
  std::string Lost() const { return dir_.Sub("lost"); }

  static void AppendEach(EventLog* log, int from, int to) {
    for (int i = from; i <= to; i++) {
      AppendResult r;
      ASSERT_TRUE(log->Append({"acme", "s"}, ExpectedVersion::Any(),
                              {CommentEvent("e" + std::to_string(i))}, "", &r)
                      .ok());
      ASSERT_EQ(r.first_position, static_cast<uint64_t>(i));
    }
  }

  // A copy of the closed live log, standing for RocksDB's files as a power loss leaves them.
  void SnapshotLiveAsLost() { fs::copy(Live(), Lost(), fs::copy_options::recursive); }

  // Puts the live log's journal into the lost copy, as the device kept it.
  void CopyJournalIntoLost() {
    fs::copy_file(Live() + "/tandem.journal", Lost() + "/tandem.journal",
                  fs::copy_options::overwrite_existing);
  }

  // Leaves the lost copy as a power loss would: RocksDB's files hold e1..e<kept>, the journal
  // also e<kept + 1>..e<last>, all of them acknowledged.
  void LoseFromRocksDb(int kept, int last) {
    AppendEach(test::OpenLogOrDie(Live()).get(), 1, kept);
    SnapshotLiveAsLost();
    auto live = test::OpenLogOrDie(Live());
    AppendEach(live.get(), kept + 1, last);
    CopyJournalIntoLost();  // while open: nothing but the journal has been synced since `kept`
  }

  std::string LostJournal() const { return Lost() + "/tandem.journal"; }

  // Damages the lost copy's journal where the body of an event is stored.
  void DamageLostJournalAt(const std::string& body) {
    test::DamageCommentBodyIn(LostJournal(), body);
  }

  static std::vector<std::string> Bodies(EventLog* log) {
    std::vector<RecordedEvent> events;
    EXPECT_TRUE(log->ReadAll(1, ReadOptions(), &events).ok());
    std::vector<std::string> bodies;
    for (const auto& e : events) bodies.push_back(BodyOf(e));
    return bodies;
  }

  static std::vector<std::string> BodiesUpTo(int n) {
    std::vector<std::string> bodies;
    for (int i = 1; i <= n; i++) bodies.push_back("e" + std::to_string(i));
    return bodies;
  }

  test::ScratchDir dir_;
};

TEST_F(EventLogJournalTest, AcknowledgedAppendsMissingFromRocksDbComeBackFromTheJournal) {
  LoseFromRocksDb(5, 10);
  prometheus::Registry registry;
  EventLogOptions options;
  options.metrics = &registry;
  auto recovered = test::OpenLogOrDie(Lost(), options);
  EXPECT_EQ(recovered->LastPosition(), 10u);
  EXPECT_EQ(test::MetricValue(registry, "tandem_log_journal_recovered_events_total"), 5);
  EXPECT_EQ(Bodies(recovered.get()), BodiesUpTo(10));
  uint64_t head = 0;
  ASSERT_TRUE(recovered->StreamHead({"acme", "s"}, &head).ok());
  EXPECT_EQ(head, 10u);
}

TEST_F(EventLogJournalTest, RecoveredAppendsStayAfterTheJournalIsWrittenOver) {
  LoseFromRocksDb(5, 10);
  // The recovering open flushes what it re-applied, so the journal may start over.
  AppendEach(test::OpenLogOrDie(Lost()).get(), 11, 15);
  auto reopened = test::OpenLogOrDie(Lost());
  EXPECT_EQ(Bodies(reopened.get()), BodiesUpTo(15));
}

TEST_F(EventLogJournalTest, ABufferedOpenStillReplaysTheJournalOfASyncedRun) {
  LoseFromRocksDb(3, 6);
  EventLogOptions buffered;
  buffered.durability = Durability::kBuffered;
  auto recovered = test::OpenLogOrDie(Lost(), buffered);
  EXPECT_EQ(Bodies(recovered.get()), BodiesUpTo(6));
}

TEST_F(EventLogJournalTest, OpenFailsWithCorruptionWhenAcknowledgedPositionsAreLostEverywhere) {
  AppendEach(test::OpenLogOrDie(Live()).get(), 1, 5);
  SnapshotLiveAsLost();
  AppendEach(test::OpenLogOrDie(Live()).get(), 6, 10);
  {
    // Reopening starts the journal over, so it no longer holds 6..10.
    auto live = test::OpenLogOrDie(Live());
    AppendEach(live.get(), 11, 12);
    CopyJournalIntoLost();
  }
  std::unique_ptr<EventLog> log;
  Status s = EventLog::Open(EventLogOptions(), Lost(), &log);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("positions 6..10 are lost"), std::string::npos) << s.ToString();
  // Nothing was re-applied: the older copy still reads as it was.
  EventLogOptions read_only;
  read_only.read_only = true;
  EXPECT_EQ(Bodies(test::OpenLogOrDie(Lost(), read_only).get()), BodiesUpTo(5));
}

TEST_F(EventLogJournalTest,
       DamageInsideAnAcknowledgedJournalRecordFailsTheOpenNamingTheLostPosition) {
  LoseFromRocksDb(3, 6);  // one journal write per append: 4, 5 and 6 were each acknowledged
  DamageLostJournalAt("e5");
  std::unique_ptr<EventLog> log;
  Status s = EventLog::Open(EventLogOptions(), Lost(), &log);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("positions 5..5 are lost"), std::string::npos) << s.ToString();
  EventLogOptions read_only;
  read_only.read_only = true;
  EXPECT_EQ(Bodies(test::OpenLogOrDie(Lost(), read_only).get()), BodiesUpTo(3));
}

TEST_F(EventLogJournalTest, ATornLastJournalWriteIsDroppedAndTheOpenSucceeds) {
  LoseFromRocksDb(3, 6);
  DamageLostJournalAt("e6");  // as a power loss during its write leaves it: never acknowledged
  EXPECT_EQ(Bodies(test::OpenLogOrDie(Lost()).get()), BodiesUpTo(5));
}

TEST_F(EventLogJournalTest, AMissingJournalFailsTheOpenNamingTheFile) {
  AppendEach(test::OpenLogOrDie(Live()).get(), 1, 3);
  fs::remove(Live() + "/tandem.journal");
  for (Durability durability : {Durability::kSynced, Durability::kBuffered}) {
    EventLogOptions options;
    options.durability = durability;
    std::unique_ptr<EventLog> log;
    Status s = EventLog::Open(options, Live(), &log);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find(Live() + "/tandem.journal"), std::string::npos) << s.ToString();
  }
  EXPECT_FALSE(fs::exists(Live() + "/tandem.journal"));  // not silently made again
}

TEST_F(EventLogJournalTest, AJournalEmptiedOrTakenFromAnotherLogFailsTheOpen) {
  AppendEach(test::OpenLogOrDie(Live()).get(), 1, 3);
  const std::string other = dir_.Sub("other");
  AppendEach(test::OpenLogOrDie(other).get(), 1, 2);
  fs::copy_file(other + "/tandem.journal", Live() + "/tandem.journal",
                fs::copy_options::overwrite_existing);
  std::unique_ptr<EventLog> log;
  Status s = EventLog::Open(EventLogOptions(), Live(), &log);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  fs::resize_file(Live() + "/tandem.journal", 0);
  s = EventLog::Open(EventLogOptions(), Live(), &log);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(EventLogJournalTest, ALogOnlyEverOpenedBufferedGetsItsJournalAtItsFirstSyncedOpen) {
  EventLogOptions buffered;
  buffered.durability = Durability::kBuffered;
  AppendEach(test::OpenLogOrDie(Live(), buffered).get(), 1, 3);
  EXPECT_FALSE(fs::exists(Live() + "/tandem.journal"));
  AppendEach(test::OpenLogOrDie(Live()).get(), 4, 5);
  EXPECT_TRUE(fs::exists(Live() + "/tandem.journal"));
  EXPECT_EQ(Bodies(test::OpenLogOrDie(Live(), buffered).get()), BodiesUpTo(5));
}

// The previous build's record framing: be32 CRC-32 of the rest, be32 length, be64 first, be64
// last, then the WriteBatch; records from offset 0, no header.
std::string Format1Record(uint64_t first, uint64_t last, std::string_view batch) {
  std::string r(8, '\0');
  log_keys::AppendBigEndian64(&r, first);
  log_keys::AppendBigEndian64(&r, last);
  r += batch;
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; i++) r[at + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  put32(4, static_cast<uint32_t>(batch.size()));
  put32(0, static_cast<uint32_t>(crc32(crc32(0, Z_NULL, 0),
                                       reinterpret_cast<const Bytef*>(r.data() + 4),
                                       static_cast<uInt>(r.size() - 4))));
  return r;
}

TEST_F(EventLogJournalTest, AJournalWrittenByThePreviousBuildIsStillReplayed) {
  // The previous build left no journal mark in RocksDB: a copy made before any synced open.
  EventLogOptions buffered;
  buffered.durability = Durability::kBuffered;
  AppendEach(test::OpenLogOrDie(Live(), buffered).get(), 1, 3);
  SnapshotLiveAsLost();
  std::string journal;
  {
    auto live = test::OpenLogOrDie(Live());
    AppendEach(live.get(), 4, 6);
    std::unique_ptr<Journal> current;
    ASSERT_TRUE(Journal::OpenExisting(Live() + "/tandem.journal", false, &current).ok());
    uint64_t last = 0;
    auto accept = [](uint64_t, uint64_t, std::string_view) { return Status::OK(); };
    ASSERT_TRUE(current
                    ->Replay(
                        3, accept,
                        [&](uint64_t first, uint64_t last_position, std::string_view batch) {
                          journal += Format1Record(first, last_position, batch);
                          return Status::OK();
                        },
                        &last)
                    .ok());
    ASSERT_EQ(last, 6u);
  }
  journal.resize(64 << 10, '\0');
  std::ofstream(LostJournal(), std::ios::binary) << journal;
  EXPECT_EQ(Bodies(test::OpenLogOrDie(Lost()).get()), BodiesUpTo(6));
  // Converted and marked by that open: from now on it may not go missing.
  fs::remove(LostJournal());
  std::unique_ptr<EventLog> log;
  EXPECT_TRUE(EventLog::Open(EventLogOptions(), Lost(), &log).IsCorruption());
}

TEST_F(EventLogJournalTest, AFullJournalWrapsAndStaysWithinItsSize) {
  EventLogOptions small;
  small.journal_bytes = 16 << 10;
  // Each append is about 370 bytes in the journal: 200 of them wrap it four times.
  AppendEach(test::OpenLogOrDie(Live(), small).get(), 1, 200);
  EXPECT_EQ(fs::file_size(Live() + "/tandem.journal"), small.journal_bytes);
  EXPECT_EQ(Bodies(test::OpenLogOrDie(Live(), small).get()), BodiesUpTo(200));
}

TEST_F(EventLogJournalTest, AnAppendLargerThanTheJournalIsStillAcknowledgedDurably) {
  EventLogOptions tiny;
  tiny.journal_bytes = 4 << 10;
  const std::string body(16 << 10, 'b');
  {
    auto log = test::OpenLogOrDie(Live(), tiny);
    AppendResult r;
    ASSERT_TRUE(
        log->Append({"acme", "big"}, ExpectedVersion::NoStream(), {CommentEvent(body)}, "", &r)
            .ok());
  }
  auto reopened = test::OpenLogOrDie(Live(), tiny);
  std::vector<RecordedEvent> events;
  ASSERT_TRUE(reopened->ReadAll(1, ReadOptions(), &events).ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(BodyOf(events[0]), body);
}

}  // namespace
}  // namespace tandem
