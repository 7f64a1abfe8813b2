#include "snippet.h"

#include "tandem/basics/utf8.h"
#include "tandem/basics/visible_text.h"

namespace tandem {

namespace {

// Bytes that are each a character of their own and shown as they are: most texts are only these
// (ids, dates, titles), and their snippet is their first max_chars bytes.
bool PrintableAscii(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

bool In(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

// Combining marks of the general blocks and of Hebrew and Arabic (not every script's: a cut may
// still fall inside an Indic cluster).
bool IsCombining(char32_t c) {
  return In(c, 0x300, 0x36F) || In(c, 0x591, 0x5C7) || In(c, 0x610, 0x61A) || In(c, 0x64B, 0x65F) ||
         c == 0x670 || In(c, 0x6D6, 0x6ED) || In(c, 0x1AB0, 0x1AFF) || In(c, 0x1DC0, 0x1DFF) ||
         In(c, 0x20D0, 0x20FF) || In(c, 0xFE20, 0xFE2F);
}

// Counts what people see as one character (about Unicode's grapheme clusters): a unit joins the
// one before it when it is a combining mark, a skin tone, a joiner or a direction mark, what a
// ZWJ joins, or the second of two regional indicators (a country's flag).
class Characters {
 public:
  bool Starts(const visible_text::Unit& u) {
    const char32_t c = u.first;
    const bool regional = In(c, 0x1F1E6, 0x1F1FF);
    const bool joins = u.look == visible_text::Look::kMark || after_joiner_ || IsCombining(c) ||
                       In(c, 0x1F3FB, 0x1F3FF) || (regional && open_flag_);
    open_flag_ = regional && !open_flag_;
    after_joiner_ = c == 0x200D && u.look == visible_text::Look::kMark;
    return !joins;
  }

 private:
  bool after_joiner_ = false;
  bool open_flag_ = false;  // the last unit was a regional indicator that starts a flag
};

}  // namespace

std::string Snippet(std::string_view text, size_t max_chars) {
  const std::string_view head = max_chars < text.size() ? text.substr(0, max_chars + 1) : text;
  if (PrintableAscii(head)) {
    if (head.size() <= max_chars) return std::string(head);
    return std::string(head.substr(0, max_chars)) + "\xE2\x80\xA6";
  }
  // Only the first max_chars + 1 characters matter, and the units they start with lie within
  // kMaxUnitBytes each: a comment of megabytes costs what a short one does. The window is cut
  // between characters (a cut inside one would read as U+FFFD), and a unit that starts in its
  // last kMaxUnitBytes may lack what belongs to it (a flag's tags, a selector): the window stops
  // before it. Characters left out take room in the window too: a window that ends before
  // max_chars + 1 characters showed ends with "…".
  constexpr size_t kMaxUnitBytes = 28;  // a flag: U+1F3F4, five tags and CANCEL TAG
  const size_t whole_units = text.size() / kMaxUnitBytes;
  const bool cut = whole_units > 2 && max_chars < whole_units - 2;  // the window < the text
  const std::string clean =
      utf8::Sanitize(cut ? utf8::Prefix(text, kMaxUnitBytes * (max_chars + 2)) : text);
  std::string out;
  out.reserve(clean.size() < 4 * max_chars ? clean.size() : 4 * max_chars);
  size_t chars = 0;
  Characters characters;
  visible_text::Units units(clean);
  for (visible_text::Unit u; units.Next(&u);) {
    if (cut && u.offset + kMaxUnitBytes > clean.size()) break;
    // The domain refuses what follows in names, and tags in texts too, but events written past
    // its rules, or before it did, may hold them. A character that shows nothing is left out
    // (a name that looks like another, hidden text); a control (a C1 one, a line separator, a
    // bidirectional override) is a space: in a line it could make a second line or turn the
    // rest of the line around.
    if (u.look == visible_text::Look::kInvisible || u.look == visible_text::Look::kHiddenText) {
      continue;
    }
    if (characters.Starts(u) && chars++ == max_chars) return out + "\xE2\x80\xA6";  // "…"
    if (utf8::LayoutControlLength(clean, u.offset) > 0) {
      out += ' ';
    } else {
      out.append(clean, u.offset, u.length);
    }
  }
  return cut ? out + "\xE2\x80\xA6" : out;
}

}  // namespace tandem
