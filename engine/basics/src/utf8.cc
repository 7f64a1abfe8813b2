#include "tandem/basics/utf8.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "tandem/basics/visible_text.h"

namespace tandem::utf8 {
namespace {

// Length of the well-formed character starting at s[i], or 0 if none starts there.
size_t CharLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
  }
  if (s.size() - i < n) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; k++) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

bool IsValid(std::string_view s, size_t* bad_offset) {
  for (size_t i = 0; i < s.size();) {
    // ASCII runs dominate real input; skip them eight bytes at a time.
    while (i + 8 <= s.size()) {
      uint64_t word = 0;
      for (size_t k = 0; k < 8; k++) word |= static_cast<uint64_t>(static_cast<uint8_t>(s[i + k]));
      if (word & 0x80) break;
      i += 8;
    }
    if (i >= s.size()) break;
    const size_t n = CharLength(s, i);
    if (n == 0) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    i += n;
  }
  return true;
}

std::string_view Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  // Back off over continuation bytes to the start of the character the cut falls in; that
  // character is dropped whole.
  while (end > 0 && (static_cast<uint8_t>(s[end]) & 0xC0) == 0x80) end--;
  return s.substr(0, end);
}

size_t LayoutControlLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return k < s.size() ? static_cast<uint8_t>(s[k]) : 0; };
  const uint8_t b0 = byte(i);
  if (b0 < 0x20 || b0 == 0x7F) return i < s.size() ? 1 : 0;
  if (b0 == 0xC2 && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9F) return 2;  // C1
  if (b0 != 0xE2) return 0;
  const uint8_t b1 = byte(i + 1), b2 = byte(i + 2);
  if (b1 == 0x80 && b2 >= 0xA8 && b2 <= 0xAE) return 3;  // U+2028-U+202E
  if (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9) return 3;  // U+2066-U+2069
  return 0;
}

std::string Sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = CharLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      i++;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

std::string Printable(std::string_view text, size_t max_bytes, bool escape_backslash) {
  const std::string valid = Sanitize(text);
  std::string out;
  out.reserve(std::min(valid.size(), max_bytes) + 32);
  char escape[16];
  // The code point of the character at valid[i], `length` bytes.
  const auto code_point = [&](size_t i, size_t length) {
    const auto c = static_cast<uint8_t>(valid[i]);
    uint32_t code = length == 1 ? c : c & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) code = (code << 6) | (valid[i + k] & 0x3F);
    return code;
  };
  visible_text::Units units(valid);
  visible_text::Unit u;
  while (out.size() < max_bytes && units.Next(&u)) {
    // Characters that show nothing (tags that carry hidden text, zero-width ones, marks) are
    // written as escapes too: a log line shows all it holds.
    const bool hidden = u.look == visible_text::Look::kInvisible ||
                        u.look == visible_text::Look::kHiddenText ||
                        u.look == visible_text::Look::kMark;
    for (size_t i = u.offset; i < u.offset + u.length;) {
      const auto c = static_cast<uint8_t>(valid[i]);
      // Whole characters only (`valid` is well-formed), so that a cut never splits one.
      const size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      if (c == '\\') {
        // So that an escape in the text reads unlike one made here.
        out += escape_backslash ? "\\\\" : "\\";
      } else if (c == '\n' || c == '\r' || c == '\t') {
        out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
      } else if (c < 0x20 || c == 0x7F) {
        std::snprintf(escape, sizeof escape, "\\x%02x", c);
        out += escape;
      } else if (hidden || LayoutControlLength(valid, i) > 0 ||
                 (length > 1 && (u.look == visible_text::Look::kSpace ||
                                 visible_text::IsVariationSelector(code_point(i, length))))) {
        // C1 controls, which some terminals act on, and the line separators and bidirectional
        // controls, which would break the line or turn the rest of it around; spaces other than
        // ASCII's and variation selectors, which look like nothing or like another one.
        const uint32_t code = code_point(i, length);
        std::snprintf(escape, sizeof escape, code > 0xFFFF ? "\\u{%x}" : "\\u%04x", code);
        out += escape;
      } else {
        out.append(valid, i, length);
      }
      i += length;
    }
  }
  if (u.offset + u.length < valid.size()) {
    out += "... (" + std::to_string(text.size()) + " bytes)";
  }
  return out;
}

}  // namespace tandem::utf8
