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
  static constexpr size_t kEvents = 1, kStreams = 2, kTenants = 3, kIdempotency = 4;

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

  void Put(size_t family, const std::string& key, const std::string& value) {
    Tamper(
        [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
          ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, key, value).ok());
        },
        family);
  }

  void Delete(size_t family, const std::string& key) {
    Tamper(
        [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
          ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, key).ok());
        },
        family);
  }

  static std::string StreamKey(const std::string& tenant, const std::string& name,
                               uint64_t version) {
    return tenant + std::string(1, '\0') + name + std::string(1, '\0') + PositionKey(version);
  }

  // Appends one event of another tenant: position 6, globex/s version 1.
  void AppendAnotherTenantsEvent(const std::string& idempotency_key = "") {
    auto log = test::OpenLogOrDie(dir_.path());
    AppendResult r;
    ASSERT_TRUE(log->Append({"globex", "s"}, ExpectedVersion::Any(), {CommentEvent("secret")},
                            idempotency_key, &r)
                    .ok());
    ASSERT_EQ(r.first_position, 6u);
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

TEST_F(EventLogCorruptionTest, StreamIndexPointingAtAnotherTenantsEventIsCorruption) {
  AppendAnotherTenantsEvent();
  Put(kStreams, StreamKey("acme", "s", 3), PositionKey(6));
  auto log = test::OpenLogOrDie(dir_.path());
  std::vector<RecordedEvent> events;
  Status s = log->ReadStreamForward({"acme", "s"}, 1, ReadOptions(), &events);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("acme/s@3 points at position 6"), std::string::npos) << s.message();
  EXPECT_TRUE(log->ReadStreamBackward({"acme", "s"}, 3, ReadOptions(), &events).IsCorruption());
}

TEST_F(EventLogCorruptionTest, StreamHeadPointingAtAnotherEventIsCorruption) {
  Put(kStreams, StreamKey("acme", "s", 5), PositionKey(2));
  auto log = test::OpenLogOrDie(dir_.path());
  uint64_t head = 0;
  Status s = log->StreamHead({"acme", "s"}, &head);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(head, 0u);
  // The writer continues a stream from its head: it must not continue from a damaged one.
  AppendResult r;
  s = log->Append({"acme", "s"}, ExpectedVersion::Any(), {CommentEvent("next")}, "", &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

// A version pointing past the log ends a page early; the versions visible after it are still
// the stream's, so the read from it is corruption, not the stream's end. (Read as of a position
// before the stream's last event, a visible version between the damaged one and the last is
// not looked for: that read stops at the first version past the position; `tandem verify`
// checks every entry.)
TEST_F(EventLogCorruptionTest, StreamIndexEntryPastTheLogIsCorruptionNotTheStreamsEnd) {
  Put(kStreams, StreamKey("acme", "s", 3), PositionKey(100));
  auto log = test::OpenLogOrDie(dir_.path());
  std::vector<RecordedEvent> events;
  ASSERT_TRUE(log->ReadStreamForward({"acme", "s"}, 1, ReadOptions(), &events).ok());
  EXPECT_EQ(events.size(), 2u);
  Status s = log->ReadStreamForward({"acme", "s"}, 3, ReadOptions(), &events);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  ReadOptions as_of;
  as_of.as_of_position = 5;
  s = log->ReadStreamForward({"acme", "s"}, 3, as_of, &events);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(EventLogCorruptionTest, MissingStreamIndexEntryIsCorruptionNotAShortRead) {
  Delete(kStreams, StreamKey("acme", "s", 3));
  auto log = test::OpenLogOrDie(dir_.path());
  std::vector<RecordedEvent> events;
  Status s = log->ReadStreamForward({"acme", "s"}, 1, ReadOptions(), &events);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("missing version 3"), std::string::npos) << s.message();
  EXPECT_TRUE(log->ReadStreamForward({"acme", "s"}, 3, ReadOptions(), &events).IsCorruption());
  EXPECT_TRUE(log->ReadStreamBackward({"acme", "s"}, EventLog::kEndOfStream, ReadOptions(), &events)
                  .IsCorruption());
  EXPECT_TRUE(log->ReadStreamBackward({"acme", "s"}, 3, ReadOptions(), &events).IsCorruption());
  // Reads that do not cross the hole still work.
  ASSERT_TRUE(log->ReadStreamForward({"acme", "s"}, 4, ReadOptions(), &events).ok());
  EXPECT_EQ(events.size(), 2u);
}

TEST_F(EventLogCorruptionTest, ShortStreamIndexKeyIsCorruption) {
  {
    auto log = test::OpenLogOrDie(dir_.path());
    AppendResult r;
    ASSERT_TRUE(log->Append({"a", "b"}, ExpectedVersion::Any(), {CommentEvent("x")}, "", &r).ok());
  }
  // "a\0b\0" and one byte: reading its last eight bytes as a version would start before the key.
  Put(kStreams, std::string("a\0b\0\xff", 5), PositionKey(6));
  auto log = test::OpenLogOrDie(dir_.path());
  uint64_t head = 0;
  EXPECT_TRUE(log->StreamHead({"a", "b"}, &head).IsCorruption());
  std::vector<RecordedEvent> events;
  EXPECT_TRUE(log->ReadStreamBackward({"a", "b"}, EventLog::kEndOfStream, ReadOptions(), &events)
                  .IsCorruption());
  AppendResult r;
  EXPECT_TRUE(
      log->Append({"a", "b"}, ExpectedVersion::Any(), {CommentEvent("y")}, "", &r).IsCorruption());
}

TEST_F(EventLogCorruptionTest, ShortTenantIndexKeyIsCorruption) {
  Put(kTenants, std::string("acme\0\x01", 6), "");
  auto log = test::OpenLogOrDie(dir_.path());
  std::vector<RecordedEvent> events;
  Status s = log->ReadTenant("acme", 1, ReadOptions(), &events);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(EventLogCorruptionTest, OverlappingTenantRunsAreCorruptionNotRepeatedEvents) {
  PutTenantRun("acme", 1, PositionKey(2));  // positions 1-2, but 2 has its own run
  auto log = test::OpenLogOrDie(dir_.path());
  std::vector<RecordedEvent> events;
  Status s = log->ReadTenant("acme", 1, ReadOptions(), &events);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("overlapping"), std::string::npos) << s.message();
}

TEST_F(EventLogCorruptionTest, IdempotencyRecordNamingAnotherTenantsEventsIsCorruption) {
  AppendAnotherTenantsEvent();
  // acme's key "k" made to name globex/s@1, position 6.
  std::string record = PositionKey(1) + PositionKey(1) + PositionKey(6) + PositionKey(6) + "s";
  Put(kIdempotency, std::string("acme\0k", 6), record);
  auto log = test::OpenLogOrDie(dir_.path());
  std::string stream;
  AppendResult r;
  Status s = log->FindIdempotentAppend("acme", "k", &stream, &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(r.first_position, 0u);
  // A retry through the append path is not answered from it either.
  s = log->Append({"acme", "s"}, ExpectedVersion::Any(), {CommentEvent("retry")}, "k", &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_FALSE(r.deduplicated);
  EXPECT_EQ(r.first_position, 0u);
}

TEST_F(EventLogCorruptionTest, IdempotencyRecordWithSpansThatDisagreeIsCorruption) {
  {
    auto log = test::OpenLogOrDie(dir_.path());
    AppendResult r;
    ASSERT_TRUE(
        log->Append({"acme", "s"}, ExpectedVersion::Any(), {CommentEvent("x")}, "k", &r).ok());
  }
  // Versions 1..1 but positions 1..3.
  Put(kIdempotency, std::string("acme\0k", 6),
      PositionKey(1) + PositionKey(1) + PositionKey(1) + PositionKey(3) + "s");
  auto log = test::OpenLogOrDie(dir_.path());
  std::string stream;
  AppendResult r;
  EXPECT_TRUE(log->FindIdempotentAppend("acme", "k", &stream, &r).IsCorruption());
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

// Stream s of acme read backward from its end, in a log opened afresh.
Status ReadStreamSBackward(const std::string& dir, std::vector<RecordedEvent>* events) {
  auto log = test::OpenLogOrDie(dir);
  return log->ReadStreamBackward({"acme", "s"}, EventLog::kEndOfStream, ReadOptions(), events);
}

// Backward from the end: v5, then v4 (position 4), whose record is garbage, and v1's index
// entry points at position 0: the problem met first in reading order is the one named.
TEST_F(EventLogCorruptionTest, BackwardReadNamesTheFirstProblemInReadingOrder) {
  Overwrite(4, "this is not a flatbuffer at all");
  Put(kStreams, StreamKey("acme", "s", 1), PositionKey(0));
  std::vector<RecordedEvent> events;
  Status s = ReadStreamSBackward(dir_.path(), &events);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("position 4 failed"), std::string::npos) << s.message();
}

// Only v1's entry is damaged: the events read before it are returned with the error.
TEST_F(EventLogCorruptionTest, BackwardReadKeepsTheEventsBeforeAnEntryAtPositionZero) {
  Put(kStreams, StreamKey("acme", "s", 1), PositionKey(0));
  std::vector<RecordedEvent> events;
  Status s = ReadStreamSBackward(dir_.path(), &events);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("points at position 0"), std::string::npos) << s.message();
  EXPECT_EQ(events.size(), 4u);
}

}  // namespace
}  // namespace tandem
