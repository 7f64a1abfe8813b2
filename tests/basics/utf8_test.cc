// UTF-8 checks: what input is refused, and how text is cut for messages.
#include "tandem/basics/utf8.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(Utf8Test, WellFormedTextIsValid) {
  for (const char* s :
       {"", "plain ascii, long enough to take the eight-byte path", "caf\xC3\xA9",
        "\xE2\x82\xAC 20", "\xF0\x9F\x98\x80", "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(utf8::IsValid(s)) << s;
  }
}

TEST(Utf8Test, MalformedTextIsInvalidAtItsFirstBadByte) {
  struct Case {
    std::string text;
    size_t offset;
  };
  for (const Case& c : std::vector<Case>{
           {"abc\x80", 3},                // stray continuation byte
           {"ab\xC3", 2},                 // truncated two-byte character
           {"\xC0\xAF", 0},               // overlong '/'
           {"\xE0\x80\xAF", 0},           // overlong three-byte
           {"\xED\xA0\x80", 0},           // UTF-16 surrogate
           {"\xF4\x90\x80\x80", 0},       // above U+10FFFF
           {"\xF5\x80\x80\x80", 0},       // never a lead byte
           {"0123456789abcdef\xFF", 16},  // after the ASCII fast path
           {"caf\xC3\xA9 \xE2\x82", 6},   // truncated after a good character
       }) {
    size_t offset = 99;
    EXPECT_FALSE(utf8::IsValid(c.text, &offset)) << c.text;
    EXPECT_EQ(offset, c.offset) << c.text;
  }
}

TEST(Utf8Test, PrefixNeverSplitsACharacter) {
  const std::string text = std::string(63, 'a') + "\xC3\xA9" + "z";
  EXPECT_EQ(utf8::Prefix(text, 64), std::string(63, 'a'));
  EXPECT_EQ(utf8::Prefix(text, 65), std::string(63, 'a') + "\xC3\xA9");
  EXPECT_EQ(utf8::Prefix("\xF0\x9F\x98\x80", 3), "");
  EXPECT_EQ(utf8::Prefix("short", 64), "short");
  for (size_t n = 0; n <= text.size(); n++) EXPECT_TRUE(utf8::IsValid(utf8::Prefix(text, n))) << n;
}

TEST(Utf8Test, SanitizeReplacesEachBadByteAndKeepsGoodText) {
  EXPECT_EQ(utf8::Sanitize("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(utf8::Sanitize("a\xC3"
                           "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(utf8::Sanitize("\xFF\xFE"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(utf8::IsValid(utf8::Sanitize("\xED\xA0\x80 \xF4\x90")));
}

TEST(Utf8Test, LayoutControlsAreControlsSeparatorsAndBidirectionalOverrides) {
  for (const std::string c :
       {"\x01", "\n", "\x7F", "\xC2\x85", "\xC2\x9F", "\xE2\x80\xA8", "\xE2\x80\xA9",
        "\xE2\x80\xAA", "\xE2\x80\xAE", "\xE2\x81\xA6", "\xE2\x81\xA9"}) {
    EXPECT_EQ(utf8::LayoutControlLength("a" + c + "b", 1), c.size()) << c;
  }
  // Letters of any script, a no-break space, the marks that right-to-left text needs (U+200E,
  // U+200F) and the characters next to the controls' ranges are text.
  for (const std::string t :
       {"a", "\xC2\xA0", "\xC3\xA9", "\xD7\x90", "\xD8\xB9", "\xE2\x80\x8E", "\xE2\x80\x8F",
        "\xE2\x80\xA7", "\xE2\x80\xAF", "\xE2\x81\xA5", "\xE2\x81\xAA", "\xF0\x9F\x98\x80"}) {
    EXPECT_EQ(utf8::LayoutControlLength(t, 0), 0u) << t;
  }
  EXPECT_EQ(utf8::LayoutControlLength("\xE2\x80", 0), 0u);  // cut short
  EXPECT_EQ(utf8::LayoutControlLength("ab", 2), 0u);        // past the end
}

// Review (2026-12-08): a refused command's type was logged as given, so a CR, an ANSI escape
// or U+202E in it forged a line of the log or turned it around.
TEST(Utf8Test, PrintableEscapesWhatWouldBreakOrTurnTheLine) {
  EXPECT_EQ(utf8::Printable("a\r2027 INFO forged\x1b[2K"), "a\\r2027 INFO forged\\x1b[2K");
  EXPECT_EQ(utf8::Printable("x\ny\tz"), "x\\ny\\tz");
  EXPECT_EQ(utf8::Printable("\xE2\x80\xAE"
                            "evil\xC2\x85"),
            "\\u202eevil\\u0085");
  EXPECT_EQ(utf8::Printable("C:\\n"), "C:\\\\n");  // unlike an escape made here
  EXPECT_EQ(utf8::Printable("bad \xFF"), "bad \xEF\xBF\xBD");
  EXPECT_EQ(utf8::Printable("caf\xC3\xA9 \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

// Review (2026-12-08): tag characters and zero-width ones passed into log lines as they were.
TEST(Utf8Test, PrintableShowsWhatShowsNothingAsEscapes) {
  EXPECT_EQ(utf8::Printable("Ben\xF3\xA0\x81\xA8\xE2\x80\x8B\xE2\x80\x8F"),
            "Ben\\u{e0068}\\u200b\\u200f");
  EXPECT_EQ(utf8::Printable("a\\r", SIZE_MAX, /*escape_backslash=*/false), "a\\r");
  EXPECT_EQ(utf8::Printable("Ben\xE2\xA0\x80 \xE2\x88\x91\xEF\xB8\x85"),
            "Ben\\u2800 \xE2\x88\x91\\ufe05");
}

TEST(Utf8Test, PrintableCutsBetweenCharactersAndSaysHowLongTheTextWas) {
  const std::string text = std::string(10, 'a') + "\xC3\xA9\xC3\xA9";
  EXPECT_EQ(utf8::Printable(text, 11), std::string(10, 'a') + "\xC3\xA9... (14 bytes)");
  EXPECT_EQ(utf8::Printable(text), text);
}

}  // namespace
}  // namespace tandem
