// Reading the command id of a command record without executing it, so that even a refused
// command's answer is keyed by the id its sender will look for.
#pragma once
#include <string>
#include <string_view>

namespace tandem::kafka {

// The longest command id used as a result key; a longer one is not an id the handler accepts.
constexpr size_t kMaxCommandIdBytes = 128;

// True, with the id in `*id`, when `text` is one well-formed JSON object (valid UTF-8, nesting
// no deeper than any command) whose top-level "command_id" is a non-empty string of at most
// kMaxCommandIdBytes. One pass, memory independent of the text's size.
bool ReadCommandId(std::string_view text, std::string* id);

}  // namespace tandem::kafka
