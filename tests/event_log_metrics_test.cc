#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "tandem/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::CommentEvent;

double Value(prometheus::Registry& registry, const std::string& name,
             const std::string& result_label = "") {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      bool match = result_label.empty();
      for (const auto& label : m.label) match |= label.value == result_label;
      if (!match) continue;
      if (family.type == prometheus::MetricType::Counter) return m.counter.value;
      if (family.type == prometheus::MetricType::Gauge) return m.gauge.value;
      if (family.type == prometheus::MetricType::Histogram) {
        return static_cast<double>(m.histogram.sample_count);
      }
    }
  }
  return -1;
}

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

  EXPECT_EQ(Value(registry, "tandem_log_appends_total", "committed"), 1);
  EXPECT_EQ(Value(registry, "tandem_log_appends_total", "deduplicated"), 1);
  EXPECT_EQ(Value(registry, "tandem_log_appends_total", "wrong_expected_version"), 1);
  EXPECT_EQ(Value(registry, "tandem_log_events_appended_total"), 2);
  EXPECT_EQ(Value(registry, "tandem_log_last_position"), 2);
  EXPECT_GE(Value(registry, "tandem_log_group_commit_events"), 1);
}

}  // namespace
}  // namespace tandem
