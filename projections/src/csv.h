// CSV (RFC 4180) of a JSON array of objects: one header line, then one line per object. The
// header is `columns` (a view's declared columns: the same whatever the rows, none included),
// then any other key met, in order of first appearance. Nested arrays and objects are printed
// as JSON.
// A cell a spreadsheet would run as a formula (starting with = + - @, or a TAB or CR before one) is
// prefixed with an apostrophe: view cells hold text clients typed.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

namespace tandem {

std::string JsonRowsToCsv(const boost::json::array& rows,
                          const std::vector<std::string>& columns = {});

}  // namespace tandem
