#include <openssl/evp.h>

#include <memory>

#include "tandem/projections/views.h"

namespace tandem {
namespace {

void AddLength(EVP_MD_CTX* ctx, uint64_t n) {
  unsigned char bytes[8];
  for (int i = 7; i >= 0; --i, n >>= 8) bytes[i] = static_cast<unsigned char>(n & 0xff);
  EVP_DigestUpdate(ctx, bytes, sizeof bytes);
}

}  // namespace

Status HashView(ViewSource* source, const std::string& view, std::string* hex) {
  const RowReader* rows = nullptr;
  Status s = source->Reader(view, &rows);
  if (!s.ok()) return s;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Status::IOError("cannot start a SHA-256 digest");
  }
  // Lengths first, so that no two different sets of rows serialise alike.
  s = rows->Scan("", [&](std::string_view key, std::string_view value) {
    AddLength(ctx.get(), key.size());
    EVP_DigestUpdate(ctx.get(), key.data(), key.size());
    AddLength(ctx.get(), value.size());
    EVP_DigestUpdate(ctx.get(), value.data(), value.size());
    return true;
  });
  if (!s.ok()) return s;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  static const char* kHex = "0123456789abcdef";
  hex->clear();
  for (unsigned int i = 0; i < length; ++i) {
    hex->push_back(kHex[digest[i] >> 4]);
    hex->push_back(kHex[digest[i] & 15]);
  }
  return Status::OK();
}

}  // namespace tandem
