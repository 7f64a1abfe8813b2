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

// The variation selectors that may follow `base`: U+FE0E/U+FE0F after a symbol or an emoji
// (from U+00A9, not letters of the Latin, Greek and Cyrillic blocks), the ideographic ones
// after a CJK ideograph, the Mongolian ones after a Mongolian letter. A keycap's digit, # and *
// are checked by the caller, which sees U+20E3 after the selector.
bool SelectsVariantOf(char32_t base, char32_t selector) {
  if (selector == 0xFE0E || selector == 0xFE0F) {
    return (base >= 0x2000 || base == 0xA9 || base == 0xAE) && !IsSpace(base) && !IsMark(base) &&
           !IsInvisible(base) && !IsTag(base);
  }
  if (In(selector, 0xFE00, 0xFE0D)) return base >= 0x2000 && !IsInvisible(base) && !IsSpace(base);
  if (In(selector, 0xE0100, 0xE01EF)) return IsCjkIdeograph(base);
  if (In(selector, 0x180B, 0x180D) || selector == 0x180F) return In(base, 0x1820, 0x18AA);
  return false;
}

bool IsSelector(char32_t c) {
  return In(c, 0xFE00, 0xFE0F) || In(c, 0xE0100, 0xE01EF) || In(c, 0x180B, 0x180D) || c == 0x180F;
}

// The length of a subdivision flag's tags from s[i] (after U+1F3F4), or 0 when they spell none.
size_t FlagTagsLength(std::string_view s, size_t i) {
  size_t letters = 0;
  for (size_t at = i; at < s.size();) {
    size_t n = 0;
    const char32_t c = Decode(s, at, &n);
    if (c == 0xE007F) return letters >= 2 && letters <= 7 ? at + n - i : 0;
    if (!In(c, 0xE0030, 0xE0039) && !In(c, 0xE0061, 0xE007A)) return 0;
    ++letters;
    at += n;
  }
  return 0;
}

}  // namespace

bool Units::Next(Unit* unit) {
  if (at_ >= text_.size()) return false;
  unit->offset = at_;
  size_t n = 0;
  const char32_t c = Decode(text_, at_, &n);
  size_t length = n;
  Look look = Look::kShown;
  if (utf8::LayoutControlLength(text_, at_) > 0 || IsSpace(c)) {
    look = Look::kSpace;
  } else if (IsMark(c)) {
    look = Look::kMark;
  } else if (IsTag(c)) {
    look = Look::kHiddenText;
  } else if (IsInvisible(c)) {
    look = Look::kInvisible;
  } else if (c == 0x1F3F4) {
    length += FlagTagsLength(text_, at_ + length);
  } else if (at_ + length < text_.size()) {
    // A selector that belongs to this character is part of it.
    size_t m = 0;
    const char32_t next = Decode(text_, at_ + length, &m);
    size_t after = 0;
    const bool keycap = (In(c, '0', '9') || c == '#' || c == '*') && next == 0xFE0F &&
                        at_ + length + m < text_.size() &&
                        Decode(text_, at_ + length + m, &after) == 0x20E3;
    if (IsSelector(next) && (keycap || SelectsVariantOf(c, next))) length += m;
  }
  unit->length = length;
  unit->look = look;
  at_ += length;
  return true;
}

bool Has(std::string_view text, Look look) {
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

std::string WithoutInvisible(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  Units units(text);
  for (Unit u; units.Next(&u);) {
    if (u.look != Look::kInvisible && u.look != Look::kHiddenText) {
      out.append(text.substr(u.offset, u.length));
    }
  }
  return out;
}

}  // namespace tandem::visible_text
