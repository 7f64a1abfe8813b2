// Damaged records must be reported with their position, never returned as data. The damage is
// made with RocksDB directly, as a bad disk or a buggy tool would.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "tandem/log/event_log.h"
#include "tandem/log/log_verifier.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::CommentEvent;

std::string PositionKey(uint64_t p) {
  std::string k(8, '\0');
  for (int i = 0; i < 8; i++) k[i] = static_cast<char>((p >> (56 - 8 * i)) & 0xff);
  return k;
}

class EventLogCorruptionTest : public ::testing::Test {
 protected:
  static constexpr size_t kEvents = 1, kTenants = 3;

  void SetUp() override {
    auto log = test::OpenLogOrDie(dir_.path());
    for (int i = 0; i < 5; i++) {
      AppendResult r;
      ASSERT_TRUE(log->Append({"acme", "s"}, ExpectedVersion::Any(),
                              {CommentEvent("e" + std::to_string(i))}, "", &r)
                      .ok());
    }
  }

  // Applies `change` to one column family (by default the events) of the closed log.
  void Tamper(const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& change,
              size_t family = kEvents) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* n : {"default", "events", "streams", "tenants", "idempotency"}) {
      cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.path(), cfs, &handles, &db).ok());
    change(db, handles[family]);
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }

  void Overwrite(uint64_t position, const std::string& bytes) {
    Tamper([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events, PositionKey(position), bytes).ok());
    });
  }

  // Puts a tenant-index entry: `tenant` owns `length` positions from `first`.
  void PutTenantRun(const std::string& tenant, uint64_t first, const std::string& length_value) {
    Tamper(
        [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* tenants) {
          ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), tenants,
                              tenant + std::string(1, '\0') + PositionKey(first), length_value)
                          .ok());
        },
        kTenants);
  }

  Status Verify() {
    VerifyReport report;
    return VerifyEventLogFolder(dir_.path(), VerifyOptions(), &report);
  }

  test::ScratchDir dir_;
};

TEST_F(EventLogCorruptionTest, GarbageRecordIsReportedWithItsPosition) {
  Overwrite(3, "this is not a flatbuffer at all");
  auto log = test::OpenLogOrDie(dir_.path());
  std::vector<RecordedEvent> events;
  Status s = log->ReadAll(1, ReadOptions(), &events);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("position 3"), std::string::npos) << s.message();
  RecordedEvent e;
  EXPECT_TRUE(log->Get(3, &e).IsCorruption());
  EXPECT_TRUE(log->Get(2, &e).ok());
  EXPECT_TRUE(log->ReadStreamForward({"acme", "s"}, 1, ReadOptions(), &events).IsCorruption());
}

TEST_F(EventLogCorruptionTest, TruncatedRecordIsReported) {
  std::string original;
  Tamper([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), events, PositionKey(2), &original).ok());
  });
  Overwrite(2, original.substr(0, original.size() / 2));
  auto log = test::OpenLogOrDie(dir_.path());
  RecordedEvent e;
  Status s = log->Get(2, &e);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(EventLogCorruptionTest, RecordUnderTheWrongPositionIsReported) {
  std::string fourth;
  Tamper([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), events, PositionKey(4), &fourth).ok());
  });
  Overwrite(2, fourth);
  auto log = test::OpenLogOrDie(dir_.path());
  RecordedEvent e;
  Status s = log->Get(2, &e);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("claims position 4"), std::string::npos) << s.message();
}

TEST_F(EventLogCorruptionTest, VerifyReportsTheFirstBadRecord) {
  Overwrite(4, std::string(64, '\x07'));
  VerifyReport report;
  Status s = VerifyEventLogFolder(dir_.path(), VerifyOptions(), &report);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("position 4"), std::string::npos) << s.message();
}

TEST_F(EventLogCorruptionTest, VerifyReportsAGap) {
  Tamper([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), events, PositionKey(3)).ok());
  });
  VerifyReport report;
  Status s = VerifyEventLogFolder(dir_.path(), VerifyOptions(), &report);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("position 3 is missing"), std::string::npos) << s.message();
}

TEST_F(EventLogCorruptionTest, VerifyReportsATenantRunOverAnotherTenantsEvent) {
  PutTenantRun("globex", 2, "");
  Status s = Verify();
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("covers position 2, an event of tenant acme"), std::string::npos)
      << s.message();
}

TEST_F(EventLogCorruptionTest, VerifyReportsOverlappingTenantRuns) {
  PutTenantRun("acme", 1, PositionKey(2));  // positions 1-2, but 2 has its own run
  Status s = Verify();
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("overlaps the run before it"), std::string::npos) << s.message();
}

TEST_F(EventLogCorruptionTest, VerifyReportsATenantRunPastTheLog) {
  PutTenantRun("acme", 5, PositionKey(3));
  Status s = Verify();
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("outside the log"), std::string::npos) << s.message();
}

TEST_F(EventLogCorruptionTest, MalformedTenantRunIsReportedByReadsAndVerify) {
  PutTenantRun("acme", 3, "xyz");
  auto log = test::OpenLogOrDie(dir_.path());
  std::vector<RecordedEvent> events;
  Status s = log->ReadTenant("acme", 1, ReadOptions(), &events);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("malformed tenant index entry of 'acme' at position 3"),
            std::string::npos)
      << s.message();
  log.reset();
  EXPECT_TRUE(Verify().IsCorruption());
}

TEST_F(EventLogCorruptionTest, VerifyPassesAnIntactLog) {
  VerifyReport report;
  Status s = VerifyEventLogFolder(dir_.path(), VerifyOptions(), &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.events, 5u);
  EXPECT_EQ(report.streams, 1u);
  EXPECT_EQ(report.tenants, 1u);
}

TEST_F(EventLogCorruptionTest, VerifyOfAMissingFolderIsNotFound) {
  VerifyReport report;
  EXPECT_TRUE(
      VerifyEventLogFolder(dir_.Sub("nothing-here"), VerifyOptions(), &report).IsNotFound());
}

}  // namespace
}  // namespace tandem
