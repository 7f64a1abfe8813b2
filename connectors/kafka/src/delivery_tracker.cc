#include "delivery_tracker.h"

namespace tandem::kafka {

bool DeliveryTracker::Sent(uint64_t position) {
  if (position != last() + 1) return false;
  pending_.push_back(false);
  in_flight_++;
  return true;
}

bool DeliveryTracker::Skipped(uint64_t position) {
  if (position != last() + 1) return false;
  if (pending_.empty()) {
    prefix_ = position;
  } else {
    pending_.push_back(true);
  }
  return true;
}

bool DeliveryTracker::Acknowledged(uint64_t position) {
  if (position <= prefix_ || position > last()) return false;
  bool& acked = pending_[position - prefix_ - 1];
  if (acked) return false;
  acked = true;
  in_flight_--;
  while (!pending_.empty() && pending_.front()) {
    pending_.pop_front();
    prefix_++;
  }
  return true;
}

}  // namespace tandem::kafka
