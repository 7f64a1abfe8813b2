// The durability journal on its own: which records a replay applies after a crash, wherever the
// crash left the file, and which damage it reports instead of dropping positions silently.
#include "journal.h"

#include <fstream>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "log_keys.h"
#include "test_util.h"

namespace tandem {
namespace {

constexpr uint64_t kCapacity = 4096;
constexpr uint64_t kStart = Journal::kRecordsOffset;
constexpr uint64_t kHeader = Journal::kRecordHeaderBytes;

struct Applied {
  uint64_t first, last;
  std::string payload;
  bool operator==(const Applied& o) const {
    return first == o.first && last == o.last && payload == o.payload;
  }
};

class JournalTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.Sub("tandem.journal"); }

  // A new journal whose first pass starts at position `first`.
  std::unique_ptr<Journal> CreateJournal(uint64_t first = 1) {
    std::unique_ptr<Journal> j;
    EXPECT_TRUE(Journal::Create(Path(), kCapacity, &j).ok());
    EXPECT_TRUE(j->Rewind(first).ok());
    return j;
  }

  std::unique_ptr<Journal> Reopen() {
    std::unique_ptr<Journal> j;
    Status s = Journal::OpenExisting(Path(), true, &j);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return j;
  }

  // Writes one record per (first, last) range, payload "p<first>", in one Write.
  static void WriteRecords(Journal* j, const std::vector<std::pair<uint64_t, uint64_t>>& ranges) {
    std::string records;
    for (auto [first, last] : ranges) {
      j->EncodeRecord(first, last, "p" + std::to_string(first), &records);
    }
    ASSERT_TRUE(j->Write(records).ok());
  }

  struct Replayed {
    Status status;
    std::vector<Applied> applied;
    uint64_t last = 0;
  };
  static Replayed ReplayAfter(Journal* j, uint64_t after) {
    Replayed r;
    auto accept = [](uint64_t, uint64_t, std::string_view) { return Status::OK(); };
    r.status = j->Replay(
        after, accept,
        [&](uint64_t first, uint64_t last, std::string_view payload) {
          r.applied.push_back({first, last, std::string(payload)});
          return Status::OK();
        },
        &r.last);
    return r;
  }

  // Overwrites `n` bytes of the file, as a torn write or a failing device leaves them.
  void Damage(uint64_t offset, size_t n = 1, char byte = '\x5a') {
    std::fstream f(Path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    for (size_t i = 0; i < n; i++) f.put(byte);
  }

  test::ScratchDir dir_;
};

TEST_F(JournalTest, CreateMakesAZeroFilledFileOfItsCapacityWithNothingToReplay) {
  std::unique_ptr<Journal> j;
  ASSERT_TRUE(Journal::Create(Path(), kCapacity, &j).ok());
  EXPECT_EQ(std::filesystem::file_size(Path()), kCapacity);
  EXPECT_EQ(j->format(), 2);
  EXPECT_FALSE(std::filesystem::exists(Path() + ".new"));
  Replayed r = ReplayAfter(j.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.applied.empty());
  EXPECT_EQ(r.last, 0u);
}

TEST_F(JournalTest, ReplayAppliesOnlyRecordsAfterThePositionInOrder) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 3}, {4, 4}, {5, 9}});
  WriteRecords(j.get(), {{10, 12}});
  Replayed r = ReplayAfter(j.get(), 4);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{5, 9, "p5"}, {10, 12, "p10"}}));
  EXPECT_EQ(r.last, 12u);
}

TEST_F(JournalTest, ReplayOfAReopenedJournalSeesWhatWasWritten) {
  WriteRecords(CreateJournal().get(), {{1, 2}, {3, 3}});
  auto reopened = Reopen();
  EXPECT_EQ(reopened->format(), 2);
  Replayed r = ReplayAfter(reopened.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{1, 2, "p1"}, {3, 3, "p3"}}));
}

TEST_F(JournalTest, ReplayStopsAtATornRecordWithoutAnError) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 1}, {2, 2}, {3, 3}});
  // The third record's payload: header + "p1", then header + "p2", then its header.
  Damage(kStart + 3 * kHeader + 2 + 2 + 1);
  Replayed r = ReplayAfter(j.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{1, 1, "p1"}, {2, 2, "p2"}}));
  EXPECT_EQ(r.last, 2u);
}

TEST_F(JournalTest, IntactRecordsOfATornWriteAfterItsTornOneAreDroppedWithoutAnError) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 1}});
  // One Write whose first record tore while the two after it reached the device: none of it
  // was acknowledged.
  WriteRecords(j.get(), {{2, 2}, {3, 3}, {4, 4}});
  Damage(kStart + (kHeader + 2) + kHeader, 2);
  Replayed r = ReplayAfter(j.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{1, 1, "p1"}}));
}

TEST_F(JournalTest, DamageFollowedByALaterWriteIsCorruptionNamingTheLostPositions) {
  auto j = CreateJournal();
  const std::string payload(64, 'b');
  for (auto [first, last] : std::vector<std::pair<uint64_t, uint64_t>>{{1, 4}, {5, 9}, {10, 13}}) {
    std::string record;
    j->EncodeRecord(first, last, payload, &record);
    ASSERT_TRUE(j->Write(record).ok());  // one Write each: every one was acknowledged
  }
  Damage(kStart + Journal::RecordSize(payload.size()) + 48, 4);  // offset 48 of record 1 of 3
  Replayed r = ReplayAfter(j.get(), 0);
  EXPECT_TRUE(r.status.IsCorruption()) << r.status.ToString();
  EXPECT_NE(r.status.message().find("positions 5..9 are lost"), std::string::npos)
      << r.status.ToString();
  EXPECT_TRUE(r.applied.empty());  // not even the intact record before the damage
}

TEST_F(JournalTest, ADamagedHeaderFollowedByALaterWriteIsCorruption) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 1}});
  WriteRecords(j.get(), {{2, 2}});
  WriteRecords(j.get(), {{3, 3}});
  // The second record's header zeroed, as a lost sector reads back.
  Damage(kStart + kHeader + 2, kHeader, '\0');
  Replayed r = ReplayAfter(j.get(), 0);
  EXPECT_TRUE(r.status.IsCorruption()) << r.status.ToString();
  EXPECT_NE(r.status.message().find("positions 2..2 are lost"), std::string::npos)
      << r.status.ToString();
}

TEST_F(JournalTest, DamageToPositionsTheStoreAlreadyHoldsIsSkippedOver) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 1}});
  WriteRecords(j.get(), {{2, 2}});
  WriteRecords(j.get(), {{3, 3}});
  Damage(kStart + kHeader + 2 + kHeader, 2);
  Replayed r = ReplayAfter(j.get(), 2);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{3, 3, "p3"}}));
}

TEST_F(JournalTest, ReplayAfterARewindIgnoresRecordsLeftFromBeforeIt) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 1}, {2, 2}, {3, 3}, {4, 4}});
  ASSERT_TRUE(j->Rewind(5).ok());
  // One longer record covers the first two old ones and ends where the third one began; the
  // old third and fourth are intact but of the earlier pass.
  std::string records;
  j->EncodeRecord(5, 5, std::string(kHeader + 2, 'x'), &records);
  ASSERT_TRUE(j->Write(records).ok());
  Replayed r = ReplayAfter(Reopen().get(), 4);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.applied.size(), 1u);
  EXPECT_EQ(r.applied[0].first, 5u);
  EXPECT_EQ(r.last, 5u);
}

TEST_F(JournalTest, ARecordOfAnEarlierPassIsNeverTakenAsCurrentEvenWhenItsPositionsChainOn) {
  auto j = CreateJournal();
  // A Write that was torn in its first record: positions 1..3 were never acknowledged, and
  // records 2 and 3 stayed on the device intact.
  WriteRecords(j.get(), {{1, 1}, {2, 2}, {3, 3}});
  Damage(kStart + kHeader, 1);
  // Reopened, the log starts a new pass at position 1 whose first record exactly covers the
  // torn one: the stale records 2 and 3 now follow it and chain on by position.
  ASSERT_TRUE(j->Rewind(1).ok());
  std::string records;
  j->EncodeRecord(1, 1, "n1", &records);
  ASSERT_TRUE(j->Write(records).ok());
  Replayed r = ReplayAfter(Reopen().get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{1, 1, "n1"}}));
}

TEST_F(JournalTest, BothHeaderCopiesDamagedIsCorruptionNotAnEmptyJournal) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 3}});
  Damage(20, 1);
  Damage(512 + 20, 1);
  std::unique_ptr<Journal> broken;
  EXPECT_TRUE(Journal::OpenExisting(Path(), false, &broken).IsCorruption());
}

TEST_F(JournalTest, OneTornHeaderCopyFallsBackToTheOtherPass) {
  auto j = CreateJournal();  // pass of wraps 2, in the copy at 0
  WriteRecords(j.get(), {{1, 3}});
  ASSERT_TRUE(j->Rewind(4).ok());  // wraps 3, in the copy at 512
  Damage(512 + 20, 1);
  Replayed r = ReplayAfter(Reopen().get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{1, 3, "p1"}}));
}

TEST_F(JournalTest, ADamagedCurrentHeaderCopyIsCorruptionNotAFallbackToTheEarlierPass) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 3}});
  ASSERT_TRUE(j->Rewind(4).ok());  // wraps 3, in the copy at 512
  WriteRecords(j.get(), {{4, 4}});
  Damage(512 + 20, 1);  // long after its write: the pass it names has records
  std::unique_ptr<Journal> reopened;
  EXPECT_TRUE(Journal::OpenExisting(Path(), false, &reopened).IsCorruption());
}

TEST_F(JournalTest, AJournalCutShortIsCorruptionNotAShorterChain) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 3}});
  j.reset();
  std::filesystem::resize_file(Path(), kStart);
  std::unique_ptr<Journal> cut;
  EXPECT_TRUE(Journal::OpenExisting(Path(), false, &cut).IsCorruption());
}

TEST_F(JournalTest, ReplayReportsPositionsMissingBetweenTheStoreAndTheJournal) {
  auto j = CreateJournal(7);
  WriteRecords(j.get(), {{7, 8}, {9, 9}});
  Replayed r = ReplayAfter(j.get(), 4);
  const Status& s = r.status;
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("positions 5..6 are lost"), std::string::npos) << s.ToString();
  EXPECT_TRUE(r.applied.empty());
}

TEST_F(JournalTest, ReplayStopsAtTheFirstFailedApply) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 1}, {2, 2}});
  int calls = 0;
  uint64_t last = 0;
  Status s = j->Replay(
      0, [](uint64_t, uint64_t, std::string_view) { return Status::OK(); },
      [&](uint64_t, uint64_t, std::string_view) {
        calls++;
        return Status::IOError("disk full");
      },
      &last);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(last, 0u);
}

TEST_F(JournalTest, ReplayAppliesNothingWhenAnyRecordFailsItsCheck) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 1}, {2, 2}, {3, 3}});
  int applied = 0;
  uint64_t last = 0;
  Status s = j->Replay(
      0,
      [](uint64_t first, uint64_t, std::string_view) {
        return first == 3 ? Status::Corruption("bad batch") : Status::OK();
      },
      [&](uint64_t, uint64_t, std::string_view) {
        applied++;
        return Status::OK();
      },
      &last);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(applied, 0);
}

TEST_F(JournalTest, WritePastTheEndIsRefusedAndWritesNothing) {
  auto j = CreateJournal();
  WriteRecords(j.get(), {{1, 1}});
  std::string big;
  j->EncodeRecord(2, 2, std::string(kCapacity, 'x'), &big);
  EXPECT_FALSE(j->Fits(big.size()));
  EXPECT_TRUE(j->Write(big).IsInvalidArgument());
  WriteRecords(j.get(), {{2, 2}});  // still written right after the first record
  Replayed r = ReplayAfter(j.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.last, 2u);
}

TEST_F(JournalTest, WriteRefusesRecordsEncodedForAnEarlierPass) {
  auto j = CreateJournal();
  std::string records;
  j->EncodeRecord(1, 1, "p1", &records);
  ASSERT_TRUE(j->Rewind(1).ok());
  EXPECT_TRUE(j->Write(records).IsInvalidArgument());
}

TEST_F(JournalTest, CreateRefusesACapacityItsRecordsCouldNotAddress) {
  std::unique_ptr<Journal> j;
  EXPECT_TRUE(Journal::Create(Path(), (uint64_t{1} << 32) + 1, &j).IsInvalidArgument());
  EXPECT_TRUE(Journal::Create(Path(), 8, &j).IsInvalidArgument());
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

TEST_F(JournalTest, OpenExistingOfAMissingJournalIsNotFound) {
  std::unique_ptr<Journal> j;
  EXPECT_TRUE(Journal::OpenExisting(Path(), false, &j).IsNotFound());
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

// The previous build's record: be32 CRC-32 of the rest, be32 length, be64 first, be64 last.
std::string Format1Record(uint64_t first, uint64_t last, const std::string& payload) {
  std::string r(8, '\0');
  log_keys::AppendBigEndian64(&r, first);
  log_keys::AppendBigEndian64(&r, last);
  r += payload;
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; i++) r[at + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  put32(4, static_cast<uint32_t>(payload.size()));
  put32(0, static_cast<uint32_t>(crc32(crc32(0, Z_NULL, 0),
                                       reinterpret_cast<const Bytef*>(r.data() + 4),
                                       static_cast<uInt>(r.size() - 4))));
  return r;
}

TEST_F(JournalTest, AJournalOfThePreviousBuildIsReplayedUnderItsRulesAndConvertedByARewind) {
  {
    std::ofstream f(Path(), std::ios::binary);
    std::string file = Format1Record(1, 2, "p1") + Format1Record(3, 3, "p3");
    file.resize(kCapacity, '\0');
    f << file;
  }
  auto j = Reopen();
  EXPECT_EQ(j->format(), 1);
  Replayed r = ReplayAfter(j.get(), 1);
  ASSERT_TRUE(r.status.IsCorruption()) << "the log ends inside 1..2: " << r.status.ToString();
  r = ReplayAfter(j.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{1, 2, "p1"}, {3, 3, "p3"}}));

  ASSERT_TRUE(j->Rewind(4).ok());
  WriteRecords(j.get(), {{4, 4}});
  auto converted = Reopen();
  EXPECT_EQ(converted->format(), 2);
  EXPECT_NE(converted->id(), 0u);
  r = ReplayAfter(converted.get(), 3);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{4, 4, "p4"}}));
}

}  // namespace
}  // namespace tandem
