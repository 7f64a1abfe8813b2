// UTF-8 checks for text that crosses a boundary: input is refused unless it is valid UTF-8, and
// anything printed as JSON (which must be UTF-8) is cut only between characters.
#pragma once

#include <cstddef>
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

}  // namespace tandem::utf8
