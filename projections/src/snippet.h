// Short one-line text for people to read (feed lines, action item titles) out of text that
// came in events: always valid UTF-8 (bytes that are not become U+FFFD), control characters
// (line breaks, tabs, C1 controls, line separators, bidirectional overrides:
// utf8::LayoutControlLength) become spaces, and at most `max_chars` characters, never cut inside
// one; a cut text ends with "…".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tandem {

std::string Snippet(std::string_view text, size_t max_chars);

}  // namespace tandem
