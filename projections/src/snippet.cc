#include "snippet.h"

#include "tandem/basics/utf8.h"

namespace tandem {

std::string Snippet(std::string_view text, size_t max_chars) {
  const std::string clean = utf8::Sanitize(text);
  std::string out;
  out.reserve(clean.size() < 4 * max_chars ? clean.size() : 4 * max_chars);
  size_t chars = 0;
  for (size_t i = 0; i < clean.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(clean[i]);
    const bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char && chars++ == max_chars) return out + "\xE2\x80\xA6";  // "…"
    out += c < 0x20 || c == 0x7F ? ' ' : clean[i];
  }
  return out;
}

}  // namespace tandem
