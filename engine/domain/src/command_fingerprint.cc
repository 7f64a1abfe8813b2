#include "command_fingerprint.h"

#include <string_view>
#include <type_traits>

#include "tandem/domain/blob_store.h"

namespace tandem {
namespace {

void Part(std::string* out, std::string_view bytes) {
  out->append(std::to_string(bytes.size()));
  out->push_back(':');
  out->append(bytes);
}

}  // namespace

std::string CommandFingerprint(const Command& command) {
  std::string canonical;
  Part(&canonical, CommandTypeName(command.type));
  Part(&canonical, command.workspace);
  Part(&canonical, command.actor);
  Part(&canonical, command.command_id);
  Part(&canonical, command.expected_any ? "any"
                   : command.expected_version.has_value()
                       ? std::to_string(*command.expected_version)
                       : "");
  for (const auto& [name, value] : command.args.values()) {
    Part(&canonical, name);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            Part(&canonical, "s");
            Part(&canonical, v);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            Part(&canonical, "i");
            Part(&canonical, std::to_string(v));
          } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            Part(&canonical, "l" + std::to_string(v.size()));
            for (const std::string& item : v) Part(&canonical, item);
          } else {
            Part(&canonical, "a");
            Part(&canonical, v.kind);
            Part(&canonical, v.id);
          }
        },
        value);
  }
  return "sha256:" + Sha256Hex(canonical);
}

}  // namespace tandem
