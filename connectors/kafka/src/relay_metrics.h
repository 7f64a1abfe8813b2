// The relay's Prometheus metrics (tandem_relay_*). All members are null when no registry was
// given, and every recording call is then a no-op.
#pragma once

#include <cstdint>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
}  // namespace prometheus

namespace tandem::kafka {

class RelayMetrics {
 public:
  explicit RelayMetrics(prometheus::Registry* registry);

  void Delivered(uint64_t events);
  void Skipped(uint64_t events);
  void Position(uint64_t published, uint64_t lag);

 private:
  prometheus::Gauge* published_ = nullptr;
  prometheus::Gauge* lag_ = nullptr;
  prometheus::Counter* delivered_ = nullptr;
  prometheus::Counter* skipped_ = nullptr;
};

}  // namespace tandem::kafka
