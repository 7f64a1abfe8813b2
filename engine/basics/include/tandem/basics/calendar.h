// Calendar dates and instants as Tandem writes them: ISO-8601 dates ("2026-12-01", UTC) and
// instants in microseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tandem {

// Days since 1970-01-01 of a valid calendar date "YYYY-MM-DD" (1970 to 9999); false otherwise.
bool ParseIsoDate(std::string_view date, int64_t* days);
// The date `days` after 1970-01-01.
std::string FormatIsoDate(int64_t days);
// An instant: "YYYY-MM-DDTHH:MM:SS[.ffffff]" then "Z" or an offset from UTC "+HH:MM"/"-HH:MM"
// (RFC 3339), or a date alone, meaning the end of that UTC day (its last microsecond), so
// "as of 2026-12-01" includes everything recorded that day.
bool ParseIsoInstant(std::string_view text, int64_t* micros);
// The UTC date of an instant.
std::string IsoDateOf(int64_t micros);
// The ISO week of a date, "2026-W49"; empty for an invalid date.
std::string IsoWeekOf(std::string_view date);

}  // namespace tandem
