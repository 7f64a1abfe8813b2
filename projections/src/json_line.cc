#include "json_line.h"

#include <array>
#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

#include "tandem/basics/utf8.h"

namespace tandem {
namespace {

// boost::json's serializer's table: 0 for a byte written as it is, else the letter after '\'
// ('u' for \u00xx).
constexpr char EscapeOf(unsigned char c) {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '\b':
      return 'b';
    case '\f':
      return 'f';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\t':
      return 't';
    default:
      return c < 0x20 ? 'u' : 0;
  }
}

// EscapeOf for every byte, looked up once per byte: a line's texts (comment bodies, titles) are
// escaped byte by byte on the busiest folds.
constexpr std::array<char, 256> kEscapes = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = EscapeOf(static_cast<unsigned char>(c));
  return table;
}();

template <class N>
void AppendNumber(std::string* out, N n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), n).ptr;
  out->append(digits, end);
}

void AppendJsonValue(std::string* out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      AppendJsonString(out, value.get_string());
      return;
    case boost::json::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const boost::json::value& element : value.get_array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonValue(out, element);
      }
      out->push_back(']');
      return;
    }
    case boost::json::kind::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& member : value.get_object()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(out, member.key());
        out->push_back(':');
        AppendJsonValue(out, member.value());
      }
      out->push_back('}');
      return;
    }
    case boost::json::kind::double_: {
      char digits[64];
      const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value.get_double(),
                                           std::chars_format::fixed);
      if (ec == std::errc() && std::isfinite(value.get_double())) {
        out->append(digits, end);
        return;
      }
      break;  // too long in plain notation, or not a number: as boost::json writes it
    }
    default:
      break;
  }
  out->append(boost::json::serialize(value));
}

}  // namespace

std::string JsonText(const boost::json::value& value) {
  std::string out;
  AppendJsonValue(&out, value);
  return out;
}

void AppendJsonString(std::string* out, std::string_view text) {
  out->push_back('"');
  AppendJsonEscaped(out, text);
  out->push_back('"');
}

void AppendJsonEscaped(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t plain = 0;  // the start of the run of bytes written as they are
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const char escape = kEscapes[c];
    if (escape == 0) continue;
    out->append(text.data() + plain, i - plain);
    plain = i + 1;
    out->push_back('\\');
    out->push_back(escape);
    if (escape == 'u') {
      const char code[4] = {'0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(code, 4);
    }
  }
  out->append(text.data() + plain, text.size() - plain);
}

JsonLine::JsonLine(std::string* out) : out_(out) { out_->push_back('{'); }

void JsonLine::Key(std::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendJsonString(out_, key);
  out_->push_back(':');
}

JsonLine& JsonLine::Str(std::string_view key, std::string_view text) {
  Key(key);
  AppendJsonString(out_, text);
  return *this;
}

JsonLine& JsonLine::Str(std::string_view key, const flatbuffers::String* text) {
  const std::string_view v = text == nullptr ? std::string_view() : text->string_view();
  return utf8::IsValid(v) ? Str(key, v) : Str(key, std::string_view(utf8::Sanitize(v)));
}

JsonLine& JsonLine::Int(std::string_view key, int64_t n) {
  Key(key);
  AppendNumber(out_, n);
  return *this;
}

JsonLine& JsonLine::UInt(std::string_view key, uint64_t n) {
  Key(key);
  AppendNumber(out_, n);
  return *this;
}

JsonLine& JsonLine::Bool(std::string_view key, bool b) {
  Key(key);
  out_->append(b ? "true" : "false");
  return *this;
}

JsonLine& JsonLine::Raw(std::string_view key, std::string_view json) {
  Key(key);
  out_->append(json);
  return *this;
}

void JsonLine::Close() { out_->push_back('}'); }

}  // namespace tandem
