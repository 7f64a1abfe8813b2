#include "relay_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace tandem::kafka {

RelayMetrics::RelayMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  published_ = &prometheus::BuildGauge()
                    .Name("tandem_relay_published_position")
                    .Help("Last position of the contiguous prefix of events Kafka acknowledged")
                    .Register(*registry)
                    .Add({});
  lag_ = &prometheus::BuildGauge()
              .Name("tandem_relay_lag_events")
              .Help("Committed events not yet acknowledged by Kafka (log head minus published)")
              .Register(*registry)
              .Add({});
  delivered_ = &prometheus::BuildCounter()
                    .Name("tandem_relay_events_total")
                    .Help("Events whose delivery to the events topic Kafka acknowledged")
                    .Register(*registry)
                    .Add({});
  skipped_ = &prometheus::BuildCounter()
                  .Name("tandem_relay_skipped_total")
                  .Help("Events not sent because the topic's tail read showed them there already")
                  .Register(*registry)
                  .Add({});
}

void RelayMetrics::Delivered(uint64_t events) {
  if (delivered_ != nullptr) delivered_->Increment(static_cast<double>(events));
}

void RelayMetrics::Skipped(uint64_t events) {
  if (skipped_ != nullptr) skipped_->Increment(static_cast<double>(events));
}

void RelayMetrics::Position(uint64_t published, uint64_t lag) {
  if (published_ == nullptr) return;
  published_->Set(static_cast<double>(published));
  lag_->Set(static_cast<double>(lag));
}

}  // namespace tandem::kafka
