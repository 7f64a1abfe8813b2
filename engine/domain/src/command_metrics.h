// The command handler's Prometheus metrics: tandem_commands_total{type, result}, where result
// is "ok", "deduplicated" or the refusal's status code ("permission_denied", "rejected", ...),
// and tandem_command_seconds{type}. No-ops when no registry was given.
#pragma once

#include <string>

#include "tandem/basics/status.h"
#include "tandem/domain/command.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace tandem {

class CommandMetrics {
 public:
  explicit CommandMetrics(prometheus::Registry* registry);

  void Executed(CommandType type, const Status& status, bool deduplicated, double seconds);

 private:
  prometheus::Family<prometheus::Counter>* commands_ = nullptr;
  prometheus::Family<prometheus::Histogram>* seconds_ = nullptr;
};

}  // namespace tandem
