// The command intake against the embedded cluster and a real engine on disk: commands produced
// on the commands topic by a plain librdkafka producer, answers read back from the results
// topic as an integration would.
#include "tandem/kafka/command_intake.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <prometheus/registry.h>

#include <boost/json.hpp>

#include "command_world.h"
#include "kafka_records.h"
#include "metric_value.h"
#include "tandem/domain/command_json.h"
#include "tandem/kafka/embedded_cluster.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::KafkaRecord;

constexpr uint64_t kMaxFileBytes = 64 * 1024;

class CommandIntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<test::CommandWorld>(dir_.Sub("engine"), [](CommandHandlerOptions* o) {
      o->limits.max_file_bytes = kMaxFileBytes;
    });
    world_->BuildStandard();
    ASSERT_TRUE(EmbeddedKafkaCluster::Start(EmbeddedClusterOptions(), &cluster_).ok());
    ASSERT_TRUE(cluster_->CreateTopic(topics_.commands, 2).ok());
    // One partition: answers come back in the order they were produced.
    ASSERT_TRUE(cluster_->CreateTopic(topics_.command_results, 1).ok());
    ASSERT_TRUE(EventJsonCodec::Create(&codec_).ok());
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", cluster_->bootstrap().c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "message.max.bytes", "4000000", err, sizeof err);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    ASSERT_NE(producer_, nullptr) << err;
    StartIntake();
  }

  void TearDown() override {
    if (intake_ != nullptr) {
      EXPECT_TRUE(intake_->Stop().ok());
    }
    intake_.reset();
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
  }

  void StartIntake() {
    CommandIntakeOptions options;
    options.kafka.bootstrap = cluster_->bootstrap();
    options.limits.max_file_bytes = kMaxFileBytes;
    options.metrics = &registry_;
    // The mock cluster forgets a member that left only when its session times out, so an
    // intake restarted in the same group waits that long for its partitions.
    options.kafka.client_config["session.timeout.ms"] = "6000";
    ASSERT_TRUE(CommandIntake::Open(options, world_->handler(), codec_.get(), &intake_).ok());
    ASSERT_TRUE(intake_->Start().ok());
  }

  // Produces one record on the commands topic (no key when `key` is empty), waiting for it.
  void Send(const std::string& value, const std::string& key = "", int32_t partition = 0) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topics_.commands.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    ASSERT_EQ(rd_kafka_flush(producer_, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  std::vector<KafkaRecord> Results(size_t expected,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return test::ReadTopic(cluster_->bootstrap(), topics_.command_results, expected, timeout);
  }

  static boost::json::object Json(const KafkaRecord& r) {
    return boost::json::parse(r.value).as_object();
  }
  static std::string Reason(const KafkaRecord& r) {
    return std::string(Json(r).at("error").at("reason").as_string());
  }

  std::string ValidComment(const std::string& command_id, const std::string& body = "hello") {
    return test::Cmd("comment.post", "northwind", "pm",
                     {{"command_id", command_id},
                      {"project_id", "p-acme"},
                      {"thread_id", "t-" + command_id},
                      {"comment_id", "c-" + command_id},
                      {"anchor", boost::json::object{{"kind", "milestone"}, {"id", "m-planned"}}},
                      {"body", body}});
  }

  test::ScratchDir dir_;
  KafkaTopics topics_;
  std::unique_ptr<test::CommandWorld> world_;
  std::unique_ptr<EmbeddedKafkaCluster> cluster_;
  std::unique_ptr<EventJsonCodec> codec_;
  prometheus::Registry registry_;
  rd_kafka_t* producer_ = nullptr;
  std::unique_ptr<CommandIntake> intake_;
};

TEST_F(CommandIntakeTest, ValidCommandIsWrittenAndAnsweredUnderItsCommandId) {
  const uint64_t before = world_->log()->LastPosition();
  Send(ValidComment("crm-1"), "crm-1");
  std::vector<KafkaRecord> results = Results(1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].key, "crm-1");
  EXPECT_EQ(results[0].headers["tandem.command_id"], "crm-1");
  boost::json::object answer = Json(results[0]);
  ASSERT_TRUE(answer.at("ok").as_bool()) << results[0].value;
  EXPECT_FALSE(answer.at("deduplicated").as_bool());
  const auto& events = answer.at("events").as_array();
  ASSERT_EQ(world_->log()->LastPosition(), before + events.size());
  ASSERT_FALSE(events.empty());
  // The answer is exactly what `tandem command` prints for the events in the log: the event
  // without its global position, which counts every tenant's events.
  RecordedEvent written;
  ASSERT_TRUE(world_->log()->Get(before + 1, &written).ok());
  std::string json;
  ASSERT_TRUE(codec_->ToJson(written, &json).ok());
  boost::json::value expected = boost::json::parse(json);
  EXPECT_EQ(expected.as_object().erase("global_position"), 1u);
  EXPECT_EQ(events[0], expected);
  EXPECT_EQ(test::MetricValue(registry_, "tandem_intake_records_total"), 1);
  EXPECT_EQ(test::MetricValue(registry_, "tandem_intake_results_total", "ok"), 1);
}

TEST_F(CommandIntakeTest, CommandConsumedTwiceIsWrittenOnceAndAnsweredTwiceAlike) {
  const uint64_t before = world_->log()->LastPosition();
  const std::string command = ValidComment("crm-2");
  Send(command, "crm-2");
  Send(command, "crm-2");
  std::vector<KafkaRecord> results = Results(2);
  ASSERT_EQ(results.size(), 2u);
  boost::json::object first = Json(results[0]), second = Json(results[1]);
  EXPECT_EQ(results[1].key, "crm-2");
  EXPECT_FALSE(first.at("deduplicated").as_bool());
  EXPECT_TRUE(second.at("deduplicated").as_bool());
  const auto& first_events = first.at("events").as_array();
  const auto& second_events = second.at("events").as_array();
  ASSERT_EQ(first_events.size(), second_events.size());
  for (size_t i = 0; i < first_events.size(); i++) {
    EXPECT_EQ(first_events[i].at("event_id"), second_events[i].at("event_id"));
    EXPECT_EQ(first_events[i].at("payload"), second_events[i].at("payload"));
  }
  EXPECT_EQ(world_->log()->LastPosition(), before + first_events.size());
  EXPECT_EQ(test::MetricValue(registry_, "tandem_intake_results_total", "deduplicated"), 1);
}

// Each bad record gets its refusal under the key its sender can find, writes nothing, and the
// intake answers the valid command sent after them all.
TEST_F(CommandIntakeTest, BadRecordsAreRefusedAndTheIntakeGoesOn) {
  const uint64_t before = world_->log()->LastPosition();
  Send("{\"type\": \"comment.post\", \"command_id\": ", "truncated");
  std::string not_utf8 = ValidComment("crm-utf8", "caf\xff");
  Send(not_utf8);  // no key: answered under <partition>:<offset>
  Send(std::string(200 * 1024, ' '), "huge");
  Send(test::Cmd("project.create", "northwind", "nobody",
                 {{"command_id", "crm-stranger"},
                  {"project_id", "p-new"},
                  {"client_id", "acme"},
                  {"name", "New"}}));
  Send(test::Cmd("project.create", "northwind", "acme-member",
                 {{"command_id", "crm-client"},
                  {"project_id", "p-new"},
                  {"client_id", "acme"},
                  {"name", "New"}}));
  // Only a top-level command_id names the command.
  Send("{\"type\": \"nope\", \"anchor\": {\"command_id\": \"inner\"}}", "nested");
  std::vector<KafkaRecord> results = Results(6);
  ASSERT_EQ(results.size(), 6u);
  std::map<std::string, KafkaRecord> by_key;
  for (const KafkaRecord& r : results) {
    EXPECT_FALSE(Json(r).at("ok").as_bool()) << r.value;
    by_key[r.key] = r;
  }
  EXPECT_EQ(Reason(by_key["truncated"]), "command.malformed_json");
  EXPECT_EQ(by_key["truncated"].headers.count("tandem.command_id"), 0u);
  EXPECT_EQ(Reason(by_key["0:1"]), "command.invalid_utf8");
  EXPECT_EQ(Reason(by_key["huge"]), "command.too_large");
  EXPECT_EQ(Reason(by_key["crm-stranger"]), "actor.not_member");
  EXPECT_EQ(by_key["crm-stranger"].headers["tandem.command_id"], "crm-stranger");
  EXPECT_EQ(Reason(by_key["crm-client"]), "role.forbidden");
  EXPECT_EQ(Reason(by_key["nested"]), "command.unknown_type");
  EXPECT_EQ(world_->log()->LastPosition(), before);

  Send(ValidComment("crm-after"), "", 1);
  results = Results(7);
  ASSERT_EQ(results.size(), 7u);
  EXPECT_EQ(results[6].key, "crm-after");
  EXPECT_TRUE(Json(results[6]).at("ok").as_bool()) << results[6].value;
  EXPECT_GT(world_->log()->LastPosition(), before);
  EXPECT_EQ(test::MetricValue(registry_, "tandem_intake_results_total", "invalid_argument"), 4);
  EXPECT_EQ(test::MetricValue(registry_, "tandem_intake_results_total", "permission_denied"), 2);
}

// Offsets are committed once the answers are delivered: an intake started again in the same
// group goes on after what was answered, answering nothing twice.
TEST_F(CommandIntakeTest, RestartedIntakeResumesAfterAnsweredCommands) {
  Send(ValidComment("crm-3"), "crm-3");
  ASSERT_EQ(Results(1).size(), 1u);
  ASSERT_TRUE(intake_->Stop().ok());
  intake_.reset();
  StartIntake();
  Send(ValidComment("crm-4"), "crm-4");
  std::vector<KafkaRecord> results = Results(2);
  ASSERT_EQ(results.size(), 2u);
  results = Results(3, std::chrono::seconds(2));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].key, "crm-3");
  EXPECT_EQ(results[1].key, "crm-4");
}

}  // namespace
}  // namespace tandem
