// The events topic's record format: what a downstream consumer relies on.
#include "tandem/kafka/event_message.h"

#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

namespace tandem::test {
namespace {

class EventMessageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = OpenLogOrDie(dir_.Sub("log"));
    AppendResult result;
    ASSERT_TRUE(log_->Append({"northwind", "project:website"}, ExpectedVersion::Any(),
                             {CommentEvent("hello"), CommentEvent("again")}, "", &result)
                    .ok());
    std::vector<RecordedEvent> events;
    ASSERT_TRUE(log_->ReadAll(1, ReadOptions(), &events).ok());
    second_ = events.at(1);
    ASSERT_TRUE(EventJsonCodec::Create(&codec_).ok());
  }
  ScratchDir dir_;
  std::unique_ptr<EventLog> log_;
  RecordedEvent second_;
  std::unique_ptr<EventJsonCodec> codec_;
};

TEST_F(EventMessageTest, KeyIsTheTenantAndTheStream) {
  EventMessage m;
  ASSERT_TRUE(EncodeEventMessage(second_, EventFormat::kFlatBuffers, nullptr, &m).ok());
  EXPECT_EQ(m.key, "northwind/project:website");
}

TEST_F(EventMessageTest, HeadersCarryTypeSchemaTenantPositionIdAndFormat) {
  EventMessage m;
  ASSERT_TRUE(EncodeEventMessage(second_, EventFormat::kFlatBuffers, nullptr, &m).ok());
  std::map<std::string, std::string> headers(m.headers.begin(), m.headers.end());
  EXPECT_EQ(headers.at("tandem.event_type"), "CommentPosted");
  EXPECT_EQ(headers.at("tandem.schema_version"), "1");
  EXPECT_EQ(headers.at("tandem.tenant"), "northwind");
  EXPECT_EQ(headers.at("tandem.global_position"), "2");
  EXPECT_EQ(headers.at("tandem.event_id"), second_.event().event_id()->str());
  EXPECT_FALSE(headers.at("tandem.event_id").empty());
  EXPECT_EQ(headers.at("tandem.format"), "flatbuffers");
}

TEST_F(EventMessageTest, FlatBuffersValueDecodesToTheStoredEvent) {
  EventMessage m;
  ASSERT_TRUE(EncodeEventMessage(second_, EventFormat::kFlatBuffers, nullptr, &m).ok());
  RecordedEvent decoded;
  ASSERT_TRUE(DecodeEventValue(m.value, &decoded).ok());
  EXPECT_EQ(decoded.bytes(), second_.bytes());
  EXPECT_EQ(BodyOf(decoded), "again");
}

TEST_F(EventMessageTest, JsonValueIsTheCommandLineJson) {
  EventMessage m;
  ASSERT_TRUE(EncodeEventMessage(second_, EventFormat::kJson, codec_.get(), &m).ok());
  std::string cli;
  ASSERT_TRUE(codec_->ToJson(second_, &cli).ok());
  EXPECT_EQ(m.value, cli);
  std::map<std::string, std::string> headers(m.headers.begin(), m.headers.end());
  EXPECT_EQ(headers.at("tandem.format"), "json");
}

TEST_F(EventMessageTest, DamagedValueIsRefusedAsUnverifiable) {
  std::string value(second_.bytes());
  value.resize(value.size() / 2);
  RecordedEvent decoded;
  Status s = DecodeEventValue(value, &decoded);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.reason(), "kafka.unverifiable_event");
  EXPECT_EQ(DecodeEventValue("not a flatbuffer", &decoded).reason(), "kafka.unverifiable_event");
}

TEST(EventPartitionTest, EveryTenantHasOnePartitionAndTenantsSpread) {
  std::set<int32_t> used;
  for (int i = 0; i < 100; i++) {
    const std::string tenant = "tenant-" + std::to_string(i);
    const int32_t p = PartitionForTenant(tenant, 8);
    EXPECT_EQ(p, PartitionForTenant(tenant, 8));
    ASSERT_GE(p, 0);
    ASSERT_LT(p, 8);
    used.insert(p);
  }
  EXPECT_EQ(used.size(), 8u);
}

TEST(GlobalPositionHeaderTest, OnlyAPositiveDecimalIsAPosition) {
  uint64_t position = 0;
  ASSERT_TRUE(ParseGlobalPositionHeader("1234", &position).ok());
  EXPECT_EQ(position, 1234u);
  for (const char* bad : {"", "0", "-1", "12a", " 12", "99999999999999999999999"}) {
    EXPECT_EQ(ParseGlobalPositionHeader(bad, &position).reason(), "kafka.missing_position") << bad;
  }
}

}  // namespace
}  // namespace tandem::test
