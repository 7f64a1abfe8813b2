#include "tandem/basics/visible_text.h"

#include <cstdint>

#include "tandem/basics/utf8.h"

namespace tandem::visible_text {
namespace {

constexpr char32_t kNone = 0xFFFFFFFF;

// The character at s[i] and its length; a byte that starts no character (the input is meant to
// be valid) reads as a character of its own, so a scan always moves on.
char32_t Decode(std::string_view s, size_t i, size_t* length) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  size_t n = b0 < 0x80 ? 1 : b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (n == 0 || s.size() - i < n) {
    *length = 1;
    return kNone;
  }
  char32_t c = n == 1 ? b0 : b0 & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      *length = 1;
      return kNone;
    }
    c = (c << 6) | (byte(i + k) & 0x3F);
  }
  *length = n;
  return c;
}

bool In(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

bool IsSpace(char32_t c) {
  return In(c, 0x09, 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         In(c, 0x2000, 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x2800 || c == 0x3000;
}

bool IsMark(char32_t c) { return In(c, 0x200C, 0x200F) || c == 0x061C; }

bool IsTag(char32_t c) { return In(c, 0xE0000, 0xE007F); }

bool IsInvisible(char32_t c) {
  return c == 0xAD || c == 0x34F || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5 ||
         In(c, 0x180B, 0x180F) || c == 0x200B || In(c, 0x2060, 0x2065) || In(c, 0x206A, 0x206F) ||
         c == 0x3164 || In(c, 0xFE00, 0xFE0F) || c == 0xFEFF || c == 0xFFA0 ||
         In(c, 0xFFF0, 0xFFFB) || In(c, 0x1BCA0, 0x1BCA3) || In(c, 0x1D173, 0x1D17A) ||
         In(c, 0xE0080, 0xE0FFF);
}

bool IsCjkIdeograph(char32_t c) {
  return In(c, 0x3400, 0x4DBF) || In(c, 0x4E00, 0x9FFF) || In(c, 0xF900, 0xFAFF) ||
         In(c, 0x20000, 0x3FFFF);
}

bool IsMongolianLetter(char32_t c) { return In(c, 0x1820, 0x1878) || In(c, 0x1880, 0x18AA); }

bool IsKeycapBase(char32_t c) { return In(c, '0', '9') || c == '#' || c == '*'; }

// Symbols and emoji that have a text and an emoji presentation (Unicode's
// emoji-variation-sequences, by block): arrows, technical and geometric symbols, dingbats,
// the emoji blocks; not letters, CJK or combining marks.
bool TakesPresentationSelector(char32_t c) {
  return IsKeycapBase(c) || c == 0xA9 || c == 0xAE || c == 0x203C || c == 0x2049 ||
         In(c, 0x2100, 0x2BFF) || c == 0x3030 || c == 0x303D || c == 0x3297 || c == 0x3299 ||
         In(c, 0x1F000, 0x1FAFF);
}

// Whether `selector` may follow `base` (Unicode's standardized and emoji variation sequences,
// by range): U+FE0E/U+FE0F after a symbol or emoji that has both presentations, U+FE00 after a
// digit zero, U+FE00-U+FE0D after Myanmar letters, mathematical operators and Phags-pa, the
// ideographic selectors and U+FE00-U+FE02 (the compatibility ideographs' variants) after a CJK
// ideograph, the Mongolian ones after a Mongolian letter.
bool SelectsVariantOf(char32_t base, char32_t selector) {
  if (selector == 0xFE0E || selector == 0xFE0F) return TakesPresentationSelector(base);
  if (selector == 0xFE00 && base == '0') return true;
  if (In(selector, 0xFE00, 0xFE0D) && (In(base, 0x1000, 0x109F) || In(base, 0x2200, 0x22FF) ||
                                       In(base, 0x2A00, 0x2AFF) || In(base, 0xA840, 0xA877))) {
    return true;
  }
  if (In(selector, 0xE0100, 0xE01EF) || In(selector, 0xFE00, 0xFE02)) {
    if (IsCjkIdeograph(base)) return true;
  }
  if (In(selector, 0x180B, 0x180D) || selector == 0x180F) return IsMongolianLetter(base);
  return false;
}

}  // namespace

bool IsVariationSelector(char32_t c) {
  return In(c, 0xFE00, 0xFE0F) || In(c, 0xE0100, 0xE01EF) || In(c, 0x180B, 0x180D) || c == 0x180F;
}

namespace {

// The length of the tags from s[i] (after U+1F3F4) when they spell one of the subdivision flags
// Unicode recommends (England, Scotland, Wales), else 0: any other tags would carry hidden text
// under the look of a black flag.
size_t FlagTagsLength(std::string_view s, size_t i) {
  static constexpr std::string_view kFlags[] = {"gbeng", "gbsct", "gbwls"};
  std::string spelled;
  for (size_t at = i; at < s.size() && spelled.size() <= 5;) {
    size_t n = 0;
    const char32_t c = Decode(s, at, &n);
    if (c == 0xE007F) {
      for (std::string_view flag : kFlags) {
        if (spelled == flag) return at + n - i;
      }
      return 0;
    }
    if (!In(c, 0xE0061, 0xE007A)) return 0;
    spelled += static_cast<char>(c - 0xE0000);
    at += n;
  }
  return 0;
}

}  // namespace

bool Units::Next(Unit* unit) {
  if (at_ >= text_.size()) return false;
  unit->offset = at_;
  // The character at `at`, kNone past the end.
  const auto peek = [&](size_t at, size_t* n) {
    *n = 0;
    return at < text_.size() ? Decode(text_, at, n) : kNone;
  };

  size_t n = 0, m = 0;
  const char32_t c = peek(at_, &n);
  size_t length = n;
  Look look = Look::kShown;
  if (utf8::LayoutControlLength(text_, at_) > 0 || IsSpace(c)) {
    look = Look::kSpace;
  } else if (IsMark(c)) {
    // A joiner follows what it joins (a Malayalam chillu ends its word with one); a direction
    // mark stands alone. Anywhere else, or in a run, they only make a name another.
    const bool joiner = c == 0x200C || c == 0x200D;
    look = (joiner ? last_ == Look::kShown : last_ != Look::kMark) ? Look::kMark : Look::kInvisible;
  } else if (IsTag(c)) {
    look = Look::kHiddenText;
  } else if (IsInvisible(c)) {
    look = Look::kInvisible;
  } else if (c == 0x1F3F4) {
    length += FlagTagsLength(text_, at_ + length);
  } else {
    // What belongs to this character is part of it: a selector it takes (and a keycap's
    // U+20E3 after it), or a Mongolian vowel separator between two letters.
    const char32_t next = peek(at_ + length, &m);
    if (IsVariationSelector(next) && SelectsVariantOf(c, next)) {
      length += m;
      if (IsKeycapBase(c) && peek(at_ + length, &m) == 0x20E3) length += m;
    } else if (next == 0x180E && IsMongolianLetter(c)) {
      size_t k = 0;
      if (IsMongolianLetter(peek(at_ + length + m, &k))) length += m;
    }
  }
  unit->length = length;
  unit->look = look;
  unit->first = c;
  last_ = look;
  at_ += length;
  return true;
}

bool Has(std::string_view text, Look look) {
  // Every tag starts with the byte F3: a comment of 16 KB without one is not read character by
  // character (the domain asks this of every text).
  if (look == Look::kHiddenText && text.find('\xF3') == std::string_view::npos) return false;
  Units units(text);
  for (Unit u; units.Next(&u);) {
    if (u.look == look) return true;
  }
  return false;
}

bool LooksBlank(std::string_view text) {
  Units units(text);
  for (Unit u; units.Next(&u);) {
    if (u.look == Look::kShown) return false;
  }
  return true;
}

std::string Key(std::string_view text) {
  std::string key;
  key.reserve(text.size());
  bool space = false;
  Units units(text);
  for (Unit u; units.Next(&u);) {
    if (u.look == Look::kSpace) {
      space = !key.empty();
    } else if (u.look == Look::kShown) {
      if (space) key += ' ';
      space = false;
      for (size_t i = u.offset; i < u.offset + u.length;) {
        size_t n = 0;
        if (!IsVariationSelector(Decode(text, i, &n))) key.append(text.substr(i, n));
        i += n;
      }
    }
  }
  return key;
}

}  // namespace tandem::visible_text
