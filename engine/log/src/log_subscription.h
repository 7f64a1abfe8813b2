// Catch-up-then-live subscription over an EventLogImpl: reads committed events from disk in
// pages and, once caught up, sleeps on the log's commit signal until more are committed. A page
// that fails to read is dropped whole, so each event is delivered once, in order, even across
// errors. Next registers on the log's commit signal while it runs, so closing the log wakes it
// with Shutdown and waits for it to return; once the log is gone Next returns Shutdown without
// touching it.
#pragma once

#include <memory>
#include <vector>

#include "event_log_impl.h"
#include "tandem/log/event_log.h"

namespace tandem {

class LogSubscription : public Subscription {
 public:
  LogSubscription(EventLogImpl* log, SubscriptionOptions options);
  Status Next(RecordedEvent* event, std::chrono::milliseconds timeout) override;
  uint64_t position() const override { return delivered_; }

 private:
  Status NextInside(RecordedEvent* event, std::chrono::milliseconds timeout);

  EventLogImpl* log_;
  const std::shared_ptr<EventLogImpl::CommitSignal> signal_;
  const SubscriptionOptions options_;
  uint64_t delivered_;
  // Every event at or before this position has been read into page_ or skipped by the filter.
  uint64_t scanned_;
  std::vector<RecordedEvent> page_;
  size_t next_in_page_ = 0;
};

}  // namespace tandem
