// Reads one metric back from a prometheus-cpp registry, as a scrape would see it.
#pragma once

#include <optional>
#include <string>

#include <prometheus/registry.h>

namespace tandem::test {

// The series of metric `name` with a label valued `result_label` (any series if empty).
inline std::optional<prometheus::ClientMetric> FindMetric(prometheus::Registry& registry,
                                                          const std::string& name,
                                                          const std::string& result_label,
                                                          prometheus::MetricType* type) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      bool match = result_label.empty();
      for (const auto& label : m.label) match |= label.value == result_label;
      if (!match) continue;
      *type = family.type;
      return m;
    }
  }
  return std::nullopt;
}

// The value of metric `name` (a histogram's sample count), restricted to series with a label
// valued `result_label` if given; -1 if there is no such series.
inline double MetricValue(prometheus::Registry& registry, const std::string& name,
                          const std::string& result_label = "") {
  prometheus::MetricType type{};
  const auto m = FindMetric(registry, name, result_label, &type);
  if (!m) return -1;
  if (type == prometheus::MetricType::Counter) return m->counter.value;
  if (type == prometheus::MetricType::Gauge) return m->gauge.value;
  if (type == prometheus::MetricType::Histogram) {
    return static_cast<double>(m->histogram.sample_count);
  }
  return -1;
}

// The sum of the values observed by histogram `name` (series as for MetricValue); -1 if none.
inline double HistogramSum(prometheus::Registry& registry, const std::string& name,
                           const std::string& result_label = "") {
  prometheus::MetricType type{};
  const auto m = FindMetric(registry, name, result_label, &type);
  if (!m || type != prometheus::MetricType::Histogram) return -1;
  return m->histogram.sample_sum;
}

}  // namespace tandem::test
