#include "command_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace tandem {

CommandMetrics::CommandMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  commands_ = &prometheus::BuildCounter()
                   .Name("tandem_commands_total")
                   .Help(
                       "Commands handled, by command type and result (ok, deduplicated or the "
                       "refusal's status code)")
                   .Register(*registry);
  seconds_ = &prometheus::BuildHistogram()
                  .Name("tandem_command_seconds")
                  .Help("Time to decide and durably append one command, by command type")
                  .Register(*registry);
}

void CommandMetrics::Executed(CommandType type, const Status& status, bool deduplicated,
                              double seconds) {
  if (commands_ == nullptr) return;
  const std::string name(CommandTypeName(type));
  const std::string result = !status.ok()   ? std::string(status.CodeName())
                             : deduplicated ? "deduplicated"
                                            : "ok";
  commands_->Add({{"type", name}, {"result", result}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.0005, 0.001, 0.002, 0.005, 0.01,
                                                                0.02,   0.05,  0.1,   0.5,   1};
  seconds_->Add({{"type", name}}, kBuckets).Observe(seconds);
}

}  // namespace tandem
