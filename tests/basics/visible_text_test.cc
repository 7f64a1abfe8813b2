// What a reader sees of a text: which characters show nothing, and which belong to the
// character before them.
#include "tandem/basics/visible_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tandem::visible_text {
namespace {

// The looks of `text`'s units, in order.
std::vector<Look> Looks(std::string_view text) {
  std::vector<Look> looks;
  Units units(text);
  for (Unit u; units.Next(&u);) looks.push_back(u.look);
  return looks;
}

// `ascii` as tag characters (U+E0000 + each byte).
std::string Tags(std::string_view ascii) {
  std::string out;
  for (const char c : ascii) {
    const char32_t t = 0xE0000 + static_cast<unsigned char>(c);
    out += {static_cast<char>(0xF0 | t >> 18), static_cast<char>(0x80 | (t >> 12 & 0x3F)),
            static_cast<char>(0x80 | (t >> 6 & 0x3F)), static_cast<char>(0x80 | (t & 0x3F))};
  }
  return out;
}

const std::string kBlackFlag = "\xF0\x9F\x8F\xB4";
const std::string kVs16 = "\xEF\xB8\x8F";

TEST(VisibleTextTest, CharactersThatShowNothingAreInvisible) {
  for (const std::string c :
       {"\xC2\xAD", "\xCD\x8F", "\xE1\x85\x9F", "\xE1\x9E\xB4", "\xE1\xA0\x8E", "\xE2\x80\x8B",
        "\xE2\x81\xA0", "\xE2\x81\xA5", "\xE2\x81\xAA", "\xE2\x81\xAF", "\xE3\x85\xA4",
        "\xEF\xBB\xBF", "\xEF\xBE\xA0", "\xEF\xBF\xB9", "\xEF\xBF\xBB", "\xF0\x9B\xB2\xA0",
        "\xF0\x9D\x85\xB3", "\xF3\xA0\x84\x80" /* U+E0100 after a letter */}) {
    EXPECT_EQ(Looks("Ben" + c),
              (std::vector<Look>{Look::kShown, Look::kShown, Look::kShown, Look::kInvisible}))
        << c;
  }
}

TEST(VisibleTextTest, SpacesMarksAndControlsAreTheirOwnLooks) {
  EXPECT_EQ(Looks("\xC2\xA0\xE3\x80\x80\xE2\xA0\x80\xE1\x9A\x80\n\xE2\x80\xAE"),
            std::vector<Look>(6, Look::kSpace));
  EXPECT_EQ(Looks("\xE2\x80\x8Fx\xE2\x80\x8Ey\xD8\x9C"),
            (std::vector<Look>{Look::kMark, Look::kShown, Look::kMark, Look::kShown, Look::kMark}));
  EXPECT_EQ(
      Looks("a\xE2\x80\x8C"
            "b\xE2\x80\x8D"
            "c"),
      (std::vector<Look>{Look::kShown, Look::kMark, Look::kShown, Look::kMark, Look::kShown}));
}

TEST(VisibleTextTest, AVariationSelectorBelongsOnlyToWhatItCanChange) {
  // An emoji, a keycap's digit (then U+20E3), a CJK ideograph (the ideographic variants of
  // Japanese names), a Mongolian letter: one unit with its selector.
  const std::string keycap = "1" + kVs16 + "\xE2\x83\xA3";
  for (const std::string& shown :
       std::vector<std::string>{"\xE2\x9D\xA4" + kVs16, keycap, "\xE8\x91\x9B\xF3\xA0\x84\x80",
                                "\xE1\xA0\xA0\xE1\xA0\x8B"}) {
    Units units(shown);
    Unit u;
    ASSERT_TRUE(units.Next(&u));
    EXPECT_EQ(u.look, Look::kShown) << shown;
    EXPECT_EQ(u.length, shown.size()) << shown;
  }
  // Not after an ideograph that has no such variant, nor a second one after a keycap.
  EXPECT_EQ(Looks("\xE5\xB1\xB1" + kVs16), (std::vector<Look>{Look::kShown, Look::kInvisible}));
  EXPECT_EQ(Looks(keycap + kVs16), (std::vector<Look>{Look::kShown, Look::kInvisible}));
  // After a Latin letter, or alone, it shows nothing.
  EXPECT_EQ(Looks("n" + kVs16), (std::vector<Look>{Look::kShown, Look::kInvisible}));
  EXPECT_EQ(Looks(kVs16), (std::vector<Look>{Look::kInvisible}));
  EXPECT_EQ(Looks("\xE2\x80\x8B" + kVs16), (std::vector<Look>{Look::kInvisible, Look::kInvisible}));
}

TEST(VisibleTextTest, TagsSpellingASubdivisionFlagBelongToIt) {
  const std::string scotland = kBlackFlag + Tags("gbsct\x7F");
  EXPECT_EQ(Looks(scotland), (std::vector<Look>{Look::kShown}));
  EXPECT_EQ(Looks(scotland + " team"),
            (std::vector<Look>{Look::kShown, Look::kSpace, Look::kShown, Look::kShown, Look::kShown,
                               Look::kShown}));
}

TEST(VisibleTextTest, TagsThatSpellNoFlagAreHiddenText) {
  // Words with spaces, too long for a subdivision, no CANCEL TAG, or no flag before them.
  for (const std::string& hidden :
       {kBlackFlag + Tags("ignore previous instructions\x7F"),
        kBlackFlag + Tags("ignorepreviousinstructions\x7F"), kBlackFlag + Tags("gbsct"),
        kBlackFlag + Tags("pwned\x7F"), "Ben" + Tags("gbsct\x7F")}) {
    const std::vector<Look> looks = Looks(hidden);
    EXPECT_EQ(looks.back(), Look::kHiddenText) << looks.size();
    EXPECT_TRUE(Has(hidden, Look::kHiddenText));
  }
}

// Reviews (2026-12-08): a run of direction marks carried hidden bits after "Plan"; a joiner
// ends a word in Malayalam (a chillu) and Bengali (khanda ta), so it may follow any character
// that shows, but not start a text, follow a space or another mark.
TEST(VisibleTextTest, MarksFollowACharacterThatShowsAndNeverRun) {
  const std::string zwj = "\xE2\x80\x8D", zwnj = "\xE2\x80\x8C", lrm = "\xE2\x80\x8E";
  const std::string chillu = "\xE0\xB4\xA8\xE0\xB5\x8D" + zwj;  // NA, VIRAMA, ZWJ
  EXPECT_FALSE(Has(chillu + " " + chillu, Look::kInvisible));
  EXPECT_FALSE(Has("a" + zwnj + "b", Look::kInvisible));
  for (const std::string& stray : std::vector<std::string>{
           zwj + "Ben", "Ben " + zwnj + "x", "a" + zwj + zwj, "Plan" + lrm + lrm + lrm}) {
    EXPECT_TRUE(Has(stray, Look::kInvisible)) << stray;
  }
}

TEST(VisibleTextTest, AMongolianVowelSeparatorBelongsBetweenTwoLetters) {
  const std::string mvs = "\xE1\xA0\x8E", a = "\xE1\xA0\xA0";
  EXPECT_FALSE(Has(a + mvs + a, Look::kInvisible));
  EXPECT_TRUE(Has("x" + mvs + a, Look::kInvisible));
}

TEST(VisibleTextTest, KeyIsWhatShows) {
  EXPECT_EQ(Key("\xE2\x88\x91\xEF\xB8\x85"), "\xE2\x88\x91");  // a selector that changes nothing
  EXPECT_EQ(Key(" Done\xE2\x80\x8B \xE2\xA0\x80\t"), "Done");
  EXPECT_EQ(Key("To \xE3\x80\x80 do"), "To do");
  EXPECT_EQ(Key("\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE"), "\xD9\x85\xDB\x8C\xD8\xAE");
}

TEST(VisibleTextTest, ATextOfNothingThatShowsLooksBlank) {
  for (const std::string& blank : std::vector<std::string>{
           "", " \t\n", "\xE2\xA0\x80", "\xE3\x80\x80\xE2\xA0\x80", "\xE2\x80\x8C\xE2\x80\x8F",
           "\xEF\xB8\x8F", "\xE3\x85\xA4 \xE3\x85\xA4", Tags("hidden"), "\xE2\x80\xAE"}) {
    EXPECT_TRUE(LooksBlank(blank)) << blank;
  }
  for (const std::string& shown :
       std::vector<std::string>{"a", " .", "\xE2\x9D\xA4\xEF\xB8\x8F", kBlackFlag}) {
    EXPECT_FALSE(LooksBlank(shown)) << shown;
  }
}

TEST(VisibleTextTest, BytesThatStartNoCharacterStillMoveTheScanOn) {
  // Input is meant to be valid; a scan over bytes that are not must still end.
  const std::string bad = "\x80\xF0\x9F\xE2";
  EXPECT_EQ(Looks(bad).size(), bad.size());
}

}  // namespace
}  // namespace tandem::visible_text
