// RowCacheBudget: the memory that the row caches (DocCache) of one set of projections may keep
// between batches, shared by all of them.
//
// A rebuild folds into some 45 caches on two threads. A bound per cache either starves the
// caches whose rows every batch touches again (a project's header) or lets each of them fill
// up with rows read once (a comment's question fact), so that a rebuild's memory grew with the
// log. One budget lets the caches that are reused keep what the others would have wasted.
//
// Caches charge what they hold (an estimate: key, stored text, the decoded row as much again)
// and, at each flush, forget the rows the batch did not use when the budget is exceeded. The
// rows one batch uses stay until its flush whatever the budget, so the peak is the budget plus
// one batch's rows: bounded by the batch size, not by the history.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tandem {

class RowCacheBudget {
 public:
  explicit RowCacheBudget(size_t bytes) : limit_(static_cast<int64_t>(bytes)) {}
  RowCacheBudget(const RowCacheBudget&) = delete;
  RowCacheBudget& operator=(const RowCacheBudget&) = delete;

  // Caches on different fold threads charge at once; what matters is the sum, not the order.
  void Charge(int64_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }
  bool Exceeded() const { return used_.load(std::memory_order_relaxed) > limit_; }
  int64_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  const int64_t limit_;
  std::atomic<int64_t> used_{0};
};

}  // namespace tandem
