// The field specification of every command: the single table the parser validates against and
// the handler relies on.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "tandem/domain/command.h"

namespace tandem::command_spec {

// The longest id a command may name (a namespaced id, "client:" + id, must stay nameable too).
inline constexpr size_t kMaxIdBytes = 128;

enum class FieldKind : uint8_t {
  kId,        // 1..kMaxIdBytes bytes of [A-Za-z0-9._:@-]
  kName,      // 1..200 bytes, no control characters
  kText,      // up to CommandLimits::max_text_bytes; required means non-blank
  kDate,      // an ISO-8601 calendar date, "2026-12-01"
  kRole,      // "owner", "project_manager", ... (see RoleName)
  kAudience,  // "internal" or "client"
  kAnchor,    // {"kind": "milestone" | "card" | "file" | "project", "id": "<id>"}
  kColumns,   // 1..20 distinct names
  kContent,   // base64; stored decoded, at most CommandLimits::max_file_bytes
  kInstant,   // microseconds since the epoch
  kSha256,    // 64 lowercase hex digits
  kColor,     // "#rrggbb"
  kEmail,     // local@domain, at most 254 bytes
};

struct FieldSpec {
  std::string_view name;
  FieldKind kind;
  bool required;
};

struct CommandSpec {
  CommandType type;
  std::string_view name;
  CommandScope scope;
  std::vector<FieldSpec> fields;
};

// The fields every command has, beside its own.
inline constexpr std::string_view kCommonFields[] = {"type", "command_id", "workspace", "actor",
                                                     "expected_version"};

const CommandSpec& SpecOf(CommandType type);
// Whether the command only makes a new thing (a taken id is refused): its thing is at version 0
// before it, so a numeric expected_version other than 0 is refused.
bool CreatesOnly(CommandType type);
const std::vector<CommandSpec>& AllSpecs();

}  // namespace tandem::command_spec
