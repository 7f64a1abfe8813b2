#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "tandem/log/event_log.h"
#include "tandem/log/log_verifier.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::BodyOf;
using test::CommentEvent;

class EventLogReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = test::OpenLogOrDie(dir_.path());
    // Interleave two streams of one tenant and one stream of another:
    // pos 1 a1, 2 b1, 3 a2, 4 g1, 5 a3, 6 b2
    Add(a_, "a1");
    Add(b_, "b1");
    Add(a_, "a2");
    Add(g_, "g1");
    Add(a_, "a3");
    Add(b_, "b2");
  }

  void Add(const StreamId& s, const std::string& body) {
    AppendResult r;
    ASSERT_TRUE(log_->Append(s, ExpectedVersion::Any(), {CommentEvent(body)}, "", &r).ok());
  }

  // Appends c1, c2, c3 to acme/c in one append: one tenant-index run over positions 7-9.
  void AppendThreeInOneRun() {
    AppendResult r;
    ASSERT_TRUE(log_->Append({"acme", "c"}, ExpectedVersion::Any(),
                             {CommentEvent("c1"), CommentEvent("c2"), CommentEvent("c3")}, "", &r)
                    .ok());
    ASSERT_EQ(r.first_position, 7u);
  }

  std::vector<RecordedEvent> ReadTenantOrDie(const std::string& tenant) {
    ReadOptions all;
    all.max_count = 1 << 20;
    std::vector<RecordedEvent> out;
    Status s = log_->ReadTenant(tenant, 1, all, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  static std::vector<std::string> Bodies(const std::vector<RecordedEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(BodyOf(e));
    return out;
  }

  test::ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
  const StreamId a_{"acme", "a"}, b_{"acme", "b"}, g_{"globex", "a"};
  std::vector<RecordedEvent> events_;
};

TEST_F(EventLogReadTest, StreamForwardFromAVersion) {
  ASSERT_TRUE(log_->ReadStreamForward(a_, 2, ReadOptions(), &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"a2", "a3"}));
  EXPECT_EQ(events_[0].stream_version(), 2u);
  EXPECT_EQ(events_[0].global_position(), 3u);
}

TEST_F(EventLogReadTest, StreamBackwardFromTheEnd) {
  ASSERT_TRUE(log_->ReadStreamBackward(a_, EventLog::kEndOfStream, ReadOptions(), &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"a3", "a2", "a1"}));
}

TEST_F(EventLogReadTest, StreamReadHonoursMaxCount) {
  ReadOptions o;
  o.max_count = 2;
  ASSERT_TRUE(log_->ReadStreamForward(a_, 1, o, &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"a1", "a2"}));
}

TEST_F(EventLogReadTest, UnknownStreamIsNotFound) {
  Status s = log_->ReadStreamForward({"acme", "nope"}, 1, ReadOptions(), &events_);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("acme/nope"), std::string::npos) << s.message();
  EXPECT_TRUE(
      log_->ReadStreamBackward({"acme", "nope"}, EventLog::kEndOfStream, ReadOptions(), &events_)
          .IsNotFound());
}

TEST_F(EventLogReadTest, StreamCreatedAfterTheAsOfPositionIsNotFound) {
  ReadOptions o;
  o.as_of_position = 1;
  EXPECT_TRUE(log_->ReadStreamForward(g_, 1, o, &events_).IsNotFound());
}

TEST_F(EventLogReadTest, StreamCreatedAfterTheAsOfPositionIsNotFoundFromALaterVersionToo) {
  Add(g_, "g2");
  ReadOptions o;
  o.as_of_position = 1;
  EXPECT_TRUE(log_->ReadStreamForward(g_, 2, o, &events_).IsNotFound());
}

// Read as of a position, a stream that goes on past it ends at its last visible version,
// however much was appended to it since.
TEST_F(EventLogReadTest, ReadingPastTheVisibleEndOfAStreamAsOfAPositionIsEmpty) {
  const uint64_t before = log_->LastPosition();
  for (int i = 0; i < 50; i++) Add(a_, "later");
  ReadOptions o;
  o.as_of_position = before;
  ASSERT_TRUE(log_->ReadStreamForward(a_, 4, o, &events_).ok());
  EXPECT_TRUE(events_.empty());
  ASSERT_TRUE(log_->ReadStreamForward(a_, 3, o, &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"a3"}));
}

TEST_F(EventLogReadTest, ReadingPastTheEndOfAStreamIsEmpty) {
  ASSERT_TRUE(log_->ReadStreamForward(a_, 100, ReadOptions(), &events_).ok());
  EXPECT_TRUE(events_.empty());
}

TEST_F(EventLogReadTest, UnknownStreamHeadIsZero) {
  uint64_t head = 99;
  ASSERT_TRUE(log_->StreamHead({"acme", "nope"}, &head).ok());
  EXPECT_EQ(head, 0u);
}

TEST_F(EventLogReadTest, SameStreamNameInAnotherTenantIsAnotherStream) {
  ASSERT_TRUE(log_->ReadStreamForward(g_, 1, ReadOptions(), &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"g1"}));
}

TEST_F(EventLogReadTest, AllFromAPosition) {
  ASSERT_TRUE(log_->ReadAll(4, ReadOptions(), &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"g1", "a3", "b2"}));
}

TEST_F(EventLogReadTest, AllAsOfAPositionHidesLaterEvents) {
  ReadOptions o;
  o.as_of_position = 3;
  ASSERT_TRUE(log_->ReadAll(1, o, &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"a1", "b1", "a2"}));
  ASSERT_TRUE(log_->ReadStreamForward(a_, 1, o, &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"a1", "a2"}));
  ASSERT_TRUE(log_->ReadStreamBackward(a_, EventLog::kEndOfStream, o, &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"a2", "a1"}));
}

TEST_F(EventLogReadTest, TenantReadReturnsOnlyThatTenant) {
  ASSERT_TRUE(log_->ReadTenant("acme", 1, ReadOptions(), &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"a1", "b1", "a2", "a3", "b2"}));
  ASSERT_TRUE(log_->ReadTenant("globex", 1, ReadOptions(), &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"g1"}));
  ASSERT_TRUE(log_->ReadTenant("initech", 1, ReadOptions(), &events_).ok());
  EXPECT_TRUE(events_.empty());
}

TEST_F(EventLogReadTest, TenantPrefixOfAnotherTenantDoesNotLeak) {
  AppendResult r;
  ASSERT_TRUE(
      log_->Append({"acme2", "x"}, ExpectedVersion::Any(), {CommentEvent("leak")}, "", &r).ok());
  ASSERT_TRUE(log_->ReadTenant("acme", 1, ReadOptions(), &events_).ok());
  for (const auto& e : events_) EXPECT_EQ(e.event().tenant()->str(), "acme");
}

// One append of several events is one run in the tenant index; reads may start, stop or be
// cut off inside it.
TEST_F(EventLogReadTest, TenantReadStartsInsideAMultiEventAppend) {
  AppendThreeInOneRun();
  ASSERT_TRUE(log_->ReadTenant("acme", 8, ReadOptions(), &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"c2", "c3"}));
}

TEST_F(EventLogReadTest, TenantReadStopsAtMaxCountInsideARun) {
  AppendThreeInOneRun();
  ReadOptions page;
  page.max_count = 2;
  ASSERT_TRUE(log_->ReadTenant("acme", 6, page, &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"b2", "c1"}));
}

TEST_F(EventLogReadTest, TenantReadAsOfAPositionInsideARun) {
  AppendThreeInOneRun();
  ReadOptions as_of;
  as_of.as_of_position = 8;
  ASSERT_TRUE(log_->ReadTenant("acme", 5, as_of, &events_).ok());
  EXPECT_EQ(Bodies(events_), (std::vector<std::string>{"a3", "b2", "c1", "c2"}));
}

// Appends of several tenants that share group commits interleave their positions; each
// tenant still reads exactly its own events, in order, and the folder verifies.
TEST_F(EventLogReadTest, TenantReadsOfInterleavedBurstsAreExact) {
  const std::vector<std::string> tenants{"acme", "globex", "initech"};
  std::map<std::string, std::vector<std::string>> sent{{"acme", Bodies(ReadTenantOrDie("acme"))},
                                                       {"globex", {"g1"}}};
  for (int i = 0; i < 300; i++) {
    const std::string& tenant = tenants[i % tenants.size()];
    std::vector<NewEvent> batch;
    for (int k = 0; k <= i % 3; k++) {
      batch.push_back(CommentEvent(tenant + "-" + std::to_string(i) + "." + std::to_string(k)));
      sent[tenant].push_back(tenant + "-" + std::to_string(i) + "." + std::to_string(k));
    }
    // No callback: the burst is submitted faster than the writer drains it, so groups mix
    // tenants; closing the log below waits for every one of them.
    log_->AppendAsync({tenant, "s" + std::to_string(i % 7)}, ExpectedVersion::Any(), batch, "",
                      nullptr);
  }
  log_.reset();
  log_ = test::OpenLogOrDie(dir_.path());
  for (const auto& tenant : tenants) {
    EXPECT_EQ(Bodies(ReadTenantOrDie(tenant)), sent[tenant]) << tenant;
  }
  log_.reset();
  VerifyReport report;
  Status s = VerifyEventLogFolder(dir_.path(), VerifyOptions(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.tenants, 3u);
}

TEST_F(EventLogReadTest, AsOfTimeFindsTheLastEventRecordedBeforeIt) {
  std::vector<RecordedEvent> all;
  ASSERT_TRUE(log_->ReadAll(1, ReadOptions(), &all).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Add(a_, "later");
  RecordedEvent later;
  ASSERT_TRUE(log_->Get(7, &later).ok());
  ASSERT_GT(later.event().recorded_at_us(), all.back().event().recorded_at_us());

  uint64_t position = 0;
  ASSERT_TRUE(log_->PositionAtTime(later.event().recorded_at_us() - 1, &position).ok());
  EXPECT_EQ(position, 6u);
  ASSERT_TRUE(log_->PositionAtTime(later.event().recorded_at_us(), &position).ok());
  EXPECT_EQ(position, 7u);
  ASSERT_TRUE(log_->PositionAtTime(all.front().event().recorded_at_us() - 1, &position).ok());
  EXPECT_EQ(position, 0u);
}

TEST_F(EventLogReadTest, GetPastTheEndIsNotFound) {
  RecordedEvent e;
  EXPECT_TRUE(log_->Get(7, &e).IsNotFound());
  EXPECT_TRUE(log_->Get(0, &e).IsNotFound());
  ASSERT_TRUE(log_->Get(6, &e).ok());
  EXPECT_EQ(BodyOf(e), "b2");
}

TEST_F(EventLogReadTest, EnvelopeCarriesWhatTheWriterGave) {
  NewEvent e = CommentEvent("traced", "member:ana");
  e.correlation_id = "corr-1";
  e.causation_id = "cause-1";
  e.event_id = "evt-1";
  AppendResult r;
  ASSERT_TRUE(log_->Append(a_, ExpectedVersion::Exact(3), {e}, "", &r).ok());
  RecordedEvent got;
  ASSERT_TRUE(log_->Get(r.first_position, &got).ok());
  EXPECT_EQ(got.event().actor()->str(), "member:ana");
  EXPECT_EQ(got.event().correlation_id()->str(), "corr-1");
  EXPECT_EQ(got.event().causation_id()->str(), "cause-1");
  EXPECT_EQ(got.event().event_id()->str(), "evt-1");
  EXPECT_EQ(got.event().tenant()->str(), "acme");
  EXPECT_EQ(got.event().stream_id()->str(), "a");
  EXPECT_EQ(got.event().audience(), schema::Audience::Client);
  EXPECT_EQ(got.stream_version(), 4u);
}

TEST_F(EventLogReadTest, GeneratedEventIdsAreUnique) {
  std::vector<RecordedEvent> all;
  ASSERT_TRUE(log_->ReadAll(1, ReadOptions(), &all).ok());
  std::set<std::string> ids;
  for (const auto& e : all) ids.insert(e.event().event_id()->str());
  EXPECT_EQ(ids.size(), all.size());
  EXPECT_EQ(all.front().event().event_id()->size(), 36u);  // a UUID
}

// Paging and as-of bounds, forward and backward.
TEST(EventLogStreamPageTest, StreamPagesHonourMaxCountAndAsOfBothWays) {
  test::ScratchDir dir;
  auto log = test::OpenLogOrDie(dir.path());
  for (int i = 0; i < 5; i++) {
    AppendResult r;
    ASSERT_TRUE(log->Append({"acme", "s"}, ExpectedVersion::Any(),
                            {test::CommentEvent("e" + std::to_string(i))}, "", &r)
                    .ok());
  }
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
