// The durability journal on its own: which records a replay applies after a crash, wherever the
// crash left the file.
#include "journal.h"

#include <fstream>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "test_util.h"

namespace tandem {
namespace {

constexpr uint64_t kCapacity = 4096;

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

  std::unique_ptr<Journal> OpenJournal() {
    std::unique_ptr<Journal> j;
    EXPECT_TRUE(Journal::Open(Path(), kCapacity, &j).ok());
    return j;
  }

  // Writes one record per (first, last) range, payload "p<first>".
  static void WriteRecords(Journal* j, const std::vector<std::pair<uint64_t, uint64_t>>& ranges) {
    std::string records;
    for (auto [first, last] : ranges) {
      Journal::EncodeRecord(first, last, "p" + std::to_string(first), &records);
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
    r.status = j->Replay(
        after,
        [&](uint64_t first, uint64_t last, std::string_view payload) {
          r.applied.push_back({first, last, std::string(payload)});
          return Status::OK();
        },
        &r.last);
    return r;
  }

  // Overwrites one byte of the file, as a write torn by a power loss leaves it.
  void DamageByte(uint64_t offset) {
    std::fstream f(Path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put('\x5a');
  }

  test::ScratchDir dir_;
};

TEST_F(JournalTest, OpenCreatesAZeroFilledFileOfItsCapacity) {
  auto j = OpenJournal();
  EXPECT_EQ(std::filesystem::file_size(Path()), kCapacity);
  Replayed r = ReplayAfter(j.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.applied.empty());
  EXPECT_EQ(r.last, 0u);
}

TEST_F(JournalTest, ReplayAppliesOnlyRecordsAfterThePositionInOrder) {
  auto j = OpenJournal();
  WriteRecords(j.get(), {{1, 3}, {4, 4}, {5, 9}});
  WriteRecords(j.get(), {{10, 12}});
  Replayed r = ReplayAfter(j.get(), 4);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{5, 9, "p5"}, {10, 12, "p10"}}));
  EXPECT_EQ(r.last, 12u);
}

TEST_F(JournalTest, ReplayOfAReopenedJournalSeesWhatWasWritten) {
  WriteRecords(OpenJournal().get(), {{1, 2}, {3, 3}});
  auto reopened = OpenJournal();
  Replayed r = ReplayAfter(reopened.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{1, 2, "p1"}, {3, 3, "p3"}}));
}

TEST_F(JournalTest, ReplayStopsAtATornRecordWithoutAnError) {
  auto j = OpenJournal();
  WriteRecords(j.get(), {{1, 1}, {2, 2}, {3, 3}});
  // The third record's payload: header (24 bytes) + "p1", then header + "p2", then its header.
  DamageByte(3 * 24 + 2 + 2 + 1);
  Replayed r = ReplayAfter(j.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, (std::vector<Applied>{{1, 1, "p1"}, {2, 2, "p2"}}));
  EXPECT_EQ(r.last, 2u);
}

TEST_F(JournalTest, ReplayAfterARewindIgnoresRecordsLeftFromBeforeIt) {
  auto j = OpenJournal();
  WriteRecords(j.get(), {{1, 1}, {2, 2}, {3, 3}, {4, 4}});
  j->Rewind();
  // One longer record covers the first two old ones and ends where the third one began; the
  // old third and fourth are intact but older, so the chain ends before them.
  std::string records;
  Journal::EncodeRecord(5, 5, std::string(24 + 2, 'x'), &records);
  ASSERT_TRUE(j->Write(records).ok());
  Replayed r = ReplayAfter(j.get(), 4);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.applied.size(), 1u);
  EXPECT_EQ(r.applied[0].first, 5u);
  EXPECT_EQ(r.last, 5u);
}

TEST_F(JournalTest, ReplayReportsPositionsMissingBetweenTheStoreAndTheJournal) {
  auto j = OpenJournal();
  WriteRecords(j.get(), {{7, 8}, {9, 9}});
  Replayed r = ReplayAfter(j.get(), 4);
  const Status& s = r.status;
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("positions 5..6 are lost"), std::string::npos) << s.ToString();
  EXPECT_TRUE(r.applied.empty());
}

TEST_F(JournalTest, ReplayStopsAtTheFirstFailedApply) {
  auto j = OpenJournal();
  WriteRecords(j.get(), {{1, 1}, {2, 2}});
  int calls = 0;
  uint64_t last = 0;
  Status s = j->Replay(
      0,
      [&](uint64_t, uint64_t, std::string_view) {
        calls++;
        return Status::IOError("disk full");
      },
      &last);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(last, 0u);
}

TEST_F(JournalTest, WritePastTheEndIsRefusedAndWritesNothing) {
  auto j = OpenJournal();
  WriteRecords(j.get(), {{1, 1}});
  std::string big;
  Journal::EncodeRecord(2, 2, std::string(kCapacity, 'x'), &big);
  EXPECT_FALSE(j->Fits(big.size()));
  EXPECT_TRUE(j->Write(big).IsInvalidArgument());
  WriteRecords(j.get(), {{2, 2}});  // still written right after the first record
  Replayed r = ReplayAfter(j.get(), 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.last, 2u);
}

TEST_F(JournalTest, OpenRefusesACapacityItsRecordsCouldNotAddress) {
  std::unique_ptr<Journal> j;
  EXPECT_TRUE(Journal::Open(Path(), (uint64_t{1} << 32) + 1, &j).IsInvalidArgument());
  EXPECT_TRUE(Journal::Open(Path(), 8, &j).IsInvalidArgument());
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

TEST_F(JournalTest, OpenExistingOfAMissingJournalIsNotFound) {
  std::unique_ptr<Journal> j;
  EXPECT_TRUE(Journal::OpenExisting(Path(), &j).IsNotFound());
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

}  // namespace
}  // namespace tandem
