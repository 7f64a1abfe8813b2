// What a reader sees of a name or a text. Some characters show nothing: two names that differ
// only by them look the same ("Ben" and "Ben" followed by U+200B), a name made of them looks
// empty, and tag characters carry text that tools read and people do not see. The domain's rules
// on names and texts, and the views that show text written before those rules, ask here.
//
// Text is read in units: a character, or a character with what belongs to it. A variation
// selector belongs to a character it can change (Unicode's standardized and emoji variation
// sequences, by range: U+FE0E/U+FE0F to a symbol or emoji with two presentations or a keycap's
// digit, with the keycap's U+20E3; an ideographic one to a CJK ideograph; a Mongolian one to a
// Mongolian letter); a Mongolian vowel separator between two Mongolian letters belongs to the
// first; tag characters belong to U+1F3F4 when they spell one of the subdivision flags Unicode
// recommends (England, Scotland, Wales). Anywhere else they show nothing, and so does a joiner
// or a direction mark that does not follow a character that shows (at the start, after a space,
// after another mark: a run of marks could carry hidden bits).
//
// Input must be valid UTF-8 (utf8::IsValid).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tandem::visible_text {

enum class Look {
  kShown,
  // White space (Unicode's White_Space, U+2800 BRAILLE PATTERN BLANK), line breaks and the
  // other layout controls (utf8::LayoutControlLength).
  kSpace,
  // Joiners after a character that shows, and direction marks not after another mark (U+200C,
  // U+200D, U+200E, U+200F, U+061C): they show nothing but names need them (Persian and Indic
  // names, Malayalam chillus, emoji sequences, right-to-left text).
  kMark,
  // Shows nothing and no name needs it: U+00AD, U+034F, the Hangul fillers, U+17B4, U+17B5,
  // U+180E, U+200B, U+2060-U+2065, U+206A-U+206F, U+FEFF, U+FFF0-U+FFFB, U+1BCA0-U+1BCA3,
  // U+1D173-U+1D17A, U+E0080-U+E0FFF, and variation selectors and joiners that belong to
  // nothing.
  kInvisible,
  // Tag characters (U+E0000-U+E007F) outside a flag: hidden text.
  kHiddenText,
};

struct Unit {
  size_t offset = 0;
  size_t length = 0;
  Look look = Look::kShown;
  char32_t first = 0;  // its first character
};

// A variation selector (U+FE00-U+FE0F, U+E0100-U+E01EF, the Mongolian ones).
bool IsVariationSelector(char32_t c);

// The units of `text`, front to back.
class Units {
 public:
  explicit Units(std::string_view text) : text_(text) {}
  // The next unit, or false at the end.
  bool Next(Unit* unit);

 private:
  std::string_view text_;
  size_t at_ = 0;
  Look last_ = Look::kSpace;  // what came before: a joiner at the start joins nothing
};

// True when some unit of `text` looks as `look`.
bool Has(std::string_view text, Look look);

// True when nothing of `text` shows: every unit is white space, a mark or invisible.
bool LooksBlank(std::string_view text);

// What shows of `text`, for telling two names apart: invisible units, hidden text, marks and
// variation selectors left out, each run of white space one space, none at either end. Two
// names with the same key look the same.
std::string Key(std::string_view text);

}  // namespace tandem::visible_text
