#include "log_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace tandem {

LogMetrics::LogMetrics(prometheus::Registry* registry) {
  if (!registry) return;
  auto& appends = prometheus::BuildCounter()
                      .Name("tandem_log_appends_total")
                      .Help("Append calls by outcome")
                      .Register(*registry);
  appends_ok_ = &appends.Add({{"result", "committed"}});
  appends_deduplicated_ = &appends.Add({{"result", "deduplicated"}});
  appends_conflict_ = &appends.Add({{"result", "wrong_expected_version"}});
  appends_error_ = &appends.Add({{"result", "error"}});
  events_ = &prometheus::BuildCounter()
                 .Name("tandem_log_events_appended_total")
                 .Help("Events committed to the log")
                 .Register(*registry)
                 .Add({});
  batch_events_ = &prometheus::BuildHistogram()
                       .Name("tandem_log_group_commit_events")
                       .Help("Events acknowledged by one synced journal write (synced mode)")
                       .Register(*registry)
                       .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128,
                                                                        256, 512, 1024});
  write_seconds_ =
      &prometheus::BuildHistogram()
           .Name("tandem_log_write_seconds")
           .Help("Duration of one synced journal write, which acknowledges every group before it")
           .Register(*registry)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.0005, 0.001, 0.002, 0.005,
                                                            0.01, 0.05, 0.1, 1});
  last_position_ = &prometheus::BuildGauge()
                        .Name("tandem_log_last_position")
                        .Help("Last committed global position")
                        .Register(*registry)
                        .Add({});
  journal_wraps_ = &prometheus::BuildCounter()
                        .Name("tandem_log_journal_wraps_total")
                        .Help("Times the journal filled up and started over after a WAL sync")
                        .Register(*registry)
                        .Add({});
  journal_recovered_events_ =
      &prometheus::BuildCounter()
           .Name("tandem_log_journal_recovered_events_total")
           .Help("Events re-applied from the journal when the log was opened")
           .Register(*registry)
           .Add({});
}

void LogMetrics::AppendCommitted(uint64_t events) {
  if (!appends_ok_) return;
  appends_ok_->Increment();
  events_->Increment(static_cast<double>(events));
}

void LogMetrics::AppendDeduplicated() {
  if (appends_deduplicated_) appends_deduplicated_->Increment();
}

void LogMetrics::AppendConflicted() {
  if (appends_conflict_) appends_conflict_->Increment();
}

void LogMetrics::AppendFailed() {
  if (appends_error_) appends_error_->Increment();
}

void LogMetrics::GroupCommit(uint64_t events, double write_seconds) {
  if (!batch_events_) return;
  batch_events_->Observe(static_cast<double>(events));
  write_seconds_->Observe(write_seconds);
}

void LogMetrics::LastPosition(uint64_t position) {
  if (last_position_) last_position_->Set(static_cast<double>(position));
}

void LogMetrics::JournalWrapped() {
  if (journal_wraps_) journal_wraps_->Increment();
}

void LogMetrics::JournalRecovered(uint64_t events) {
  if (journal_recovered_events_) journal_recovered_events_->Increment(static_cast<double>(events));
}

}  // namespace tandem
