// `tandem tail` against the embedded cluster: records put on the events topic by this test
// (the record format of the relay), read back by the real binary.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <fstream>
#include <sstream>

#include "tandem/kafka/embedded_cluster.h"
#include "tandem/kafka/event_message.h"
#include "test_util.h"

namespace tandem::test {
namespace {

struct TailRun {
  int exit_code = -1;
  std::string out, err;
};

class TailCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedClusterOptions options;
    options.partitions = 2;
    options.topics = {KafkaTopics().events};
    ASSERT_TRUE(EmbeddedKafkaCluster::Start(options, &cluster_).ok());
    ASSERT_TRUE(EventJsonCodec::Create(&codec_).ok());
    log_ = OpenLogOrDie(dir_.Sub("log"));
    AppendResult appended;
    ASSERT_TRUE(log_->Append({"northwind", "project:web"}, ExpectedVersion::Any(),
                             {CommentEvent("one"), CommentEvent("two")}, "", &appended)
                    .ok());
    ASSERT_TRUE(log_->ReadAll(1, ReadOptions(), &events_).ok());
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", cluster_->bootstrap().c_str(), err, sizeof err);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    ASSERT_NE(producer_, nullptr) << err;
  }
  void TearDown() override {
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
  }

  void Put(const EventMessage& m, int32_t partition) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(m.headers.size());
    for (const auto& [name, value] : m.headers) {
      rd_kafka_header_add(headers, name.c_str(), -1, value.data(), value.size());
    }
    ASSERT_EQ(rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(KafkaTopics().events.c_str()),
                                RD_KAFKA_V_PARTITION(partition),
                                RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
                                RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_flush(producer_, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  EventMessage Message(const RecordedEvent& e, EventFormat format) {
    EventMessage m;
    EXPECT_TRUE(EncodeEventMessage(e, format, codec_.get(), &m).ok());
    return m;
  }

  std::string JsonOf(const RecordedEvent& e) {
    std::string json;
    EXPECT_TRUE(codec_->ToJson(e, &json).ok());
    return json;
  }

  TailRun Tail(const std::string& args) {
    const std::string out = dir_.Sub("out"), err = dir_.Sub("err");
    const std::string cmd = std::string(TANDEM_PATH) + " tail " + args + " > " + out + " 2> " + err;
    TailRun run;
    const int status = std::system(cmd.c_str());
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::stringstream o, e;
    o << std::ifstream(out).rdbuf();
    e << std::ifstream(err).rdbuf();
    run.out = o.str();
    run.err = e.str();
    return run;
  }

  ScratchDir dir_;
  std::unique_ptr<EmbeddedKafkaCluster> cluster_;
  std::unique_ptr<EventJsonCodec> codec_;
  std::unique_ptr<EventLog> log_;
  std::vector<RecordedEvent> events_;
  rd_kafka_t* producer_ = nullptr;
};

TEST_F(TailCliTest, PrintsEachEventAsTandemReadPrintsIt) {
  Put(Message(events_[0], EventFormat::kFlatBuffers), 0);
  Put(Message(events_[1], EventFormat::kFlatBuffers), 0);
  TailRun run = Tail("--kafka " + cluster_->bootstrap() + " --from-beginning --exit-at-end");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, JsonOf(events_[0]) + "\n" + JsonOf(events_[1]) + "\n");
}

TEST_F(TailCliTest, UnverifiableRecordIsReportedWithItsPlaceAndTailGoesOn) {
  EventMessage bad = Message(events_[0], EventFormat::kFlatBuffers);
  bad.value = "not a flatbuffer at all";
  Put(bad, 1);
  Put(Message(events_[1], EventFormat::kFlatBuffers), 1);
  TailRun run = Tail("--kafka " + cluster_->bootstrap() + " --from-beginning --exit-at-end");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, JsonOf(events_[1]) + "\n");
  EXPECT_NE(run.err.find("partition 1 offset 0"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("kafka.unverifiable_event"), std::string::npos) << run.err;
}

TEST_F(TailCliTest, JsonRecordsArePrintedAsTheirJson) {
  Put(Message(events_[0], EventFormat::kJson), 0);
  TailRun run = Tail("--kafka " + cluster_->bootstrap() + " --from-beginning --max 1");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, JsonOf(events_[0]) + "\n");
}

TEST_F(TailCliTest, InAGroupGoesOnWhereTheGroupLeftOff) {
  Put(Message(events_[0], EventFormat::kFlatBuffers), 0);
  Put(Message(events_[1], EventFormat::kFlatBuffers), 0);
  const std::string args = "--kafka " + cluster_->bootstrap() + " --group people --from-beginning";
  TailRun first = Tail(args + " --max 1");
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, JsonOf(events_[0]) + "\n");
  TailRun second = Tail(args + " --exit-at-end");
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, JsonOf(events_[1]) + "\n");
}

TEST_F(TailCliTest, FindsTheClusterThroughTheDataFoldersBootstrapFile) {
  ASSERT_TRUE(WriteBootstrapFile(dir_.Sub("log") + "/kafka.bootstrap", cluster_->bootstrap()).ok());
  Put(Message(events_[0], EventFormat::kFlatBuffers), 0);
  TailRun run = Tail("--data " + dir_.Sub("log") + " --from-beginning --max 1");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, JsonOf(events_[0]) + "\n");
}

TEST_F(TailCliTest, WithoutAClusterToFindItSaysSo) {
  TailRun run = Tail("--data " + dir_.Sub("nowhere"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("kafka.bootstrap"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace tandem::test
