// Calendar arithmetic for reports: ISO dates ("2026-12-01"), days between them, ISO weeks
// ("2026-W49") and the UTC date of an instant. Dates come from events, so every parser
// refuses what is not exactly a valid date instead of guessing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tandem::report_dates {

// Days since 1970-01-01 of a "YYYY-MM-DD" date; false for anything else (including 2026-02-30).
bool ParseDate(std::string_view text, int64_t* days);
// "YYYY-MM-DD" of days since 1970-01-01.
std::string FormatDate(int64_t days);
// The UTC date of an instant in microseconds since the epoch.
std::string DateOfUs(int64_t us);
// The ISO week of a date ("2026-W49"), or "" when `date` is not one.
std::string IsoWeek(std::string_view date);

}  // namespace tandem::report_dates
