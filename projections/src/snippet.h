// Short one-line text for people to read (feed lines, action item titles) out of text that
// came in events: always valid UTF-8 (bytes that are not become U+FFFD), control characters
// (line breaks, tabs, C1 controls, line separators, bidirectional overrides:
// utf8::LayoutControlLength) become spaces, characters that show nothing (invisible ones and
// tag characters outside a flag: visible_text) are left out, and at most `max_chars`
// characters as people see them (about Unicode's grapheme clusters: a flag, an emoji with its
// selector, skin tone or ZWJ sequence, a letter with its combining accents is one), never cut
// inside one; a cut text ends with "…".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tandem {

std::string Snippet(std::string_view text, size_t max_chars);

}  // namespace tandem
