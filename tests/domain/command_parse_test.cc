// Malformed commands get a specific error and leave the log unchanged.
#include <gtest/gtest.h>

#include <span>

#include "command_world.h"
#include "tandem/basics/utf8.h"

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
      // A client's title that would read as a second line, or turn the rest of a line around,
      // in the firm's feed (review, 2026-12-07).
      {"C1 control in a title",
       "{" + head +
           R"("type":"milestone.plan","milestone_id":"m","planned_date":"2027-01-01","title":"Logo\u0085Ben completed"})",
       "command.invalid_value"},
      {"line separator in a name",
       "{" + head + R"("type":"board.configure","board_id":"b","name":"B\u2028C"})",
       "command.invalid_value"},
      {"bidirectional override in a body",
       "{" + head +
           R"("type":"comment.post","thread_id":"t-client","comment_id":"c","body":"ok \u202Edesrever"})",
       "command.invalid_value"},
      {"text of line separators only",
       "{" + head +
           R"("type":"milestone.block","milestone_id":"m-started","reason":"\u2028\u2029 "})",
       "command.invalid_value"},
      {"title of a zero-width space",
       "{" + head +
           R"("type":"milestone.plan","milestone_id":"m","planned_date":"2027-01-01","title":"\u200b"})",
       "command.invalid_value"},
      // A name that looks like another: the client's "Ben" beside the firm's (noted 2026-12-07).
      {"zero-width space after a display name",
       R"({"type":"member.invite","command_id":"c","workspace":"northwind","actor":"owner","member_id":"x","email":"x@y.z","display_name":"Ben\u200b","role":"client_member","client_id":"acme"})",
       "command.invalid_value"},
      {"word joiner in a column name",
       "{" + head +
           R"("type":"board.configure","board_id":"b","name":"B","columns":["To\u2060do"]})",
       "command.invalid_value"},
      {"tag characters hidden in a title",
       "{" + head +
           R"("type":"milestone.plan","milestone_id":"m","planned_date":"2027-01-01","title":"Plan\udb40\udc41\udb40\udc42"})",
       "command.invalid_value"},
      // Review (2026-12-08): hidden text after a flag's U+1F3F4, names that look empty or like
      // another, a comment of hidden text, an address with a zero-width space.
      {"hidden text after a flag in a display name",
       R"({"type":"member.invite","command_id":"c","workspace":"northwind","actor":"owner","member_id":"x","email":"x@y.z","display_name":"Ben\ud83c\udff4\udb40\udc69\udb40\udc67\udb40\udc6e\udb40\udc20\udb40\udc6d\udb40\udc65\udb40\udc7f","role":"client_member","client_id":"acme"})",
       "command.invalid_value"},
      {"display name of braille blanks",
       R"({"type":"member.invite","command_id":"c","workspace":"northwind","actor":"owner","member_id":"x","email":"x@y.z","display_name":"\u2800\u3000\u2800","role":"client_member","client_id":"acme"})",
       "command.invalid_value"},
      {"variation selector after a letter of a display name",
       R"({"type":"member.invite","command_id":"c","workspace":"northwind","actor":"owner","member_id":"x","email":"x@y.z","display_name":"Ben\ufe0f","role":"client_member","client_id":"acme"})",
       "command.invalid_value"},
      {"interlinear annotation in a title",
       "{" + head +
           R"("type":"milestone.plan","milestone_id":"m","planned_date":"2027-01-01","title":"Plan\ufffb"})",
       "command.invalid_value"},
      {"comment of tag characters",
       "{" + head +
           R"("type":"comment.post","thread_id":"t-client","comment_id":"c","body":"ok \udb40\udc68\udb40\udc69"})",
       "command.invalid_value"},
      {"comment of invisible characters",
       "{" + head +
           R"("type":"comment.post","thread_id":"t-client","comment_id":"c","body":"\u00ad\u3164 \u200e"})",
       "command.invalid_value"},
      // Second review (2026-12-08): tags after U+1F3F4 that spell no recommended flag, and
      // columns that differ only by what does not show.
      {"made-up flag in a title",
       "{" + head +
           R"("type":"milestone.plan","milestone_id":"m","planned_date":"2027-01-01","title":"Plan\ud83c\udff4\udb40\udc70\udb40\udc77\udb40\udc6e\udb40\udc65\udb40\udc64\udb40\udc7f"})",
       "command.invalid_value"},
      {"columns that look the same",
       "{" + head +
           R"("type":"board.configure","board_id":"b","name":"B","columns":["Done","Done\u2800"]})",
       "command.invalid_value"},
      {"direction marks in a run after a title",
       "{" + head +
           R"("type":"milestone.plan","milestone_id":"m","planned_date":"2027-01-01","title":"Plan\u200e\u200f\u200e"})",
       "command.invalid_value"},
      {"anchor's unknown key",
       "{" + head +
           R"("type":"comment.post","thread_id":"t","comment_id":"c","body":"b","anchor":{"kind":"project","id":"p","x\r\u202e":1}})",
       "command.unknown_field"},
      {"zero-width space in an email address",
       R"({"type":"member.invite","command_id":"c","workspace":"northwind","actor":"owner","member_id":"x","email":"x@y.z\u200b","display_name":"X","role":"client_member","client_id":"acme"})",
       "command.invalid_value"},
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

// Texts may break their lines, and right-to-left text keeps the marks it needs.
TEST_F(StandardWorldTest, TextsKeepLineBreaksAndRightToLeftMarks) {
  EXPECT_TRUE(
      Run("comment.post", "pm",
          {{"project_id", "p-acme"},
           {"thread_id", "t-client"},
           {"comment_id", "c-lines"},
           {"body", "one\ntwo\xE2\x80\xA8three \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D\xE2\x80\x8F"}})
          .ok());
  EXPECT_TRUE(Run("milestone.plan", "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "m-rtl"},
                   {"title",
                    "\xD7\xA9\xD7\x9C\xD7\x91 \xE2\x80\x8F"
                    "1"},
                   {"planned_date", "2027-01-01"}})
                  .ok());
}

TEST_F(StandardWorldTest, AnInvisibleCharacterInANameIsRefusedNamingTheField) {
  const Status s = Run("member.invite", "owner",
                       {{"member_id", "ben-2"},
                        {"email", "ben@acme.example"},
                        {"display_name", "Ben\xE2\x80\x8B"},
                        {"role", "client_member"},
                        {"client_id", "acme"}});
  EXPECT_EQ(s.reason(), "command.invalid_value") << s.ToString();
  EXPECT_NE(s.message().find("display_name"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("invisible"), std::string::npos) << s.ToString();
}

class NameRulesTest : public StandardWorldTest {
 protected:
  // Plans a milestone titled each of `titles` (ids `prefix`0, `prefix`1, ...); expects each
  // accepted.
  void ExpectTitlesAccepted(std::span<const std::string> titles, const std::string& prefix) {
    int n = 0;
    for (const std::string& title : titles) {
      const Status s = Run("milestone.plan", "pm",
                           {{"project_id", "p-acme"},
                            {"milestone_id", prefix + std::to_string(n++)},
                            {"title", title},
                            {"planned_date", "2027-01-01"}});
      EXPECT_TRUE(s.ok()) << title << ": " << s.ToString();
    }
  }
};

// Names keep the joiners that scripts and emoji need, and the tags of a flag.
TEST_F(NameRulesTest, NamesKeepJoinersAndFlags) {
  const std::string titles[] = {
      "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85",  // Persian, U+200C
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",  // a family,
                                                                                   // U+200D
      "Kick-off \xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xB3\xF3\xA0\x81\xA3"
      "\xF3\xA0\x81\xB4\xF3\xA0\x81\xBF",  // Scotland's flag
  };
  ExpectTitlesAccepted(titles, "m-name-");
}

// Review (2026-12-08): what the stricter rules on invisible characters must keep accepting.
TEST_F(NameRulesTest, NamesKeepEmojiSelectorsIdeographicVariantsAndIdeographicSpaces) {
  const std::string titles[] = {
      "\xE2\x9D\xA4\xEF\xB8\x8F Team",                                 // a heart with U+FE0F
      "1\xEF\xB8\x8F\xE2\x83\xA3 first",                               // keycap one
      "\xE5\xB1\xB1\xE7\x94\xB0\xE3\x80\x80\xE5\xA4\xAA\xE9\x83\x8E",  // U+3000 in a name
      "\xE8\x91\x9B\xF3\xA0\x84\x80\xE9\xA3\xBE",                      // U+845B with U+E0100
      "#\xEF\xB8\x8E\xE2\x83\xA3 1\xEF\xB8\x8E",  // keycap and digit, text style
      "0\xEF\xB8\x80 \xE1\x80\x80\xEF\xB8\x80",   // slashed zero, Myanmar variant
      "\xE1\xA0\xAC\xE1\xA0\xA3\xE1\xA0\xB7\xE1\xA0\xA2\xE1\xA0\xAE\xE1\xA0\x8E\xE1\xA0"
      "\xA0",  // U+180E
      "\xE0\xB4\x85\xE0\xB4\xB0\xE0\xB5\x8D\xE2\x80\x8D\xE0\xB4\x9C\xE0\xB5\x81\xE0\xB4\xA8"
      "\xE0\xB5\x8D\xE2\x80\x8D",  // Malayalam chillus end with ZWJ
      "\xE7\xA5\x9E\xEF\xB8\x80",  // a compatibility ideograph's variant, U+FE00
  };
  ExpectTitlesAccepted(titles, "m-variant-");
}

// Review (2026-12-08): a refusal quoted the asker's type as given, and the intake logs
// refusals: a CR, an escape sequence or U+202E in it forged a line of the log.
TEST_F(StandardWorldTest, ARefusalQuotesTheAskersTextWithoutItsControlCodes) {
  const Status s = world_->Run(
      R"({"type":"x\r2027-01-01T00:00:00.000Z INFO intake accepted\u001b[2K\u202eevil","command_id":"c"})");
  EXPECT_EQ(s.reason(), "command.unknown_type") << s.ToString();
  for (size_t i = 0; i < s.message().size(); ++i) {
    EXPECT_EQ(utf8::LayoutControlLength(s.message(), i), 0u) << s.message();
  }
  EXPECT_NE(s.message().find("x\\r2027"), std::string::npos) << s.message();
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

// Commands parsed on their own, without a world: limits, nesting, duplicates and UTF-8.
constexpr const char* kCommentHead =
    R"({"type":"comment.post","command_id":"c1","workspace":"nw","actor":"pm",)"
    R"("project_id":"p","thread_id":"t","comment_id":"c",)";

std::string CommentWithBody(const std::string& body_json) {
  return kCommentHead + std::string(R"("body":)") + body_json + "}";
}

std::string ArrayOfZeros(size_t bytes) {
  std::string a = "[0";
  while (a.size() + 3 < bytes) a += ",0";
  return a + "]";
}

Status Parse(const std::string& json, const CommandLimits& limits = CommandLimits()) {
  Command command;
  return ParseCommand(json, limits, &command);
}

TEST(CommandParseTest, ACommandLargerThanItsTypeAllowsIsRefusedBeforeItIsParsed) {
  // Far below the upload limit, far above a comment's: refused for its size, not its shape.
  Status s = Parse(CommentWithBody(ArrayOfZeros(1024 * 1024)));
  EXPECT_EQ(s.reason(), "command.too_large") << s.ToString();
  EXPECT_NE(s.message().find("'comment.post'"), std::string::npos) << s.ToString();
  EXPECT_EQ(MaxCommandBytes(CommandType::kPostComment, CommandLimits()), 128u * 1024);
}

TEST(CommandParseTest, APileOfTinyValuesWithinTheSizeLimitIsRefusedByTheMemoryBudget) {
  const std::string json = CommentWithBody(ArrayOfZeros(100 * 1024));
  ASSERT_LT(json.size(), MaxCommandBytes(CommandType::kPostComment, CommandLimits()));
  Status s = Parse(json);
  EXPECT_EQ(s.reason(), "command.too_large") << s.ToString();
  EXPECT_NE(s.message().find("to parse"), std::string::npos) << s.ToString();
}

TEST(CommandParseTest, AnUploadMayBeAsLargeAsItsFileLimit) {
  CommandLimits limits;
  limits.max_file_bytes = 3 * 1024 * 1024;
  const std::string json =
      R"({"type":"file.upload","command_id":"c1","workspace":"nw","actor":"pm","project_id":"p",)"
      R"("name":"big.bin","content_base64":")" +
      std::string(limits.max_file_bytes / 3 * 4, 'A') + "\"}";
  Command command;
  Status s = ParseCommand(json, limits, &command);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(command.args.Str("content_base64").size(), limits.max_file_bytes);
}

TEST(CommandParseTest, ATextAtItsLimitFitsEvenWithEveryCharacterEscaped) {
  std::string body = "\"";
  for (size_t i = 0; i < CommandLimits().max_text_bytes; i++) body += "\\u0061";
  body += "\"";
  Command command;
  Status s = ParseCommand(CommentWithBody(body), CommandLimits(), &command);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(command.args.Str("body"), std::string(CommandLimits().max_text_bytes, 'a'));
}

TEST(CommandParseTest, NestingDeeperThanAnyCommandIsRefused) {
  const std::string deep = std::string(10, '[') + std::string(10, ']');
  Status s = Parse(kCommentHead + std::string(R"("body":"b","anchor":)") + deep + "}");
  EXPECT_EQ(s.reason(), "command.too_deep") << s.ToString();
}

TEST(CommandParseTest, AFieldGivenTwiceIsRefused) {
  // JSON parsers disagree on which copy wins; a proxy and Tandem must never read different
  // commands from the same text.
  Status s = Parse(CommentWithBody(R"("b","audience":"client","audience":"internal")"));
  EXPECT_EQ(s.reason(), "command.duplicate_field") << s.ToString();
  EXPECT_NE(s.message().find("'audience'"), std::string::npos) << s.ToString();
  s = Parse(CommentWithBody(R"("b","type":"file.upload")"));
  EXPECT_EQ(s.reason(), "command.duplicate_field") << s.ToString();
}

TEST(CommandParseTest, InvalidUtf8IsRefusedWithItsOwnReason) {
  for (const char* body : {"\"caf\xC3\"", "\"\xFF\"", "\"\xED\xA0\x80\""}) {
    Status s = Parse(CommentWithBody(body));
    EXPECT_EQ(s.reason(), "command.invalid_utf8") << s.ToString();
  }
  // An escaped lone surrogate would decode to invalid UTF-8: refused as malformed.
  Status s = Parse(CommentWithBody(R"("\ud800")"));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

TEST(CommandParseTest, MessagesQuotingTheCommandNeverSplitACharacter) {
  const std::string cut = std::string(63, 'a') + "\xC3\xA9";  // é straddles byte 64
  for (const std::string& json : {
           R"({"type":")" + cut + R"("})",
           std::string(kCommentHead) + R"("body":"b",")" + cut + R"(":1})",
           R"({"type":"milestone.plan","command_id":"c","workspace":"nw","actor":"pm",)"
           R"("project_id":"p","milestone_id":"m","title":"T","planned_date":")" +
               cut + R"("})",
       }) {
    Status s = Parse(json);
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(utf8::IsValid(s.message())) << s.ToString();
    EXPECT_NE(s.message().find(std::string(63, 'a')), std::string::npos) << s.ToString();
  }
}

}  // namespace
}  // namespace tandem::test

namespace tandem {
namespace {

TEST(PeekCommandIdTest, ReadsTheTopLevelIdWithoutParsingTheCommand) {
  std::string id;
  // Not a valid command (unknown type, no workspace), but its id is readable.
  ASSERT_TRUE(
      PeekCommandId(R"({"type":"no.such","command_id":"crm-7","x":{"command_id":"n"}})", &id));
  EXPECT_EQ(id, "crm-7");
}

TEST(PeekCommandIdTest, AnIdOnlyNestedBelowTheTopIsNoId) {
  std::string id;
  EXPECT_FALSE(PeekCommandId(R"({"type":"milestone.complete","anchor":{"command_id":"n"}})", &id));
}

TEST(PeekCommandIdTest, MalformedDuplicatedEmptyOrOverlongIdsAreNoIds) {
  std::string id;
  EXPECT_FALSE(PeekCommandId(R"({"command_id":"a")", &id));
  EXPECT_FALSE(PeekCommandId(R"({"command_id":"a","command_id":"b"})", &id));
  EXPECT_FALSE(PeekCommandId(R"({"command_id":""})", &id));
  EXPECT_FALSE(PeekCommandId(R"({"command_id":7})", &id));
  EXPECT_FALSE(PeekCommandId(R"(["command_id","a"])", &id));
  EXPECT_FALSE(PeekCommandId("{\"command_id\":\"" + std::string(129, 'a') + "\"}", &id));
  ASSERT_TRUE(PeekCommandId("{\"command_id\":\"" + std::string(128, 'a') + "\"}", &id));
  EXPECT_EQ(id.size(), 128u);
}

}  // namespace
}  // namespace tandem
