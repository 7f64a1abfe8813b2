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

TEST(SnippetTest, NoLimitKeepsTheWholeText) {
  EXPECT_EQ(Snippet("whole", std::string::npos), "whole");
}

}  // namespace
}  // namespace tandem
