// Opening a views database the way a reader in another process does (`tandem view`).
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "tandem/projections/view_store.h"

namespace tandem::test {

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

}  // namespace tandem::test
