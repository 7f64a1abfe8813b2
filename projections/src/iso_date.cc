#include "iso_date.h"

#include <cstdio>

#include "tandem/projections/views.h"

namespace tandem {
namespace {

// Howard Hinnant's civil-calendar algorithms (proleptic Gregorian, any year).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

bool ParseIsoDate(std::string_view date, int64_t* days) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  unsigned value[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t lengths[3] = {4, 2, 2};
  for (int part = 0; part < 3; ++part) {
    for (size_t i = starts[part]; i < starts[part] + lengths[part]; ++i) {
      if (date[i] < '0' || date[i] > '9') return false;
      value[part] = value[part] * 10 + static_cast<unsigned>(date[i] - '0');
    }
  }
  const auto [y, m, d] = value;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  *days = DaysFromCivil(y, m, d);
  return true;
}

std::string IsoDateOfDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  char text[32];
  std::snprintf(text, sizeof(text), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return text;
}

std::string IsoDateOfMicros(int64_t us) {
  constexpr int64_t kDayUs = 86'400'000'000LL;
  int64_t days = us / kDayUs;
  if (us % kDayUs < 0) days--;  // instants before the epoch round down to their day
  return IsoDateOfDays(days);
}

std::string UtcDateOf(int64_t micros) { return IsoDateOfMicros(micros); }

}  // namespace tandem
