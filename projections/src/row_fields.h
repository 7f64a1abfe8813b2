// RowFields: a row type's members and their JSON keys, declared once in the type
// (`static constexpr std::tuple kFields{Field("key", &Doc::member), ...}`), from which WriteRow
// and ReadRow both write and read the row: a member written but never read back, or read under
// another key, cannot happen. The text is what JsonLine writes member by member in the list's order
// (the same bytes as the hand-written Write of each type before it), and reading never throws: a
// missing or mistyped member reads as its empty value (json_fields.h).
//
// Members are bool, std::string or integers: unsigned ones are written as JSON unsigned
// numbers, signed ones as signed, and both read back through json_fields::Int.
#pragma once

#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <boost/json.hpp>

#include "json_fields.h"
#include "json_line.h"

namespace tandem {

template <class Doc, class T>
struct RowField {
  std::string_view key;
  T Doc::*member;
};

template <class Doc, class T>
constexpr RowField<Doc, T> Field(std::string_view key, T Doc::*member) {
  return {key, member};
}

// Writes every member of `Doc::kFields` of `doc` into `out`, in order.
template <class Doc>
void WriteRowFields(const Doc& doc, JsonLine* out) {
  std::apply(
      [&](const auto&... field) {
        auto write = [&](const auto& f) {
          const auto& value = doc.*(f.member);
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, bool>) {
            out->Bool(f.key, value);
          } else if constexpr (std::is_same_v<T, std::string>) {
            out->Str(f.key, value);
          } else if constexpr (std::is_unsigned_v<T>) {
            out->UInt(f.key, value);
          } else {
            static_assert(std::is_integral_v<T> && std::is_signed_v<T>,
                          "a row member is bool, text or an integer");
            out->Int(f.key, value);
          }
        };
        (write(field), ...);
      },
      Doc::kFields);
}

// `*doc` as the row `in` says: every member of `Doc::kFields` read from its key, the others as
// a new Doc has them.
template <class Doc>
void ReadRowFields(const boost::json::object& in, Doc* doc) {
  *doc = Doc();
  std::apply(
      [&](const auto&... field) {
        auto read = [&](const auto& f) {
          auto& value = doc->*(f.member);
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, bool>) {
            value = json_fields::Bool(in, f.key);
          } else if constexpr (std::is_same_v<T, std::string>) {
            value = json_fields::Str(in, f.key);
          } else {
            static_assert(std::is_integral_v<T>, "a row member is bool, text or an integer");
            value = static_cast<T>(json_fields::Int(in, f.key));
          }
        };
        (read(field), ...);
      },
      Doc::kFields);
}

template <class Doc>
concept HasRowFields = requires {
  Doc::kFields;
};

// A row type's text: from its kFields, or its own `void Write(JsonLine*) const` (a row with
// lists or objects inside).
template <class Doc>
void WriteRow(const Doc& doc, JsonLine* out) {
  static_assert(!(HasRowFields<Doc> && requires(const Doc& d) { d.Write(out); }),
                "a row type declares its fields or writes itself, not both");
  if constexpr (HasRowFields<Doc>) {
    WriteRowFields(doc, out);
  } else {
    doc.Write(out);
  }
}

// A row type read from its text: from its kFields, or its own FromJson, whose `bool` (false: the
// row is not as written) this then returns.
template <class Doc>
auto ReadRow(const boost::json::object& in, Doc* doc) {
  if constexpr (HasRowFields<Doc>) {
    ReadRowFields(in, doc);
  } else {
    return doc->FromJson(in);
  }
}

}  // namespace tandem
