// The history generator: a small history is written without a refusal, has the size, the mix
// and the variety asked for, and one seed always gives the same events.
#include "history_generator.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tandem/codec/event_json.h"
#include "tandem/domain/blob_store.h"
#include "test_util.h"

namespace tandem::history {
namespace {

HistoryOptions SmallHistory(uint64_t seed = 7) {
  HistoryOptions o;
  o.seed = seed;
  o.events = 5000;
  o.clients = 4;
  o.projects = 20;
  o.managers = 3;
  o.staff = 5;
  o.distinct_contents = 8;
  return o;
}

// A log, blob folder and handler in a scratch folder, with the clock the generator expects.
class Engine {
 public:
  explicit Engine(const HistoryOptions& options) {
    EventLogOptions lo;
    lo.durability = Durability::kBuffered;
    log_ = test::OpenLogOrDie(dir_.Sub("log"), lo);
    EXPECT_TRUE(BlobStore::Open(BlobStoreOptions(), dir_.Sub("blobs"), &blobs_).ok());
    CommandHandlerOptions co;
    co.now_us = [now = options.link_now_us] { return now; };
    EXPECT_TRUE(CommandHandler::Open(co, log_.get(), blobs_.get(), &handler_).ok());
  }

  Status Generate(const HistoryOptions& options, HistoryStats* stats) {
    Status s = GenerateHistory(options, handler_.get(), stats);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n  refused: " << stats->refused_command;
    return s;
  }

  // Every event of the log as JSON, without what the log assigns from its clock and its ids.
  std::vector<std::string> Events() {
    std::unique_ptr<EventJsonCodec> codec;
    EXPECT_TRUE(EventJsonCodec::Create(&codec).ok());
    std::vector<std::string> out;
    for (uint64_t from = 1;;) {
      std::vector<RecordedEvent> page;
      EXPECT_TRUE(log_->ReadAll(from, ReadOptions(), &page).ok());
      if (page.empty()) break;
      for (const RecordedEvent& e : page) {
        std::string json;
        EXPECT_TRUE(codec->ToJson(e, &json).ok());
        boost::json::object o = boost::json::parse(json).as_object();
        EXPECT_TRUE(o.erase("event_id") == 1 && o.erase("recorded_at_us") == 1) << json;
        out.push_back(boost::json::serialize(o));
      }
      from = page.back().global_position() + 1;
    }
    return out;
  }

  // Events in the log per payload type.
  std::map<std::string, uint64_t> CountByType() {
    std::map<std::string, uint64_t> counts;
    for (const std::string& json : Events()) {
      counts[boost::json::parse(json).at("payload_type").as_string().c_str()]++;
    }
    return counts;
  }

 private:
  test::ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<CommandHandler> handler_;
};

TEST(HistoryGeneratorTest, WritesExactlyTheEventsAskedForWithoutARefusal) {
  const HistoryOptions o = SmallHistory();
  Engine engine(o);
  HistoryStats stats;
  ASSERT_TRUE(engine.Generate(o, &stats).ok());
  EXPECT_EQ(stats.events, o.events);
  EXPECT_EQ(engine.Events().size(), o.events);
  EXPECT_EQ(stats.projects, 20);
  EXPECT_EQ(stats.clients, 4);
  EXPECT_EQ(engine.CountByType()["ProjectCreated"], 20u);
  EXPECT_EQ(engine.CountByType(), stats.events_by_type);
}

TEST(HistoryGeneratorTest, ContainsEveryKindOfCollaboration) {
  const HistoryOptions o = SmallHistory();
  Engine engine(o);
  HistoryStats stats;
  ASSERT_TRUE(engine.Generate(o, &stats).ok());
  std::map<std::string, uint64_t> counts = engine.CountByType();
  for (const char* type :
       {"WorkspaceCreated", "ClientAdded",        "MemberInvited",        "ProjectCreated",
        "MilestonePlanned", "MilestoneStarted",   "MilestoneRescheduled", "MilestoneCompleted",
        "MilestoneBlocked", "MilestoneUnblocked", "DocumentRequested",    "FileUploaded",
        "CommentPosted",    "WorkflowConfigured", "CardCreated",          "CardMoved",
        "CardLinked",       "ApprovalRequested",  "ApprovalGranted",      "ApprovalRejected",
        "ReportLinkIssued"}) {
    EXPECT_GT(counts[type], 0u) << type;
  }
}

TEST(HistoryGeneratorTest, CommentsAreTheMostCommonThenMilestonesAndCards) {
  const HistoryOptions o = SmallHistory();
  Engine engine(o);
  HistoryStats stats;
  ASSERT_TRUE(engine.Generate(o, &stats).ok());
  std::map<std::string, uint64_t> counts = engine.CountByType();
  const auto share = [&](std::initializer_list<const char*> types) {
    uint64_t n = 0;
    for (const char* t : types) n += counts[t];
    return static_cast<double>(n) / o.events;
  };
  const double comments = share({"CommentPosted"});
  const double milestones = share({"MilestonePlanned", "MilestoneStarted", "MilestoneRescheduled",
                                   "MilestoneCompleted", "MilestoneBlocked", "MilestoneUnblocked"});
  const double cards = share({"CardCreated", "CardMoved", "CardLinked"});
  const double uploads = share({"FileUploaded"});
  const double approvals = share({"ApprovalRequested", "ApprovalGranted", "ApprovalRejected"});
  for (const auto& [type, n] : counts) {
    if (type != "CommentPosted") {
      EXPECT_LT(n, counts["CommentPosted"]) << type;
    }
  }
  EXPECT_GT(comments, 0.45);
  EXPECT_LT(comments, 0.65);
  EXPECT_GT(milestones, uploads);
  EXPECT_GT(cards, uploads);
  EXPECT_GT(uploads, approvals);
  EXPECT_GT(approvals, 0.02);
}

TEST(HistoryGeneratorTest, OneSeedGivesTheSameEventsAnotherSeedOthers) {
  const HistoryOptions o = SmallHistory(11);
  std::vector<std::string> first, second, other;
  {
    Engine engine(o);
    HistoryStats stats;
    ASSERT_TRUE(engine.Generate(o, &stats).ok());
    first = engine.Events();
  }
  {
    Engine engine(o);
    HistoryStats stats;
    ASSERT_TRUE(engine.Generate(o, &stats).ok());
    second = engine.Events();
  }
  {
    Engine engine(SmallHistory(12));
    HistoryStats stats;
    ASSERT_TRUE(engine.Generate(SmallHistory(12), &stats).ok());
    other = engine.Events();
  }
  ASSERT_EQ(first.size(), o.events);
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); i++) {
    ASSERT_EQ(first[i], second[i]) << "event " << i + 1;
  }
  EXPECT_NE(first, other);
}

// Each stream's events (by stream and version), without their global positions.
std::map<std::string, std::string> ByStream(const std::vector<std::string>& events) {
  std::map<std::string, std::string> out;
  for (const std::string& json : events) {
    boost::json::object o = boost::json::parse(json).as_object();
    o.erase("global_position");
    const std::string key = std::string(o.at("stream_id").as_string().c_str()) + "@" +
                            boost::json::serialize(o.at("stream_version"));
    out[key] = boost::json::serialize(o);
  }
  return out;
}

TEST(HistoryGeneratorTest, SeveralThreadsWriteTheSameStreams) {
  HistoryOptions o = SmallHistory(5);
  std::vector<std::string> one, several;
  {
    Engine engine(o);
    HistoryStats stats;
    ASSERT_TRUE(engine.Generate(o, &stats).ok());
    one = engine.Events();
  }
  o.threads = 3;
  {
    Engine engine(o);
    HistoryStats stats;
    ASSERT_TRUE(engine.Generate(o, &stats).ok());
    EXPECT_EQ(stats.events, o.events);
    several = engine.Events();
  }
  ASSERT_EQ(one.size(), several.size());
  EXPECT_TRUE(ByStream(one) == ByStream(several));
}

TEST(HistoryGeneratorTest, RefusesTooFewEventsForTheProjects) {
  HistoryOptions o = SmallHistory();
  o.events = 200;
  Engine engine(o);
  HistoryStats stats;
  Status s = GenerateHistory(o, nullptr, &stats);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.reason(), "history.too_few_events");
}

}  // namespace
}  // namespace tandem::history
