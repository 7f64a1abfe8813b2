#include "csv.h"

#include <algorithm>
#include <vector>

namespace tandem {
namespace {

std::string Cell(const boost::json::value* v) {
  if (v == nullptr || v->is_null()) return "";
  std::string text = v->is_string() ? std::string(v->get_string()) : boost::json::serialize(*v);
  if (v->is_string() && !text.empty() &&
      std::string_view("=+-@\t\r").find(text[0]) != std::string::npos) {
    text.insert(text.begin(), '\'');
  }
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
