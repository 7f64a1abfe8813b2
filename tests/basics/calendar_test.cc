// ISO dates and instants as the views and the CLI read them.
#include "tandem/basics/calendar.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(CalendarTest, DatesRoundTripThroughDayNumbers) {
  int64_t days = 0;
  ASSERT_TRUE(ParseIsoDate("2000-02-29", &days));
  EXPECT_EQ(FormatIsoDate(days), "2000-02-29");
  ASSERT_TRUE(ParseIsoDate("1970-01-01", &days));
  EXPECT_EQ(days, 0);
}

TEST(CalendarTest, ImpossibleDatesAreRefused) {
  int64_t days = 0;
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-1-01", "2026-01-01x", "", "1969-12-31",
                          "2026-04-31", "２０２６-01-01"}) {
    EXPECT_FALSE(ParseIsoDate(bad, &days)) << bad;
  }
}

TEST(CalendarTest, UtcDateOfAnInstant) {
  EXPECT_EQ(IsoDateOf(0), "1970-01-01");
  EXPECT_EQ(IsoDateOf(-1), "1969-12-31");
  EXPECT_EQ(IsoDateOf(951'782'400'000'000), "2000-02-29");
  EXPECT_EQ(IsoDateOf(951'782'400'000'000 - 1), "2000-02-28");
}

TEST(CalendarTest, ADateAloneMeansTheEndOfThatDay) {
  int64_t end = 0, next = 0;
  ASSERT_TRUE(ParseIsoInstant("2026-12-01", &end));
  ASSERT_TRUE(ParseIsoInstant("2026-12-02T00:00:00Z", &next));
  EXPECT_EQ(end + 1, next);
}

TEST(CalendarTest, InstantsWithFractionsAndMalformedOnes) {
  int64_t a = 0, b = 0;
  ASSERT_TRUE(ParseIsoInstant("2026-12-01T10:00:00.5Z", &a));
  ASSERT_TRUE(ParseIsoInstant("2026-12-01T10:00:00Z", &b));
  EXPECT_EQ(a - b, 500'000);
  for (const char* bad : {"2026-12-01T25:00:00Z", "2026-12-01T10:00:00", "2026-12-01 10:00:00Z",
                          "2026-12-01T10:00:00.1234567Z", "2026-12-01T10:00Z"}) {
    EXPECT_FALSE(ParseIsoInstant(bad, &a)) << bad;
  }
}

TEST(CalendarTest, AnOffsetFromUtcNamesTheSameInstantAsZ) {
  int64_t utc = 0, plus = 0, minus = 0, zero = 0;
  ASSERT_TRUE(ParseIsoInstant("2026-12-01T10:00:00Z", &utc));
  ASSERT_TRUE(ParseIsoInstant("2026-12-01T11:30:00+01:30", &plus));
  ASSERT_TRUE(ParseIsoInstant("2026-12-01T05:00:00.000-05:00", &minus));
  ASSERT_TRUE(ParseIsoInstant("2026-12-01T10:00:00+00:00", &zero));
  EXPECT_EQ(plus, utc);
  EXPECT_EQ(minus, utc);
  EXPECT_EQ(zero, utc);
  for (const char* bad :
       {"2026-12-01T10:00:00+24:00", "2026-12-01T10:00:00+0100", "2026-12-01T10:00:00+01:60",
        "2026-12-01T10:00:00 +01:00", "2026-12-01T10:00+01:00", "2026-12-01T10:00:00+01:00Z"}) {
    int64_t a = 0;
    EXPECT_FALSE(ParseIsoInstant(bad, &a)) << bad;
  }
}

TEST(CalendarTest, IsoWeeksFollowTheirThursday) {
  EXPECT_EQ(IsoWeekOf("2026-12-01"), "2026-W49");
  EXPECT_EQ(IsoWeekOf("2027-01-01"), "2026-W53");
  EXPECT_EQ(IsoWeekOf("2024-12-30"), "2025-W01");
  EXPECT_EQ(IsoWeekOf("not a date"), "");
}

}  // namespace
}  // namespace tandem
