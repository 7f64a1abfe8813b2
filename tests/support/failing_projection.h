// A projection that cannot be written: one view failing, however often it is folded again,
// beside real ones (the runner's failure paths over the real views).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "tandem/projections/projection.h"

namespace tandem::test {

// A projection whose Flush fails with an I/O error while `*failing` (a view that cannot be
// written, however often it is folded again), counting its failures in `*failures` when given.
// Atomic: a live runner folds on its own thread.
class FlushFails : public Projection {
 public:
  FlushFails(std::unique_ptr<Projection> base, const std::atomic<bool>* failing,
             std::atomic<int>* failures = nullptr)
      : base_(std::move(base)), failing_(failing), failures_(failures) {}
  std::string_view name() const override { return base_->name(); }
  uint32_t version() const override { return base_->version(); }
  bool gates_reads() const override { return base_->gates_reads(); }
  EventFilter filter() const override { return base_->filter(); }
  bool projects_fold_apart() const override { return base_->projects_fold_apart(); }
  Status Apply(const schema::Event& e, ViewRows* rows) override { return base_->Apply(e, rows); }
  Status Flush(ViewRows* rows) override {
    if (*failing_) {
      if (failures_ != nullptr) ++*failures_;
      return Status::IOError(std::string(name()) + " cannot be written (test)");
    }
    return base_->Flush(rows);
  }
  void Forget() override { base_->Forget(); }

 private:
  std::unique_ptr<Projection> base_;
  const std::atomic<bool>* failing_;
  std::atomic<int>* failures_;
};

}  // namespace tandem::test
