// RowCacheBudget: the memory that the row caches (DocCache, IdIndex) of one set of projections may
// keep between batches, shared by all of them.
//
// A rebuild folds into 57 caches on two threads. A bound per cache either starves the
// caches whose rows every batch touches again (a project's header) or lets each of them fill
// up with rows read once (a comment's question fact), so that a rebuild's memory grew with the
// log. One budget lets the caches that are reused keep what the others would have wasted.
//
// Caches charge what they hold (an estimate: key, stored text, the decoded row as much again,
// not the allocator's overhead; it runs low by 10-45% for most rows and up to 3.5x for rows
// that are maps of many small entries) and, at a flush of a batch that used some of their rows,
// forget the rows the batch did not use when the budget is exceeded (all of them after a few
// batches that used none, so that an idle cache gives its share back). The
// rows a batch uses stay until its flush whatever the budget, and the last batch's until the
// next one's, so what is kept is at most the budget or two batches' rows: bounded by the batch
// size, not by the history (a row being whole: a batch that adds one comment id to an IdIndex
// bucket holds the bucket's hundred ids).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace tandem {

class RowCacheBudget {
 public:
  // Above INT64_MAX counts as INT64_MAX (no limit in practice).
  explicit RowCacheBudget(size_t bytes)
      : limit_(static_cast<int64_t>(
            std::min<size_t>(bytes, static_cast<size_t>(std::numeric_limits<int64_t>::max())))) {}
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

// A cache's batches, and which of its rows it forgets at a flush when the budget is exceeded:
// those the batch did not use, or all of them once no batch has used any for more than a few
// flushes. A batch that uses none says nothing about which rows are cold (the directory's rounds
// are mostly without an event of its own), so such a cache keeps its rows over a few of them;
// after that it would hold its share of the budget while the caches in use forget theirs.
class CacheGenerations {
 public:
  // A row is used by this batch: the stamp to give it.
  uint64_t Use() {
    used_in_batch_ = true;
    return generation_;
  }
  enum class Forgetting { kNothing, kUnused, kAll };
  // At a flush, before NextBatch: kUnused means the rows whose stamp is not current().
  Forgetting AtFlush(const RowCacheBudget& budget) {
    idle_flushes_ = used_in_batch_ ? 0 : idle_flushes_ + 1;
    if (!budget.Exceeded()) return Forgetting::kNothing;
    if (used_in_batch_) return Forgetting::kUnused;
    return idle_flushes_ > kIdleFlushesKept ? Forgetting::kAll : Forgetting::kNothing;
  }
  uint64_t current() const { return generation_; }
  void NextBatch() {
    ++generation_;
    used_in_batch_ = false;
  }

 private:
  static constexpr uint64_t kIdleFlushesKept = 2;
  uint64_t generation_ = 0;
  bool used_in_batch_ = false;  // whether a row was used since the last flush
  uint64_t idle_flushes_ = 0;   // flushes in a row whose batch used no row
};

}  // namespace tandem
