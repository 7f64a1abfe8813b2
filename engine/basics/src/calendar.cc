#include "tandem/basics/calendar.h"

#include <cstdio>

namespace tandem {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

// Howard Hinnant's days_from_civil / civil_from_days (public domain).
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

bool Digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

bool ParseIsoDate(std::string_view date, int64_t* days) {
  int y = 0, m = 0, d = 0;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' || !Digits(date, 0, 4, &y) ||
      !Digits(date, 5, 2, &m) || !Digits(date, 8, 2, &d)) {
    return false;
  }
  if (y < 1970 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return false;
  *days = DaysFromCivil(y, m, d);
  return true;
}

std::string FormatIsoDate(int64_t days) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

bool ParseIsoInstant(std::string_view text, int64_t* micros) {
  int64_t days = 0;
  if (!ParseIsoDate(text.substr(0, 10), &days)) return false;
  if (text.size() == 10) {
    *micros = (days + 1) * kMicrosPerDay - 1;
    return true;
  }
  // The zone: "Z" (UTC) or an offset "+HH:MM" / "-HH:MM" from it (RFC 3339).
  size_t zone = 0;
  int64_t offset_minutes = 0;
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) {
    zone = 1;
  } else if (int oh = 0, om = 0;
             text.size() >= 25 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-') &&
             text[text.size() - 3] == ':' && Digits(text, text.size() - 5, 2, &oh) &&
             Digits(text, text.size() - 2, 2, &om) && oh <= 23 && om <= 59) {
    zone = 6;
    offset_minutes = (text[text.size() - 6] == '-' ? -1 : 1) * (oh * 60LL + om);
  }
  int h = 0, mi = 0, s = 0;
  if (zone == 0 || text.size() < 19 + zone || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || !Digits(text, 11, 2, &h) || !Digits(text, 14, 2, &mi) ||
      !Digits(text, 17, 2, &s) || h > 23 || mi > 59 || s > 59) {
    return false;
  }
  int64_t fraction = 0;
  const std::string_view rest = text.substr(19, text.size() - 19 - zone);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 7) return false;
    int digits = 0;
    if (!Digits(rest, 1, rest.size() - 1, &digits)) return false;
    fraction = digits;
    for (size_t i = rest.size() - 1; i < 6; ++i) fraction *= 10;
  }
  *micros = days * kMicrosPerDay + ((h * 60LL + mi) * 60 + s) * 1'000'000 + fraction -
            offset_minutes * 60'000'000;
  return true;
}

std::string IsoDateOf(int64_t micros) {
  int64_t days = micros / kMicrosPerDay;
  if (micros < 0 && micros % kMicrosPerDay != 0) --days;
  return FormatIsoDate(days);
}

std::string IsoWeekOf(std::string_view date) {
  int64_t days = 0;
  if (!ParseIsoDate(date, &days)) return "";
  const int64_t weekday = ((days + 3) % 7 + 7) % 7;  // Monday = 0 (1970-01-01 was a Thursday)
  const int64_t thursday = days - weekday + 3;       // the week belongs to its Thursday's year
  const std::string year = FormatIsoDate(thursday).substr(0, 4);
  int64_t jan1 = 0;
  ParseIsoDate(year + "-01-01", &jan1);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s-W%02lld", year.c_str(),
                static_cast<long long>((thursday - jan1) / 7 + 1));
  return buf;
}

}  // namespace tandem
