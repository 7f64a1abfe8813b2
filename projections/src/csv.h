// CSV (RFC 4180) of a JSON array of objects: one header line with every key met, in order of
// first appearance, then one line per object. Nested arrays and objects are printed as JSON.
// A cell a spreadsheet would run as a formula (starting with = + - @, or a TAB or CR before one) is
// prefixed with an apostrophe: view cells hold text clients typed.
#pragma once

#include <string>

#include <boost/json.hpp>

namespace tandem {

std::string JsonRowsToCsv(const boost::json::array& rows);

}  // namespace tandem
