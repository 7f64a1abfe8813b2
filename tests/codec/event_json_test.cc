#include <gtest/gtest.h>

#include "tandem/basics/utf8.h"
#include "tandem/codec/event_json.h"
#include "test_util.h"

namespace tandem {
namespace {

class EventJsonTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(EventJsonCodec::Create(&codec_).ok()); }
  Status Parse(const std::string& json) { return codec_->ParseNewEvents(json, &events_); }

  std::unique_ptr<EventJsonCodec> codec_;
  std::vector<NewEvent> events_;
};

TEST_F(EventJsonTest, ParsesAnObjectIntoATypedPayload) {
  ASSERT_TRUE(Parse(R"({"actor":"member:ana","audience":"Client",
      "payload_type":"MilestoneRescheduled",
      "payload":{"project_id":"p1","milestone_id":"m1","old_date":"2026-12-01",
                 "new_date":"2026-12-08","reason":"late input"}})")
                  .ok());
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].actor, "member:ana");
  EXPECT_EQ(events_[0].audience, schema::Audience::Client);
  const auto* r = events_[0].payload.AsMilestoneRescheduled();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->reason, "late input");
  EXPECT_EQ(r->new_date, "2026-12-08");
}

TEST_F(EventJsonTest, ParsesTheDueDateOfADocumentRequest) {
  ASSERT_TRUE(Parse(R"({"payload_type":"DocumentRequested",
      "payload":{"project_id":"p1","milestone_id":"m1","request_id":"r1","title":"Brand guide",
                 "due_date":"2026-12-08"}})")
                  .ok());
  const auto* r = events_.at(0).payload.AsDocumentRequested();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->due_date, "2026-12-08");
}

TEST_F(EventJsonTest, ParsesAnArray) {
  ASSERT_TRUE(Parse(R"([{"payload_type":"MilestoneStarted","payload":{"milestone_id":"m1"}},
                        {"payload_type":"MilestoneStarted","payload":{"milestone_id":"m2"}}])")
                  .ok());
  EXPECT_EQ(events_.size(), 2u);
}

TEST_F(EventJsonTest, MalformedJsonIsRefused) {
  Status s = Parse(R"({"payload_type": )");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("malformed JSON"), std::string::npos) << s.message();
}

TEST_F(EventJsonTest, UnknownPayloadTypeIsRefused) {
  Status s = Parse(R"({"payload_type":"MilestoneExploded","payload":{}})");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("MilestoneExploded"), std::string::npos) << s.message();
}

TEST_F(EventJsonTest, UnknownFieldIsRefused) {
  Status s = Parse(R"({"payload_type":"MilestoneStarted","payload":{"milestone":"m1"}})");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("unknown field"), std::string::npos) << s.message();
}

TEST_F(EventJsonTest, WrongFieldTypeIsRefused) {
  EXPECT_TRUE(
      Parse(R"({"payload_type":"FileUploaded","payload":{"size":"big"}})").IsInvalidArgument());
}

TEST_F(EventJsonTest, LogAssignedFieldsAreRefused) {
  for (const char* field : {"tenant", "stream_id", "stream_version", "global_position"}) {
    Status s = Parse(std::string(R"({")") + field +
                     R"(":"1","payload_type":"MilestoneStarted","payload":{}})");
    EXPECT_TRUE(s.IsInvalidArgument()) << field;
    EXPECT_NE(s.message().find(field), std::string::npos) << s.message();
  }
}

TEST_F(EventJsonTest, MissingPayloadIsRefused) {
  EXPECT_TRUE(Parse(R"({"actor":"a"})").IsInvalidArgument());
  EXPECT_TRUE(Parse("[]").IsInvalidArgument());
  EXPECT_TRUE(Parse("[1]").IsInvalidArgument());
}

TEST_F(EventJsonTest, EveryRefusalHasAStableReason) {
  struct Case {
    std::string json;
    const char* reason;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"payload_type": )", "event_json.malformed_json"},
           {"[]", "event_json.no_events"},
           {"[1]", "event_json.not_an_object"},
           {R"({"tenant":"t","payload_type":"MilestoneStarted","payload":{}})",
            "event_json.log_assigned_field"},
           {R"({"actor":"a"})", "event_json.missing_payload"},
           {R"({"payload_type":"MilestoneExploded","payload":{}})", "event_json.schema_mismatch"},
       }) {
    Status s = Parse(c.json);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.json;
    EXPECT_EQ(s.reason(), c.reason) << c.json << ": " << s.ToString();
  }
}

TEST_F(EventJsonTest, InvalidUtf8IsRefusedWithItsOwnReason) {
  Status s =
      Parse("{\"payload_type\":\"MilestoneStarted\",\"payload\":{\"milestone_id\":\"m\xC3\"}}");
  EXPECT_EQ(s.reason(), "event_json.invalid_utf8") << s.ToString();
  EXPECT_TRUE(utf8::IsValid(s.message()));
}

TEST_F(EventJsonTest, RoundTripsThroughTheLog) {
  test::ScratchDir dir;
  auto log = test::OpenLogOrDie(dir.path());
  ASSERT_TRUE(Parse(R"({"actor":"member:ana","payload_type":"CardMoved",
      "payload":{"card_id":"c1","from_column":"Inbound","to_column":"Assigned"}})")
                  .ok());
  AppendResult r;
  ASSERT_TRUE(log->Append({"acme", "board"}, ExpectedVersion::Any(), events_, "", &r).ok());
  RecordedEvent e;
  ASSERT_TRUE(log->Get(1, &e).ok());
  std::string json;
  ASSERT_TRUE(codec_->ToJson(e, &json).ok());
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_NE(json.find(R"("to_column": "Assigned")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("global_position": 1)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("tenant": "acme")"), std::string::npos) << json;
}

TEST_F(EventJsonTest, PrintsTheDueDateOfAnApprovalRequest) {
  test::ScratchDir dir;
  auto log = test::OpenLogOrDie(dir.path());
  ASSERT_TRUE(Parse(R"({"payload_type":"ApprovalRequested",
      "payload":{"project_id":"p1","approval_id":"ap1","title":"Approve the plan",
                 "requested_from":"acme-member","due_date":"2026-12-08"}})")
                  .ok());
  AppendResult r;
  ASSERT_TRUE(log->Append({"acme", "project:p1"}, ExpectedVersion::Any(), events_, "", &r).ok());
  RecordedEvent e;
  ASSERT_TRUE(log->Get(1, &e).ok());
  std::string json;
  ASSERT_TRUE(codec_->ToJson(e, &json).ok());
  EXPECT_NE(json.find(R"("due_date": "2026-12-08")"), std::string::npos) << json;
}

}  // namespace
}  // namespace tandem
