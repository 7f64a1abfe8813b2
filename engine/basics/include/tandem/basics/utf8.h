// UTF-8 checks for text that crosses a boundary: input is refused unless it is valid UTF-8, and
// anything printed as JSON (which must be UTF-8) is cut only between characters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tandem::utf8 {

// True if `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF). Otherwise false, and `*bad_offset` (if given) is the offset of the first byte that
// does not start a well-formed character.
bool IsValid(std::string_view s, size_t* bad_offset = nullptr);

// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a character.
// For echoing user input in a message: the cut never splits a character.
std::string_view Prefix(std::string_view s, size_t max_bytes);

// `s` with every byte that does not start a well-formed character replaced by U+FFFD, so the
// result is always valid UTF-8 (and `s` itself when it already was).
std::string Sanitize(std::string_view s);

// The length in bytes of the layout control that starts at s[i], or 0 when none does: the C0
// controls and DEL, the C1 controls (U+0080-U+009F), the line and paragraph separators (U+2028,
// U+2029) and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
// U+2066-U+2069). Each changes how the text around it is laid out instead of showing itself: a
// title holding one can pass for a line of its own, or show what follows it reversed.
size_t LayoutControlLength(std::string_view s, size_t i);

// `text` fit to print on a terminal or in a log line, as one line: invalid bytes as U+FFFD,
// `\n` `\r` `\t` as in C, the other C0 controls and DEL as `\xNN`, the C1 controls, line
// separators and bidirectional controls (LayoutControlLength) and the characters that show
// nothing (visible_text: zero-width and tag characters, joiners, marks) as `\uNNNN`; a
// backslash doubled when `escape_backslash`, so that an escape in the text reads unlike one made
// here. Cut between characters once the result reaches `max_bytes`, then followed by
// "... (N bytes)" naming the length of `text`.
std::string Printable(std::string_view text, size_t max_bytes = SIZE_MAX,
                      bool escape_backslash = true);

}  // namespace tandem::utf8
