// The contiguous prefix of acknowledged positions. The relay hands events to the producer in
// global order (every position, none twice); Kafka acknowledges them per partition, so across
// partitions out of order. The published position may only pass an event once it and every
// event before it are acknowledged. Not thread-safe: the relay holds its lock around it.
#pragma once
#include <cstdint>
#include <deque>

namespace tandem::kafka {

class DeliveryTracker {
 public:
  // Tracking starts after `position`: the next event sent must be position + 1.
  explicit DeliveryTracker(uint64_t position) : prefix_(position) {}

  // `position` was handed to the producer (false unless it is the next position).
  bool Sent(uint64_t position);
  // `position` needs no delivery (it is on the topic already): acknowledged at once.
  bool Skipped(uint64_t position);
  // Kafka acknowledged `position` (false for a position not in flight).
  bool Acknowledged(uint64_t position);

  // The last position of the acknowledged prefix.
  uint64_t prefix() const { return prefix_; }
  // The last position sent or skipped.
  uint64_t last() const { return prefix_ + pending_.size(); }
  // Sent and not acknowledged yet.
  uint64_t in_flight() const { return in_flight_; }

 private:
  uint64_t prefix_;
  // One entry per position after the prefix: acknowledged or not.
  std::deque<bool> pending_;
  uint64_t in_flight_ = 0;
};

}  // namespace tandem::kafka
