// Opening a views database the way a reader in another process does (`tandem view`).
#pragma once

#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "fault_file_system.h"
#include "tandem/projections/view_store.h"
#include "tandem/projections/views.h"

namespace tandem::test {

// `options` writing through a new FaultFileSystem, given back in `*faults` for the test to inject
// failures into.
inline ViewStoreOptions WithFaults(ViewStoreOptions options,
                                   std::shared_ptr<FaultFileSystem>* faults) {
  *faults = std::make_shared<FaultFileSystem>();
  options.file_system = *faults;
  return options;
}

// The views database at `path`, read-only and never created; null (and a test failure) when
// it cannot be opened.
inline std::unique_ptr<ViewStore> OpenViewsReadOnly(const std::string& path) {
  ViewStoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  std::unique_ptr<ViewStore> store;
  Status s = ViewStore::Open(options, path, &store);
  EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
  return store;
}

// What a query opening `view` gets: OK when the view is served, else why not.
inline Status ServedStatus(ViewStore* store, const std::string& view) {
  std::unique_ptr<ViewSource> source;
  Status s = OpenLiveViewSource(store, &source);
  const RowReader* rows = nullptr;
  return s.ok() ? source->Reader(view, &rows) : s;
}

// A view's stored rows as they are, served or not (a view being folded again is refused to
// queries until it has folded the log, but its rows must be a fold to its checkpoint all along).
class StoredRowsSource : public ViewSource {
 public:
  explicit StoredRowsSource(ViewStore* store) : store_(store) {}
  Status Reader(const std::string& view, const RowReader** reader) override {
    std::unique_ptr<ViewReader>& r = readers_[view];
    if (r == nullptr) {
      Status s = store_->NewReader(view, &r);
      if (!s.ok()) return s;
    }
    *reader = r.get();
    return Status::OK();
  }
  uint64_t Position() const override { return 0; }
  bool as_of() const override { return false; }

 private:
  ViewStore* store_;
  std::map<std::string, std::unique_ptr<ViewReader>> readers_;
};

}  // namespace tandem::test
