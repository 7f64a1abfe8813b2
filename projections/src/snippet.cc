#include "snippet.h"

#include "tandem/basics/utf8.h"

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
  // Only the first max_chars + 1 characters matter, and they lie within 4 bytes each: a
  // comment of megabytes costs what a short one does. Sanitising works character by character
  // from the start, so a cut past them cannot change them.
  const size_t keep = max_chars < text.size() / 4 ? 4 * (max_chars + 1) : text.size();
  const std::string clean = utf8::Sanitize(text.substr(0, keep));
  std::string out;
  out.reserve(clean.size() < 4 * max_chars ? clean.size() : 4 * max_chars);
  size_t chars = 0;
  for (size_t i = 0; i < clean.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(clean[i]);
    const bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char && chars++ == max_chars) return out + "\xE2\x80\xA6";  // "…"
    // A control (a C1 one, a line separator, a bidirectional override) is a space: the domain
    // refuses them, but events written past its rules, or before it did, may hold them, and in
    // a line it could make a second line or turn the rest of the line around.
    if (const size_t n = utf8::LayoutControlLength(clean, i); n > 0) {
      out += ' ';
      i += n - 1;
      continue;
    }
    out += clean[i];
  }
  return out;
}

}  // namespace tandem
