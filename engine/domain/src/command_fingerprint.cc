#include "command_fingerprint.h"

#include <string_view>
#include <type_traits>

#include <openssl/evp.h>

namespace tandem {
namespace {

// SHA-256 fed part by part: a file's content is hashed where it lies, not copied first.
class Digest {
 public:
  Digest() : context_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(context_, EVP_sha256(), nullptr); }
  ~Digest() { EVP_MD_CTX_free(context_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  // The part's length, ':', and its bytes: no two sequences of parts feed the same bytes.
  void Part(std::string_view bytes) {
    const std::string length = std::to_string(bytes.size()) + ":";
    EVP_DigestUpdate(context_, length.data(), length.size());
    EVP_DigestUpdate(context_, bytes.data(), bytes.size());
  }

  std::string Hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_, digest, &size);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out.push_back(kHex[digest[i] >> 4]);
      out.push_back(kHex[digest[i] & 15]);
    }
    return out;
  }

 private:
  EVP_MD_CTX* context_;
};

}  // namespace

std::string CommandFingerprint(const Command& command) {
  Digest digest;
  digest.Part(CommandTypeName(command.type));
  digest.Part(command.workspace);
  digest.Part(command.actor);
  digest.Part(command.command_id);
  digest.Part(command.expected_any                   ? "any"
              : command.expected_version.has_value() ? std::to_string(*command.expected_version)
                                                     : "");
  for (const auto& [name, value] : command.args.values()) {
    digest.Part(name);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            digest.Part("s");
            digest.Part(v);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            digest.Part("i");
            digest.Part(std::to_string(v));
          } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            digest.Part("l" + std::to_string(v.size()));
            for (const std::string& item : v) digest.Part(item);
          } else {
            digest.Part("a");
            digest.Part(v.kind);
            digest.Part(v.id);
          }
        },
        value);
  }
  return "sha256:" + digest.Hex();
}

}  // namespace tandem
