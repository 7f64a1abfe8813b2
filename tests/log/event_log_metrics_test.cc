#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "metric_value.h"
#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::CommentEvent;

TEST(EventLogMetricsTest, CountsAppendsByOutcome) {
  test::ScratchDir dir;
  prometheus::Registry registry;
  EventLogOptions options;
  options.metrics = &registry;
  auto log = test::OpenLogOrDie(dir.path(), options);
  AppendResult r;
  const StreamId s{"acme", "s"};
  ASSERT_TRUE(
      log->Append(s, ExpectedVersion::NoStream(), {CommentEvent("a"), CommentEvent("b")}, "k1", &r)
          .ok());
  ASSERT_TRUE(log->Append(s, ExpectedVersion::NoStream(), {CommentEvent("a")}, "k1", &r).ok());
  ASSERT_TRUE(log->Append(s, ExpectedVersion::NoStream(), {CommentEvent("c")}, "", &r)
                  .IsWrongExpectedVersion());

  EXPECT_EQ(test::MetricValue(registry, "tandem_log_appends_total", "committed"), 1);
  EXPECT_EQ(test::MetricValue(registry, "tandem_log_appends_total", "deduplicated"), 1);
  EXPECT_EQ(test::MetricValue(registry, "tandem_log_appends_total", "wrong_expected_version"), 1);
  EXPECT_EQ(test::MetricValue(registry, "tandem_log_events_appended_total"), 2);
  EXPECT_EQ(test::MetricValue(registry, "tandem_log_last_position"), 2);
  EXPECT_GE(test::MetricValue(registry, "tandem_log_group_commit_events"), 1);
}

TEST(EventLogMetricsTest, CountsJournalWraps) {
  test::ScratchDir dir;
  prometheus::Registry registry;
  EventLogOptions options;
  options.metrics = &registry;
  options.journal_bytes = 16 << 10;
  auto log = test::OpenLogOrDie(dir.path(), options);
  EXPECT_EQ(test::MetricValue(registry, "tandem_log_journal_wraps_total"), 0);
  // About 370 bytes each in the journal: 100 appends fill 16 KB twice.
  for (int i = 0; i < 100; i++) {
    AppendResult r;
    ASSERT_TRUE(
        log->Append({"acme", "s"}, ExpectedVersion::Any(), {CommentEvent("e")}, "", &r).ok());
  }
  EXPECT_GE(test::MetricValue(registry, "tandem_log_journal_wraps_total"), 2);
}

}  // namespace
}  // namespace tandem
