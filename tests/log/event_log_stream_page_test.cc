// A stream page is read with one MultiGet: it must return and report what reading event by event
// did, in the same order (paging, as-of bounds, both directions, the first problem named first).
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::CommentEvent;

std::string Be64(uint64_t p) {
  std::string k(8, '\0');
  for (int i = 0; i < 8; i++) k[i] = static_cast<char>((p >> (56 - 8 * i)) & 0xff);
  return k;
}

class StreamPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = test::OpenLogOrDie(dir_.path());
    for (int i = 0; i < 5; i++) {
      AppendResult r;
      ASSERT_TRUE(log->Append({"acme", "s"}, ExpectedVersion::Any(),
                              {CommentEvent("e" + std::to_string(i))}, "", &r)
                      .ok());
    }
  }
  // Writes past the log, into its database: family 1 = events, 2 = streams.
  void Put(size_t family, const std::string& key, const std::string& value) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* n : {"default", "events", "streams", "tenants", "idempotency"}) {
      cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.path(), cfs, &handles, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[family], key, value).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  static std::string StreamKey(uint64_t version) {
    return std::string("acme\0s\0", 7) + Be64(version);
  }
  test::ScratchDir dir_;
};

// Backward from the end: v5, then v4 (position 4), whose record is garbage, and v1's index
// entry points at position 0: the problem met first in reading order is the one named.
TEST_F(StreamPageTest, BackwardReadNamesTheFirstProblemInReadingOrder) {
  Put(1, Be64(4), "this is not a flatbuffer at all");
  Put(2, StreamKey(1), Be64(0));
  auto log = test::OpenLogOrDie(dir_.path());
  std::vector<RecordedEvent> events;
  Status s = log->ReadStreamBackward({"acme", "s"}, EventLog::kEndOfStream, ReadOptions(), &events);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("position 4 failed"), std::string::npos) << s.message();
}

// Only v1's entry is damaged: the events read before it are returned with the error.
TEST_F(StreamPageTest, BackwardReadKeepsTheEventsBeforeAnEntryAtPositionZero) {
  Put(2, StreamKey(1), Be64(0));
  auto log = test::OpenLogOrDie(dir_.path());
  std::vector<RecordedEvent> events;
  Status s = log->ReadStreamBackward({"acme", "s"}, EventLog::kEndOfStream, ReadOptions(), &events);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("points at position 0"), std::string::npos) << s.message();
  EXPECT_EQ(events.size(), 4u);
}

// Paging and as-of bounds, forward and backward.
TEST_F(StreamPageTest, PagesAndBoundsAgree) {
  auto log = test::OpenLogOrDie(dir_.path());
  for (uint64_t as_of : {0, 1, 3, 5}) {
    for (size_t max : {1, 2, 5, 1000}) {
      ReadOptions o;
      o.as_of_position = as_of;
      o.max_count = max;
      std::vector<RecordedEvent> events;
      Status s = log->ReadStreamForward({"acme", "s"}, 2, o, &events);
      const uint64_t visible = as_of == 0 ? 5 : as_of;
      if (visible < 2) {
        EXPECT_TRUE(s.ok() && events.empty()) << s.ToString();
      } else {
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_EQ(events.size(), std::min<size_t>(max, visible - 1));
        for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].stream_version(), 2 + i);
      }
      s = log->ReadStreamBackward({"acme", "s"}, EventLog::kEndOfStream, o, &events);
      ASSERT_TRUE(s.ok()) << s.ToString();
      ASSERT_EQ(events.size(), std::min<size_t>(max, visible));
      for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].stream_version(), visible - i);
    }
  }
  std::vector<RecordedEvent> events;
  EXPECT_TRUE(log->ReadStreamForward({"acme", "nope"}, 1, ReadOptions(), &events).IsNotFound());
  EXPECT_TRUE(
      log->ReadStreamBackward({"acme", "nope"}, EventLog::kEndOfStream, ReadOptions(), &events)
          .IsNotFound());
}

}  // namespace
}  // namespace tandem
