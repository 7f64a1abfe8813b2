#include "csv.h"

#include <algorithm>
#include <span>
#include <string_view>
#include <vector>

#include "json_line.h"

namespace tandem {
namespace {

// Blanks a spreadsheet may trim before a cell's content: Unicode's white space (ASCII's, NEL,
// NO-BREAK SPACE, OGHAM SPACE MARK, the spaces U+2000-U+200A, the line and paragraph
// separators, the narrow and medium mathematical spaces, IDEOGRAPHIC SPACE). TAB, CR and LF
// are separators too (below).
constexpr std::string_view kBlanks[] = {" ",
                                        "\t",
                                        "\r",
                                        "\n",
                                        "\v",
                                        "\f",
                                        "\xC2\x85",
                                        "\xC2\xA0",
                                        "\xE1\x9A\x80",
                                        "\xE2\x80\x80",
                                        "\xE2\x80\x81",
                                        "\xE2\x80\x82",
                                        "\xE2\x80\x83",
                                        "\xE2\x80\x84",
                                        "\xE2\x80\x85",
                                        "\xE2\x80\x86",
                                        "\xE2\x80\x87",
                                        "\xE2\x80\x88",
                                        "\xE2\x80\x89",
                                        "\xE2\x80\x8A",
                                        "\xE2\x80\xA8",
                                        "\xE2\x80\xA9",
                                        "\xE2\x80\xAF",
                                        "\xE2\x81\x9F",
                                        "\xE3\x80\x80"};
// What starts a formula: = + - @ (OWASP's list), and the characters Unicode's compatibility
// folding (NFKC, which some spreadsheets apply) turns into text starting with one of them:
// full-width, small and super/subscript forms, HEBREW LETTER ALTERNATIVE PLUS SIGN, and the
// double and triple equals signs.
constexpr std::string_view kFormulaStarts[] = {"=",
                                               "+",
                                               "-",
                                               "@",
                                               "\xEF\xBC\x9D",
                                               "\xEF\xBC\x8B",
                                               "\xEF\xBC\x8D",
                                               "\xEF\xBC\xA0",
                                               "\xEF\xB9\xA2",
                                               "\xEF\xB9\xA3",
                                               "\xEF\xB9\xA6",
                                               "\xEF\xB9\xAB",
                                               "\xE2\x81\xBA",
                                               "\xE2\x81\xBC",
                                               "\xE2\x82\x8A",
                                               "\xE2\x82\x8C",
                                               "\xEF\xAC\xA9",
                                               "\xE2\xA9\xB5",
                                               "\xE2\xA9\xB6"};

// The length of the first of `set` that `rest` starts with, 0 if none.
size_t StartsWithOneOf(std::string_view rest, std::span<const std::string_view> set) {
  for (std::string_view item : set) {
    if (rest.substr(0, item.size()) == item) return item.size();
  }
  return 0;
}

// `text` with a ' before every formula a spreadsheet could run: one that opens the cell or
// follows only blanks after a character an import may split a cell on (';' in many locales'
// CSV, TAB, CR, LF: a quoted cell may hold them). A cell starting with TAB or CR is prefixed too
// (OWASP). One pass: a hostile cell of separators costs what its length costs.
std::string Neutralised(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  if (!text.empty() && (text[0] == '\t' || text[0] == '\r')) out += '\'';
  bool opening = true;  // only blanks since the cell's start or the last separator
  for (size_t i = 0; i < text.size();) {
    const std::string_view rest = text.substr(i);
    size_t n = StartsWithOneOf(rest, kBlanks);
    if (n == 0) {
      if (opening && StartsWithOneOf(rest, kFormulaStarts) > 0) out += '\'';
      n = 1;
      opening = text[i] == ';';
    } else if (std::string_view("\t\r\n").find(text[i]) != std::string_view::npos) {
      opening = true;
    }
    out.append(rest.substr(0, n));
    i += n;
  }
  return out;
}

std::string Cell(const boost::json::value* v) {
  if (v == nullptr || v->is_null()) return "";
  // A nested list or object (a milestone's files, a board's columns) carries the texts of its
  // members, a client's file name among them, as JSON text: guarded the same way. Numbers and
  // booleans are the engine's own and stay numbers.
  std::string text = v->is_string()                    ? Neutralised(v->get_string())
                     : v->is_array() || v->is_object() ? Neutralised(boost::json::serialize(*v))
                                                       : JsonText(*v);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string JsonRowsToCsv(const boost::json::array& rows,
                          const std::vector<std::string>& declared) {
  std::vector<std::string> columns = declared;
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
