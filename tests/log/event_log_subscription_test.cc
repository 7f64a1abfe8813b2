#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using namespace std::chrono_literals;
using test::BodyOf;
using test::CommentEvent;

class EventLogSubscriptionTest : public ::testing::Test {
 protected:
  void SetUp() override { log_ = test::OpenLogOrDie(dir_.path()); }

  void Add(const StreamId& s, const std::string& body) {
    AppendResult r;
    ASSERT_TRUE(log_->Append(s, ExpectedVersion::Any(), {CommentEvent(body)}, "", &r).ok());
  }

  test::ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogSubscriptionTest, CatchesUpThenReceivesLiveEvents) {
  for (int i = 0; i < 5; i++) Add({"acme", "s"}, "old" + std::to_string(i));
  std::unique_ptr<Subscription> sub;
  SubscriptionOptions options;
  options.after_position = 2;
  options.page_size = 2;  // forces several catch-up pages
  ASSERT_TRUE(log_->Subscribe(options, &sub).ok());
  RecordedEvent e;
  for (int i = 2; i < 5; i++) {
    ASSERT_TRUE(sub->Next(&e, 1s).ok());
    EXPECT_EQ(BodyOf(e), "old" + std::to_string(i));
  }
  EXPECT_TRUE(sub->Next(&e, 20ms).IsTimedOut());

  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    Add({"acme", "s"}, "live");
  });
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(sub->Next(&e, 5s).ok());
  // Woken by the commit, not by the timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(BodyOf(e), "live");
  EXPECT_EQ(sub->position(), 6u);
  writer.join();
}

TEST_F(EventLogSubscriptionTest, TenantFilterDeliversOnlyThatTenant) {
  Add({"acme", "s"}, "a1");
  Add({"globex", "s"}, "g1");
  Add({"acme", "s"}, "a2");
  std::unique_ptr<Subscription> sub;
  SubscriptionOptions options;
  options.tenant = "globex";
  ASSERT_TRUE(log_->Subscribe(options, &sub).ok());
  RecordedEvent e;
  ASSERT_TRUE(sub->Next(&e, 1s).ok());
  EXPECT_EQ(BodyOf(e), "g1");
  EXPECT_TRUE(sub->Next(&e, 20ms).IsTimedOut());
  Add({"acme", "s"}, "a3");
  Add({"globex", "s"}, "g2");
  ASSERT_TRUE(sub->Next(&e, 1s).ok());
  EXPECT_EQ(BodyOf(e), "g2");
}

TEST_F(EventLogSubscriptionTest, ManyConcurrentCommitsArriveInPositionOrder) {
  std::unique_ptr<Subscription> sub;
  ASSERT_TRUE(log_->Subscribe(SubscriptionOptions(), &sub).ok());
  constexpr int kThreads = 4, kEach = 100;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; t++) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; i++) Add({"acme", "s" + std::to_string(t)}, "x");
    });
  }
  RecordedEvent e;
  for (uint64_t expected = 1; expected <= kThreads * kEach; expected++) {
    ASSERT_TRUE(sub->Next(&e, 5s).ok()) << expected;
    ASSERT_EQ(e.global_position(), expected);
  }
  for (auto& w : writers) w.join();
}

TEST_F(EventLogSubscriptionTest, ClosingTheLogEndsEverySubscriberWithShutdown) {
  // Subscribers in a delivery loop, each waiting in Next or about to call it again while the log
  // closes: each ends with Shutdown, and none touches the closed log (before, Next woke up in
  // the freed log or was called on it; ASan reports it).
  constexpr int kSubscribers = 8;
  std::vector<std::unique_ptr<Subscription>> subs(kSubscribers);
  std::vector<std::future<Status>> loops;
  for (int i = 0; i < kSubscribers; i++) {
    ASSERT_TRUE(log_->Subscribe(SubscriptionOptions(), &subs[i]).ok());
    const auto timeout = i == 0 ? 60s : std::chrono::milliseconds(i);
    loops.push_back(std::async(std::launch::async, [sub = subs[i].get(), timeout] {
      RecordedEvent e;
      Status s;
      do {
        s = sub->Next(&e, timeout);
      } while (s.IsTimedOut());
      return s;
    }));
  }
  std::this_thread::sleep_for(100ms);
  auto start = std::chrono::steady_clock::now();
  log_.reset();
  for (auto& loop : loops) {
    Status s = loop.get();
    EXPECT_TRUE(s.IsShutdown()) << s.ToString();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  // The subscriptions outlive their log, and say so.
  RecordedEvent e;
  EXPECT_TRUE(subs[0]->Next(&e, 1s).IsShutdown());
}

TEST_F(EventLogSubscriptionTest, AfterAReadErrorNothingIsDeliveredTwice) {
  for (int i = 1; i <= 5; i++) Add({"acme", "s"}, "e" + std::to_string(i));
  log_.reset();
  {
    // Damage position 3, as a bad disk would.
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* n : {"default", "events", "streams", "tenants", "idempotency"}) {
      cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.path(), cfs, &handles, &db).ok());
    const std::string key("\0\0\0\0\0\0\0\3", 8);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[1], key, "not an event").ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  log_ = test::OpenLogOrDie(dir_.path());
  std::unique_ptr<Subscription> sub;
  SubscriptionOptions options;
  options.page_size = 4;  // the page 1..4 holds the damaged record
  ASSERT_TRUE(log_->Subscribe(options, &sub).ok());
  std::vector<uint64_t> delivered;
  int errors = 0;
  for (int call = 0; call < 8; call++) {
    RecordedEvent e;
    Status s = sub->Next(&e, 10ms);
    if (s.ok()) {
      delivered.push_back(e.global_position());
    } else {
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      errors++;
    }
  }
  // Every call fails at the damaged page; the events before it are never handed out twice.
  EXPECT_EQ(errors, 8 - static_cast<int>(delivered.size()));
  for (size_t i = 1; i < delivered.size(); i++) EXPECT_GT(delivered[i], delivered[i - 1]);
  EXPECT_EQ(sub->position(), delivered.empty() ? 0u : delivered.back());
}

TEST_F(EventLogSubscriptionTest, InvalidTenantFilterIsRefused) {
  std::unique_ptr<Subscription> sub;
  SubscriptionOptions options;
  options.tenant = std::string("bad\x01", 4);
  EXPECT_TRUE(log_->Subscribe(options, &sub).IsInvalidArgument());
}

}  // namespace
}  // namespace tandem
