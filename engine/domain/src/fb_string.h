// Null-safe access to FlatBuffers strings: an absent optional field reads as "".
#pragma once

#include <string>

#include <flatbuffers/flatbuffers.h>

namespace tandem {

inline std::string FbStr(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

}  // namespace tandem
