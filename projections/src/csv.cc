#include "csv.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace tandem {
namespace {

// Whether a spreadsheet could run `text` as a formula: it starts with = + - @ (OWASP's list),
// with TAB or CR, or with one of = + - @ after blanks (spreadsheets that trim cells on import)
// or in its full-width form (U+FF1D, U+FF0B, U+FF0D, U+FF20, which some map to ASCII).
bool LooksLikeFormula(std::string_view text) {
  if (!text.empty() && (text[0] == '\t' || text[0] == '\r')) return true;
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  const std::string_view rest = text.substr(start);
  if (std::string_view("=+-@").find(rest[0]) != std::string_view::npos) return true;
  for (std::string_view wide : {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"}) {
    if (rest.substr(0, wide.size()) == wide) return true;
  }
  return false;
}

std::string Cell(const boost::json::value* v) {
  if (v == nullptr || v->is_null()) return "";
  std::string text = v->is_string() ? std::string(v->get_string()) : boost::json::serialize(*v);
  if (v->is_string() && LooksLikeFormula(text)) text.insert(text.begin(), '\'');
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string JsonRowsToCsv(const boost::json::array& rows) {
  std::vector<std::string> columns;
  for (const auto& row : rows) {
    if (!row.is_object()) continue;
    for (const auto& [key, value] : row.get_object()) {
      if (std::find(columns.begin(), columns.end(), key) == columns.end()) {
        columns.emplace_back(key);
      }
    }
  }
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + columns[i];
  out += "\r\n";
  for (const auto& row : rows) {
    if (!row.is_object()) continue;
    for (size_t i = 0; i < columns.size(); ++i) {
      out += (i ? "," : "") + Cell(row.get_object().if_contains(columns[i]));
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace tandem
