#include "log_subscription.h"

#include "event_log_impl.h"

namespace tandem {

LogSubscription::LogSubscription(EventLogImpl* log, SubscriptionOptions options)
    : log_(log),
      signal_(log->commit_signal()),
      options_(std::move(options)),
      delivered_(options_.after_position),
      scanned_(options_.after_position) {}

Status LogSubscription::Next(RecordedEvent* event, std::chrono::milliseconds timeout) {
  // Checked on the shared signal, not the log: the log may already be gone.
  if (!signal_->Enter()) return Status::Shutdown("the event log is closed");
  Status s = NextInside(event, timeout);
  signal_->Leave();
  return s;
}

Status LogSubscription::NextInside(RecordedEvent* event, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (next_in_page_ < page_.size()) {
      *event = std::move(page_[next_in_page_++]);
      delivered_ = event->global_position();
      return Status::OK();
    }
    const uint64_t last = log_->LastPosition();
    if (last > scanned_) {
      ReadOptions read;
      read.as_of_position = last;
      read.max_count = options_.page_size;
      page_.clear();
      next_in_page_ = 0;
      Status s = options_.tenant.empty()
                     ? log_->ReadAll(scanned_ + 1, read, &page_)
                     : log_->ReadTenant(options_.tenant, scanned_ + 1, read, &page_);
      if (!s.ok()) {
        // Nothing of a failed read is delivered: the next call reads again from the same
        // place, right after the last event delivered (or skipped by the filter).
        page_.clear();
        return s;
      }
      scanned_ = page_.size() < options_.page_size ? last : page_.back().global_position();
      continue;
    }
    bool closing = false;
    if (!log_->WaitForCommitAfter(scanned_, deadline, &closing)) {
      if (closing) return Status::Shutdown("the event log is closing");
      return Status::TimedOut("no new event within the timeout");
    }
  }
}

}  // namespace tandem
