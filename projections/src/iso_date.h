// Calendar dates as events and requests spell them ("2026-12-01"), as day numbers for
// arithmetic. Parsing is strict: a date that is not a real day of the Gregorian calendar in
// exactly that form is refused, so a damaged due date never passes for an urgent one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tandem {

// Days since 1970-01-01 of an ISO date; false when `date` is not one.
bool ParseIsoDate(std::string_view date, int64_t* days);
// The ISO date of a day number.
std::string IsoDateOfDays(int64_t days);
// The UTC calendar date of an instant (microseconds since the epoch).
std::string IsoDateOfMicros(int64_t us);

}  // namespace tandem
