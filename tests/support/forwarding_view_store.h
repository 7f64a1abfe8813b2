// A views database that hands every call to another (the real one): tests derive from it and
// override only what they watch or break (a commit that fails, kills, or is observed).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "tandem/projections/view_store.h"

namespace tandem::test {

class ForwardingViewStore : public ViewStore {
 public:
  explicit ForwardingViewStore(std::unique_ptr<ViewStore> base) : base_(std::move(base)) {}

  Status GetCheckpoint(std::string_view view, ViewCheckpoint* checkpoint) override {
    return base_->GetCheckpoint(view, checkpoint);
  }
  Status GetSourceOffsets(std::string_view view, std::vector<SourceOffset>* offsets) override {
    return base_->GetSourceOffsets(view, offsets);
  }
  Status Drop(std::string_view view) override { return base_->Drop(view); }
  using ViewStore::NewBatch;
  std::unique_ptr<ViewBatch> NewBatch(const BatchOptions& options) override {
    return base_->NewBatch(options);
  }
  using ViewStore::Commit;
  Status Commit(ViewBatch* batch, const CommitOptions& options) override {
    return base_->Commit(batch, options);
  }
  Status FlushCommits() override { return base_->FlushCommits(); }
  bool writes_behind() const override { return base_->writes_behind(); }
  Status NewSnapshot(std::shared_ptr<const ViewSnapshot>* snapshot) override {
    return base_->NewSnapshot(snapshot);
  }
  using ViewStore::NewReader;
  Status NewReader(std::string_view view, const ReaderOptions& options,
                   std::unique_ptr<ViewReader>* reader) override {
    return base_->NewReader(view, options, reader);
  }
  uint64_t ApproximateSize(std::string_view view) override { return base_->ApproximateSize(view); }
  uint64_t ApproximateKnownKeysBytes(std::string_view view) override {
    return base_->ApproximateKnownKeysBytes(view);
  }
  Status Compact(const std::vector<std::string>& views) override { return base_->Compact(views); }
  Status VerifyChecksums() override { return base_->VerifyChecksums(); }
  Status CopyTo(const std::string& dir) override { return base_->CopyTo(dir); }

 protected:
  ViewStore* base() { return base_.get(); }

 private:
  std::unique_ptr<ViewStore> base_;
};

}  // namespace tandem::test
