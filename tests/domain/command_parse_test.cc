// Malformed commands get a specific error and leave the log unchanged.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

struct Malformed {
  const char* what;
  std::string json;
  const char* reason;
};

std::string Big(size_t n) { return std::string(n, 'x'); }

std::vector<Malformed> MalformedCommands() {
  const std::string head =
      R"("command_id":"c-1","workspace":"northwind","actor":"pm","project_id":"p-acme",)";
  return {
      {"not json", "{\"type\": ", "command.malformed_json"},
      {"not an object", "[1,2]", "command.malformed_json"},
      {"no type", R"({"command_id":"c"})", "command.missing_field"},
      {"unknown type", "{" + head + R"("type":"milestone.explode"})", "command.unknown_type"},
      {"type not a string", R"({"type":7})", "command.wrong_type"},
      {"no command id",
       R"({"type":"milestone.start","workspace":"northwind","actor":"pm","project_id":"p-acme","milestone_id":"m"})",
       "command.missing_field"},
      {"no actor",
       R"({"type":"client.add","command_id":"c","workspace":"northwind","client_id":"x","name":"X"})",
       "command.missing_field"},
      {"missing own field", "{" + head + R"("type":"milestone.block","milestone_id":"m-started"})",
       "command.missing_field"},
      {"reschedule without reason",
       "{" + head +
           R"("type":"milestone.reschedule","milestone_id":"m-planned","new_date":"2027-05-01"})",
       "command.missing_field"},
      {"blank reason",
       "{" + head + R"("type":"milestone.block","milestone_id":"m-started","reason":"   "})",
       "command.invalid_value"},
      {"unknown field",
       "{" + head + R"("type":"milestone.start","milestone_id":"m-planned","colour":"red"})",
       "command.unknown_field"},
      {"number for a string", "{" + head + R"("type":"milestone.start","milestone_id":42})",
       "command.wrong_type"},
      {"string for expected version",
       "{" + head +
           R"("type":"milestone.start","milestone_id":"m-planned","expected_version":"1"})",
       "command.wrong_type"},
      {"negative expected version",
       "{" + head + R"("type":"milestone.start","milestone_id":"m-planned","expected_version":-1})",
       "command.wrong_type"},
      {"bad date",
       "{" + head +
           R"("type":"milestone.plan","milestone_id":"m","title":"T","planned_date":"2027-02-30"})",
       "command.invalid_value"},
      {"bad id characters",
       "{" + head + R"("type":"milestone.start","milestone_id":"m/../../etc"})",
       "command.invalid_value"},
      {"unknown role",
       R"({"type":"member.invite","command_id":"c","workspace":"northwind","actor":"owner","member_id":"x","email":"x@y.z","display_name":"X","role":"king"})",
       "command.invalid_value"},
      {"bad anchor kind",
       "{" + head +
           R"("type":"comment.post","thread_id":"t","comment_id":"c","body":"b","anchor":{"kind":"planet","id":"x"}})",
       "command.invalid_value"},
      {"columns not an array",
       "{" + head + R"("type":"board.configure","board_id":"b","name":"B","columns":"A,B"})",
       "command.wrong_type"},
      {"duplicate column",
       "{" + head + R"("type":"board.configure","board_id":"b","name":"B","columns":["A","A"]})",
       "command.invalid_value"},
      {"oversized comment",
       "{" + head + R"("type":"comment.post","thread_id":"t-client","comment_id":"c","body":")" +
           Big(16 * 1024 + 1) + "\"}",
       "command.too_large"},
      {"oversized name",
       "{" + head +
           R"("type":"milestone.plan","milestone_id":"m","planned_date":"2027-01-01","title":")" +
           Big(201) + "\"}",
       "command.too_large"},
      {"oversized file",
       "{" + head + R"("type":"file.upload","name":"big.bin","content_base64":")" +
           std::string((1024 * 1024 + 3) / 3 * 4 + 8, 'A') + "\"}",
       "command.too_large"},
      {"invalid base64", "{" + head + R"("type":"file.upload","name":"f","content_base64":"ab$d"})",
       "command.invalid_value"},
      {"bad token hash",
       "{" + head +
           R"("type":"report_link.issue","link_id":"l","report":"r","expires_at_us":1,"token_sha256":"xyz"})",
       "command.invalid_value"},
  };
}

TEST_F(StandardWorldTest, MalformedCommandsGetSpecificErrorsAndWriteNothing) {
  const uint64_t before = world_->log()->LastPosition();
  for (const Malformed& m : MalformedCommands()) {
    SCOPED_TRACE(m.what);
    Status s = world_->Run(m.json);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(s.reason(), m.reason) << s.ToString();
    EXPECT_FALSE(s.message().empty());
  }
  EXPECT_EQ(world_->log()->LastPosition(), before);
}

TEST_F(StandardWorldTest, ChangeWithoutExpectedVersionIsRefused) {
  Status s =
      Run("milestone.start", "pm", {{"project_id", "p-acme"}, {"milestone_id", "m-planned"}});
  EXPECT_EQ(s.reason(), "command.expected_version_required") << s.ToString();
}

TEST_F(StandardWorldTest, StaleExpectedVersionIsAConflict) {
  Status s =
      Run("milestone.start", "pm",
          {{"project_id", "p-acme"}, {"milestone_id", "m-planned"}, {"expected_version", 7}});
  EXPECT_TRUE(s.IsWrongExpectedVersion()) << s.ToString();
}

TEST_F(StandardWorldTest, ExpectedVersionAnyOptsOutOfTheCheck) {
  EXPECT_TRUE(
      Run("milestone.start", "pm",
          {{"project_id", "p-acme"}, {"milestone_id", "m-planned"}, {"expected_version", "any"}})
          .ok());
}

}  // namespace
}  // namespace tandem::test
