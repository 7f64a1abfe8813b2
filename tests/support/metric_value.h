// Reads one metric back from a prometheus-cpp registry, as a scrape would see it.
#pragma once

#include <string>

#include <prometheus/registry.h>

namespace tandem::test {

// The value of metric `name` (a histogram's sample count), restricted to series with a label
// valued `result_label` if given; -1 if there is no such series.
inline double MetricValue(prometheus::Registry& registry, const std::string& name,
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

}  // namespace tandem::test
