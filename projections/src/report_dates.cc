#include "report_dates.h"

#include <cstdio>

namespace tandem::report_dates {
namespace {

// Howard Hinnant's civil-calendar algorithms (proleptic Gregorian, exact for every year).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday).
int64_t Weekday(int64_t days) { return ((days % 7) + 7 + 3) % 7; }

}  // namespace

bool ParseDate(std::string_view t, int64_t* days) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  int64_t v[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (size_t j = starts[i]; j < starts[i] + lengths[i]; ++j) {
      if (t[j] < '0' || t[j] > '9') return false;
      v[i] = v[i] * 10 + (t[j] - '0');
    }
  }
  if (v[1] < 1 || v[1] > 12 || v[2] < 1) return false;
  *days = DaysFromCivil(v[0], static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2]));
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(*days, &y, &m, &d);
  return m == v[1] && d == v[2];  // refuses days past the month's end
}

std::string FormatDate(int64_t days) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string DateOfUs(int64_t us) {
  constexpr int64_t kDayUs = 86400LL * 1000 * 1000;
  return FormatDate(us >= 0 ? us / kDayUs : -((-us + kDayUs - 1) / kDayUs));
}

std::string IsoWeek(std::string_view date) {
  int64_t days = 0;
  if (!ParseDate(date, &days)) return "";
  // The ISO week-year is the year of the week's Thursday; week 1 holds its first Thursday.
  const int64_t thursday = days - Weekday(days) + 3;
  int64_t year = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(thursday, &year, &m, &d);
  const int64_t week = (thursday - DaysFromCivil(year, 1, 1)) / 7 + 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-W%02lld", static_cast<long long>(year),
                static_cast<long long>(week));
  return buf;
}

}  // namespace tandem::report_dates
