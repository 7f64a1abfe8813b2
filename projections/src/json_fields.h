// Reading the JSON documents views store, without trusting them: a missing or mistyped field
// reads as its empty value, so a damaged row never throws; the row as a whole is checked when
// it is parsed (DocCache).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "tandem/basics/utf8.h"
#include "tandem/schema/tandem_events_generated.h"

namespace tandem::json_fields {

inline std::string Str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

inline int64_t Int(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

inline bool Bool(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

inline const boost::json::object& Obj(const boost::json::object& o, std::string_view key) {
  static const boost::json::object kEmpty;
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->get_object() : kEmpty;
}

inline const boost::json::array& Arr(const boost::json::object& o, std::string_view key) {
  static const boost::json::array kEmpty;
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? v->get_array() : kEmpty;
}

// A FlatBuffers string as a std::string (empty when absent). The log verifies an event's
// structure, not its text: invalid UTF-8 (written past the rules) is replaced here, so every
// row a view stores is valid JSON text and reads back.
inline std::string S(const flatbuffers::String* s) {
  if (s == nullptr) return std::string();
  const std::string_view v = s->string_view();
  return utf8::IsValid(v) ? std::string(v) : utf8::Sanitize(v);
}

// The string's bytes as they are, perhaps not UTF-8: for Snippet, which sanitises only the few
// characters it keeps (S copies and checks the whole text, megabytes for a long comment).
inline std::string_view Unchecked(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : s->string_view();
}

}  // namespace tandem::json_fields
