// BlobStore: file contents, stored content-addressed by SHA-256 in a folder.
//
// Contract:
//  - Put stores bytes under their SHA-256 and returns it; storing the same bytes twice keeps one
//    copy. A stored blob is complete and synced before Put returns (written to a temporary
//    name, fsynced, then renamed), so an event that references it never points at a torn file.
//  - Get verifies the bytes against their name before returning them: a damaged blob is
//    Corruption, never data.
//  - Contents larger than BlobStoreOptions::max_blob_bytes are refused before anything is
//    written.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tandem/basics/status.h"

namespace tandem {

struct BlobStoreOptions {
  uint64_t max_blob_bytes = 25ull * 1024 * 1024;
};

struct BlobRef {
  std::string sha256;  // lowercase hex
  uint64_t size = 0;
  std::string content_ref;  // "sha256:<hex>", what events carry
};

// Lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

class BlobStore {
 public:
  // Opens the blob folder at `path`, creating it if missing.
  static Status Open(const BlobStoreOptions& options, const std::string& path,
                     std::unique_ptr<BlobStore>* store);

  Status Put(std::string_view bytes, BlobRef* ref);
  // `sha256` as returned by Put (or the hex of a content_ref).
  Status Get(const std::string& sha256, std::string* bytes) const;

  const BlobStoreOptions& options() const { return options_; }

 private:
  BlobStore(const BlobStoreOptions& options, std::string path)
      : options_(options), path_(std::move(path)) {}
  std::string PathOf(const std::string& sha256) const;

  BlobStoreOptions options_;
  std::string path_;
};

}  // namespace tandem
