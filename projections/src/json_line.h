// JsonLine: one JSON object written straight into a string, member by member, byte for byte as
// boost::json::serialize writes the same object built in the same order (its escapes: \" \\ \b
// \f \n \r \t, \u00xx for other control characters, everything else as it is), provided
// an object's keys are distinct: a key written twice stays twice, where boost::json keeps one.
//
// Why: a list line (a comment, a feed line, a file version) is written once per event by the
// busiest folds; building a boost::json::object first allocated every member and copied every
// text twice more before serialising it. Being the same bytes, the stored rows, their hashes
// and their readers do not change.
//
// Texts given as std::string_view are written as they are (as boost::json would, valid UTF-8
// or not); a FlatBuffers string is written as json_fields::S makes it (replaced where it is not
// UTF-8), without the copy when it is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

// Appends `text` to `*out` as a JSON string, quotes included.
void AppendJsonString(std::string* out, std::string_view text);
// The same without the quotes: a string's text written in parts.
void AppendJsonEscaped(std::string* out, std::string_view text);

// `value` as JSON text, as boost::json::serialize writes it, except that a double is written in
// plain notation, the shortest that reads back as the same number ("4.67" where boost::json
// writes "4.67E0"; a whole one then reads back as an integer): reports and their CSV are read by
// people.
std::string JsonText(const boost::json::value& value);

class JsonLine {
 public:
  // Opens the object at the end of `*out`; Close() ends it.
  explicit JsonLine(std::string* out);

  JsonLine& Str(std::string_view key, std::string_view text);
  JsonLine& Str(std::string_view key, const flatbuffers::String* text);
  JsonLine& Int(std::string_view key, int64_t n);
  JsonLine& UInt(std::string_view key, uint64_t n);
  JsonLine& Bool(std::string_view key, bool b);
  // A member whose value is an object written by `write(JsonLine&)`.
  template <class Write>
  JsonLine& Object(std::string_view key, Write&& write) {
    Key(key);
    JsonLine inner(out_);
    write(inner);
    inner.Close();
    return *this;
  }
  // A member whose value is an array of strings.
  template <class Texts>
  JsonLine& StrArray(std::string_view key, const Texts& texts) {
    return Array(key, texts, [this](const auto& text) { AppendJsonString(out_, text); });
  }
  // A member whose value is an array of objects, one per item, written by
  // `write(JsonLine&, item)`.
  template <class Items, class Write>
  JsonLine& ObjectArray(std::string_view key, const Items& items, Write&& write) {
    return Array(key, items, [&](const auto& item) {
      JsonLine inner(out_);
      write(inner, item);
      inner.Close();
    });
  }
  // A member whose value is JSON text already written by the caller (an array, an object).
  JsonLine& Raw(std::string_view key, std::string_view json);
  void Close();

 private:
  void Key(std::string_view key);
  // A member whose value is an array, each element written by `element(item)`.
  template <class Items, class Element>
  JsonLine& Array(std::string_view key, const Items& items, Element&& element) {
    Key(key);
    out_->push_back('[');
    bool first = true;
    for (const auto& item : items) {
      if (!first) out_->push_back(',');
      first = false;
      element(item);
    }
    out_->push_back(']');
    return *this;
  }
  std::string* out_;
  bool first_ = true;
};

}  // namespace tandem
