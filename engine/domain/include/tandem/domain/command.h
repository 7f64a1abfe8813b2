// Commands: the only way a change enters Tandem. A command names what the actor wants done; the
// CommandHandler decides whether it may and must become events.
//
// JSON form (what every entry point accepts): one object with the common fields and the
// command's own fields side by side, e.g.
//
//   {"type": "milestone.complete", "command_id": "c-81", "workspace": "northwind",
//    "actor": "ana", "expected_version": 2,
//    "project_id": "website", "milestone_id": "launch", "completed_date": "2026-12-01"}
//
//  - `command_id` is the idempotency key: a retry with the same id is answered with the events
//    the first attempt wrote, and writes nothing.
//  - `expected_version` is the version of the thing the command changes (a milestone, card,
//    board, file, approval, report link, member or client branding), as the caller last saw it.
//    Commands that change an existing thing require it; "any" opts out explicitly. One that
//    creates its thing (always, or when there is none) takes 0 (or nothing) for a new one.
//  - Unknown fields are refused, so a misspelt field never silently does nothing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tandem/basics/status.h"

namespace tandem {

enum class CommandType : uint8_t {
  kCreateWorkspace,
  kAddClient,
  kInviteMember,
  kGrantRole,
  kRevokeRole,
  kSetBranding,
  kCreateProject,
  kPlanMilestone,
  kStartMilestone,
  kRescheduleMilestone,
  kCompleteMilestone,
  kBlockMilestone,
  kUnblockMilestone,
  kRequestDocument,
  kUploadFile,
  kPostComment,
  kConfigureBoard,
  kCreateCard,
  kMoveCard,
  kLinkCards,
  kRequestApproval,
  kGrantApproval,
  kRejectApproval,
  kIssueReportLink,
  kRevokeReportLink,
};

// Every command type, in declaration order.
const std::vector<CommandType>& AllCommandTypes();
// The JSON name, e.g. "milestone.complete".
std::string_view CommandTypeName(CommandType type);
bool ParseCommandType(std::string_view name, CommandType* type);

// Which stream a command's events go to.
enum class CommandScope : uint8_t { kWorkspace, kProject };
CommandScope ScopeOf(CommandType type);

// What a comment, file or approval is attached to.
struct AnchorRef {
  std::string kind;  // "project", "milestone", "card" or "file"
  std::string id;
  friend bool operator==(const AnchorRef&, const AnchorRef&) = default;
};

// A command's own fields, already checked against the command's field specification: getters
// return the type the specification names, or an empty value for an absent optional field.
class CommandArgs {
 public:
  using Value = std::variant<std::string, int64_t, std::vector<std::string>, AnchorRef>;

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  const std::string& Str(const std::string& name) const;
  int64_t Int(const std::string& name) const;
  const std::vector<std::string>& List(const std::string& name) const;
  const AnchorRef& Anchor(const std::string& name) const;

  void Set(const std::string& name, Value value) { values_[name] = std::move(value); }
  // Every field given, by name.
  const std::map<std::string, Value>& values() const { return values_; }

 private:
  std::map<std::string, Value> values_;
};

struct Command {
  CommandType type = CommandType::kCreateWorkspace;
  std::string command_id;
  std::string workspace;
  std::string actor;
  // Absent means the caller named none; "any" in JSON sets `expected_any`.
  std::optional<uint64_t> expected_version;
  bool expected_any = false;
  CommandArgs args;
};

struct CommandLimits {
  // Longest free text (comment bodies, descriptions, reasons).
  size_t max_text_bytes = 16 * 1024;
  // Largest uploaded file, decoded.
  uint64_t max_file_bytes = 25ull * 1024 * 1024;
};

// The longest JSON text accepted for a command of `type`, checked before the JSON is parsed.
// Only `file.upload` may be large: its content in base64 plus 64 KiB for its other fields.
// Every other command gets what its fields can hold even with each text character escaped as
// \uXXXX: 6 × max_text_bytes + 32 KiB (128 KiB by default).
uint64_t MaxCommandBytes(CommandType type, const CommandLimits& limits);

// Parses and validates one JSON command. The text must be valid UTF-8 and within
// MaxCommandBytes of its type; the parser's memory is bounded by the same limit. Errors are
// InvalidArgument with a stable reason: command.malformed_json, command.invalid_utf8,
// command.too_deep, command.duplicate_field, command.unknown_type, command.missing_field,
// command.unknown_field, command.wrong_type, command.invalid_value, command.too_large.
Status ParseCommand(std::string_view json, const CommandLimits& limits, Command* command);

// The top-level "command_id" of a command's JSON, read in one pass that builds nothing (memory
// does not grow with the text) and executes nothing, so that even a refused command's answer
// can be keyed by the id its sender looks for. False unless the text is one well-formed JSON
// object, nesting no deeper than commands do, with no field given twice, whose command_id is a
// non-empty string of at most 128 bytes.
bool PeekCommandId(std::string_view json, std::string* command_id);

}  // namespace tandem
