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

}  // namespace

std::string Snippet(std::string_view text, size_t max_chars) {
  const std::string_view head = max_chars < text.size() ? text.substr(0, max_chars + 1) : text;
  if (PrintableAscii(head)) {
    if (head.size() <= max_chars) return std::string(head);
    return std::string(head.substr(0, max_chars)) + "\xE2\x80\xA6";
  }
  // Only the first max_chars + 1 characters matter, and they lie within kMaxUnitBytes each: a
  // comment of megabytes costs what a short one does. The window is cut between characters (a
  // cut inside one would read as U+FFFD); its last unit may still lack what belongs to it (a
  // flag's tags, a selector) and is left for the ellipsis. Characters left out take room in the
  // window too: a window that ends before max_chars + 1 characters showed ends with "…".
  constexpr size_t kMaxUnitBytes = 28;  // a flag: U+1F3F4, five tags and CANCEL TAG
  const bool cut = max_chars < text.size() / kMaxUnitBytes;
  const std::string clean =
      utf8::Sanitize(cut ? utf8::Prefix(text, kMaxUnitBytes * (max_chars + 1)) : text);
  std::string out;
  out.reserve(clean.size() < 4 * max_chars ? clean.size() : 4 * max_chars);
  size_t chars = 0;
  visible_text::Units units(clean);
  for (visible_text::Unit u; units.Next(&u);) {
    // The domain refuses what follows in names, and tags in texts too, but events written past
    // its rules, or before it did, may hold them. A character that shows nothing is left out
    // (a name that looks like another, hidden text); a control (a C1 one, a line separator, a
    // bidirectional override) is a space: in a line it could make a second line or turn the
    // rest of the line around.
    if (cut && u.offset + u.length == clean.size()) break;
    if (u.look == visible_text::Look::kInvisible || u.look == visible_text::Look::kHiddenText) {
      continue;
    }
    if (chars++ == max_chars) return out + "\xE2\x80\xA6";  // "…"
    if (utf8::LayoutControlLength(clean, u.offset) > 0) {
      out += ' ';
    } else {
      out.append(clean, u.offset, u.length);
    }
  }
  return cut ? out + "\xE2\x80\xA6" : out;
}

}  // namespace tandem
