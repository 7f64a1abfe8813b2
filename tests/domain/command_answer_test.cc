// What a command's answer tells its caller: nobody learns the log's global positions (which
// count every tenant's events), a client-side caller not even the stream's version, and every
// refusal names a stable reason.
#include <gtest/gtest.h>

#include "command_world.h"
#include "tandem/domain/command_json.h"

namespace tandem::test {
namespace {

class CommandAnswerTest : public StandardWorldTest {
 protected:
  void SetUp() override {
    StandardWorldTest::SetUp();
    ASSERT_TRUE(EventJsonCodec::Create(&codec_).ok());
  }

  // The answer's first event, as the JSON answer carries it.
  boost::json::object AnsweredEvent(const std::string& actor) {
    CommandResult r;
    Status s = Run("comment.post", actor,
                   {{"project_id", "p-acme"},
                    {"thread_id", "t-client"},
                    {"comment_id", "c-" + actor},
                    {"body", "hello"}},
                   &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::string json;
    EXPECT_TRUE(CommandResultToJson(*codec_, r, &json).ok());
    return boost::json::parse(json).at("events").at(0).as_object();
  }

  std::unique_ptr<EventJsonCodec> codec_;
};

TEST_F(CommandAnswerTest, ClientSideAnswerCarriesNoLogPositions) {
  const boost::json::object e = AnsweredEvent("acme-member");
  EXPECT_FALSE(e.contains("stream_version")) << e;
  EXPECT_FALSE(e.contains("global_position")) << e;
  EXPECT_EQ(e.at("payload_type"), "CommentPosted");
}

TEST_F(CommandAnswerTest, FirmAnswerCarriesTheStreamVersionAlone) {
  const boost::json::object e = AnsweredEvent("pm");
  EXPECT_TRUE(e.contains("stream_version")) << e;
  // A global position would tell the firm how busy the other tenants are.
  EXPECT_FALSE(e.contains("global_position")) << e;
}

TEST_F(CommandAnswerTest, NotFoundRefusalsHaveAReason) {
  Status s = Run("milestone.start", "pm",
                 {{"project_id", "p-acme"}, {"milestone_id", "nope"}, {"expected_version", 1}});
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.reason(), "milestone.not_found");
  s = Run("milestone.start", "pm",
          {{"project_id", "p-nope"}, {"milestone_id", "m-planned"}, {"expected_version", 1}});
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.reason(), "project.not_found");
  s = Run("project.create", "pm", {{"project_id", "p-x"}, {"client_id", "nope"}, {"name", "X"}});
  EXPECT_EQ(s.reason(), "client.not_found") << s.ToString();
}

// A creation's thing is at version 0 before it: a caller expecting another version of it is
// refused (the same reason as a stale version), and 0 or nothing creates it.
TEST_F(CommandAnswerTest, CreationExpectingAVersionButZeroIsRefusedAndAppendsNothing) {
  for (const char* type :
       {"client.add", "member.invite", "project.create", "milestone.plan", "document.request",
        "comment.post", "card.create", "approval.request", "report_link.issue"}) {
    SCOPED_TRACE(type);
    boost::json::object fields =
        boost::json::parse(StandardCommandFields(type, "acme")).as_object();
    fields["expected_version"] = 5;
    ExpectStale(Run(type, "owner", fields), Position());
    fields["expected_version"] = 0;
    Status s = Run(type, "owner", fields);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  const uint64_t before = Position();
  ExpectStale(world_->Run(Cmd("workspace.create", "fresh", "founder",
                              {{"name", "Fresh"}, {"expected_version", 1}})),
              before);
}

TEST_F(CommandAnswerTest, CreationOfATakenIdExpectingAVersionIsRefusedForTheTakenId) {
  const uint64_t before = Position();
  ExpectRejected(Run("project.create", "owner",
                     {{"project_id", "p-acme"},
                      {"client_id", "acme"},
                      {"name", "Again"},
                      {"expected_version", 5}}),
                 "project.exists", before);
}

TEST_F(CommandAnswerTest, StaleVersionRefusalHasAReason) {
  Status s =
      Run("milestone.start", "pm",
          {{"project_id", "p-acme"}, {"milestone_id", "m-planned"}, {"expected_version", 7}});
  EXPECT_TRUE(s.IsWrongExpectedVersion()) << s.ToString();
  EXPECT_EQ(s.reason(), "command.expected_version_mismatch");
}

TEST_F(CommandAnswerTest, ErrorJsonAlwaysNamesAReason) {
  const auto error = boost::json::parse(CommandErrorToJson(Status::IOError("disk gone")));
  EXPECT_EQ(error.at("error").at("reason"), "io_error");
}

}  // namespace
}  // namespace tandem::test
