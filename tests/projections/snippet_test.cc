// Snippet makes the short texts people read in feed lines and action items out of whatever text
// an event carries.
#include "snippet.h"

#include <gtest/gtest.h>

#include <string>

namespace tandem {
namespace {

TEST(SnippetTest, AShortPlainTextIsKeptAsItIs) {
  EXPECT_EQ(Snippet("Design sign-off", 20), "Design sign-off");
  EXPECT_EQ(Snippet("exactly ten", 11), "exactly ten");
  EXPECT_EQ(Snippet("", 5), "");
}

TEST(SnippetTest, ALongTextIsCutAtTheLimitAndEndsWithAnEllipsis) {
  EXPECT_EQ(Snippet("brand guide not received yet", 11), "brand guide\xE2\x80\xA6");
  EXPECT_EQ(Snippet(std::string(1 << 20, 'a'), 3), "aaa\xE2\x80\xA6");
}

TEST(SnippetTest, ControlCharactersBecomeSpaces) {
  EXPECT_EQ(Snippet("line one\nline\ttwo\x7F", 40), "line one line two ");
}

// Found in review (2026-12-07): a client's card title holding U+0085 showed as a line of its own
// in the firm's feed, one holding U+202E turned the rest of the line around.
TEST(SnippetTest, UnicodeLineBreaksAndBidirectionalOverridesBecomeSpaces) {
  EXPECT_EQ(Snippet("Logo\xC2\x85"
                    "Ben completed *Launch*",
                    80),
            "Logo Ben completed *Launch*");
  EXPECT_EQ(Snippet("a\xE2\x80\xA8"
                    "b\xE2\x80\xAE"
                    "cd\xE2\x81\xA6"
                    "e",
                    80),
            "a b cd e");
  EXPECT_EQ(Snippet("\xE2\x80\xAE\xE2\x80\xAE"
                    "abc",
                    3),
            "  a\xE2\x80\xA6");  // one character each
  EXPECT_EQ(Snippet("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x80\x8F", 80),
            "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x80\x8F");  // Hebrew and its mark stay
}

TEST(SnippetTest, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  EXPECT_EQ(Snippet("ok \xFF!", 10), "ok \xEF\xBF\xBD!");
}

TEST(SnippetTest, ACutNeverSplitsACharacter) {
  EXPECT_EQ(Snippet("caf\xC3\xA9 cr\xC3\xA8me", 4), "caf\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(Snippet("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 1), "\xF0\x9F\x98\x80\xE2\x80\xA6");
}

// A plain start decides nothing about what follows the cut.
TEST(SnippetTest, TextPastTheCutDoesNotMatter) {
  EXPECT_EQ(Snippet("abcd\xFF\n\xC3", 3), "abc\xE2\x80\xA6");
  EXPECT_EQ(Snippet("abc\xC3\xA9", 3), "abc\xE2\x80\xA6");
}

// Review (2026-12-08): names written before the domain refused them, and comment bodies, may
// hold characters that show nothing: a line of the feed must not carry a look-alike of a name
// or text hidden in tag characters.
TEST(SnippetTest, CharactersThatShowNothingAreLeftOut) {
  EXPECT_EQ(Snippet("Ben\xE2\x80\x8B moved it", 80), "Ben moved it");
  EXPECT_EQ(Snippet("ok\xF3\xA0\x81\xA8\xF3\xA0\x81\xA9", 80), "ok");  // tags "hi"
  EXPECT_EQ(Snippet("a\xC2\xAD\xC2\xAD\xC2\xAD"
                    "bcd",
                    3),
            "abc\xE2\x80\xA6");  // not counted
}

// A flag or an emoji with its selector is one character, never cut apart.
TEST(SnippetTest, AFlagOrAnEmojiWithItsSelectorIsOneCharacter) {
  const std::string scotland =
      "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xB3\xF3\xA0\x81\xA3"
      "\xF3\xA0\x81\xB4\xF3\xA0\x81\xBF";
  EXPECT_EQ(Snippet(scotland + "x", 1), scotland + "\xE2\x80\xA6");
  EXPECT_EQ(Snippet("1\xEF\xB8\x8F\xE2\x83\xA3x", 1), "1\xEF\xB8\x8F\xE2\x83\xA3\xE2\x80\xA6");
  EXPECT_EQ(Snippet("\xE2\x9D\xA4\xEF\xB8\x8F!", 1), "\xE2\x9D\xA4\xEF\xB8\x8F\xE2\x80\xA6");
}

// Review (2026-12-08): characters left out filled the window, whose byte cut then split a
// character that shows into U+FFFD, or a flag from its tags.
TEST(SnippetTest, AWindowFullOfInvisibleCharactersNeverSplitsOneThatShows) {
  std::string zwsp;
  for (int i = 0; i < 130; ++i) zwsp += "\xE2\x80\x8B";
  const std::string scotland =
      "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xB3\xF3\xA0\x81\xA3"
      "\xF3\xA0\x81\xB4\xF3\xA0\x81\xBF";
  for (int shift = 0; shift < 40; ++shift) {
    for (const std::string& shown : {std::string("\xF0\x9F\x98\x80"), scotland}) {
      const std::string line =
          Snippet("a" + std::string(shift, 'b') + zwsp + shown + std::string(1000, 'c'), 10);
      EXPECT_EQ(line.find("\xEF\xBF\xBD"), std::string::npos) << shift;
      const size_t flag = line.find("\xF0\x9F\x8F\xB4");
      EXPECT_TRUE(flag == std::string::npos || line.compare(flag, scotland.size(), scotland) == 0)
          << shift;
    }
  }
}

// Third review (2026-12-08): what people see as one character is never cut apart: a country's
// flag, a skin tone, a combining accent, a ZWJ sequence.
TEST(SnippetTest, ACutKeepsWhatPeopleSeeAsOneCharacter) {
  const std::string ukraine = "\xF0\x9F\x87\xBA\xF0\x9F\x87\xA6";
  const std::string woman_tone = "\xF0\x9F\x91\xA9\xF0\x9F\x8F\xBD";
  const std::string e_acute = "e\xCC\x81";
  const std::string family =
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
  for (const std::string& one : {ukraine, woman_tone, e_acute, family}) {
    EXPECT_EQ(Snippet(one + ukraine, 1), one + "\xE2\x80\xA6");
  }
}

// Third review: a window ending inside England's tags kept a bare black flag.
TEST(SnippetTest, AFlagAtTheWindowsEndIsNeverShownWithoutItsTags) {
  const std::string england =
      "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5\xF3\xA0\x81\xAE"
      "\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF";
  for (int zwsp = 0; zwsp < 40; ++zwsp) {
    std::string text;
    for (int i = 0; i < zwsp; ++i) text += "\xE2\x80\x8B";
    text += england + std::string(1000, 'x');
    for (size_t max : {1, 2, 3}) {
      const std::string line = Snippet(text, max);
      const size_t flag = line.find("\xF0\x9F\x8F\xB4");
      EXPECT_TRUE(flag == std::string::npos || line.compare(flag, england.size(), england) == 0)
          << zwsp << " " << max;
    }
  }
}

// A long text of characters that show nothing costs what any long text does, and its snippet
// says that it goes on.
TEST(SnippetTest, ALongRunOfInvisibleCharactersEndsWithAnEllipsis) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "\xE2\x80\x8B";
  EXPECT_EQ(Snippet(text + "visible", 80), "\xE2\x80\xA6");
}

TEST(SnippetTest, NoLimitKeepsTheWholeText) {
  EXPECT_EQ(Snippet("whole", std::string::npos), "whole");
}

}  // namespace
}  // namespace tandem
