// JSON → Command, checked field by field against the command's specification.
#include <algorithm>
#include <cctype>
#include <set>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json.hpp>

#include "command_scan.h"
#include "command_spec.h"
#include "tandem/basics/utf8.h"
#include "tandem/basics/visible_text.h"
#include "tandem/domain/command.h"
#include "tandem/domain/roles.h"

namespace tandem {
namespace {

namespace json = boost::json;
using command_spec::FieldKind;
using command_spec::FieldSpec;

using command_spec::kMaxIdBytes;
constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxColumns = 20;
// How much of a bad value or unknown name a message quotes.
constexpr size_t kMaxQuotedBytes = 64;

// Quoted as a terminal or a log line may show it: a refusal is logged, and the asker's control
// codes must not forge a line of the log or turn it around.
std::string Quote(std::string_view s) { return utf8::Printable(s, kMaxQuotedBytes); }

Status MissingField(std::string_view field) {
  return Status::InvalidArgument("command.missing_field",
                                 "missing required field '" + std::string(field) + "'");
}

Status WrongType(std::string_view field, std::string_view expected) {
  return Status::InvalidArgument(
      "command.wrong_type", "field '" + std::string(field) + "' must be " + std::string(expected));
}

Status InvalidValue(std::string_view field, std::string_view why) {
  return Status::InvalidArgument("command.invalid_value",
                                 "field '" + std::string(field) + "' " + std::string(why));
}

Status TooLarge(std::string_view field, uint64_t limit) {
  return Status::InvalidArgument("command.too_large", "field '" + std::string(field) +
                                                          "' is larger than the limit of " +
                                                          std::to_string(limit) + " bytes");
}

Status CommandTooLarge(uint64_t size, uint64_t limit, const std::string& what) {
  return Status::InvalidArgument("command.too_large", "the command is " + std::to_string(size) +
                                                          " bytes, more than the limit of " +
                                                          std::to_string(limit) + " for " + what);
}

// The largest command of any type.
uint64_t LargestCommandBytes(const CommandLimits& limits) {
  uint64_t largest = 0;
  for (CommandType t : AllCommandTypes()) largest = std::max(largest, MaxCommandBytes(t, limits));
  return largest;
}

// The memory a command's JSON tree may take while it is parsed. Measured with
// command_scan::BudgetResource: a command that is mostly one string (every legal command) peaks
// at its text size plus under 1 KiB, while piles of tiny values take 11 to 24 bytes per byte of
// text (the 32 MB `comment.post` of zeros that once took 825 MB). The text limit plus 64 KiB
// admits every legal command and refuses such a pile after a few KiB.
uint64_t ParseBudget(uint64_t command_limit) { return command_limit + 64 * 1024; }

// Control codes, C1 controls included, and bidirectional overrides (utf8::LayoutControlLength):
// a client's card title holding U+0085 read as a second line in the firm's feed, one holding
// U+202E showed the rest of the line reversed (review, 2026-12-07). A text may break its lines
// (\n, \r, \t, and the Unicode line and paragraph separators); a name may not.
bool HasControlCharacters(std::string_view s, bool allow_newlines) {
  for (size_t i = 0; i < s.size(); ++i) {
    const size_t n = utf8::LayoutControlLength(s, i);
    if (n == 0) continue;
    const std::string_view control = s.substr(i, n);
    const bool line_break = control == "\n" || control == "\r" || control == "\t" ||
                            control == "\xE2\x80\xA8" || control == "\xE2\x80\xA9";
    if (!allow_newlines || !line_break) return true;
    i += n - 1;
  }
  return false;
}

// Blank: nothing shows (visible_text::LooksBlank): white space, line breaks, joiners and marks,
// invisible characters (review, 2026-12-07: a question of only U+2028 was accepted while one of
// only "\n" was not; 2026-12-08: names of only U+2800 or U+3164 looked empty).
bool IsBlank(std::string_view s) { return visible_text::LooksBlank(s); }

// Characters that show nothing and that no name needs (visible_text::Look::kInvisible, and tag
// characters outside a flag): "Ben" followed by U+200B looks like "Ben" and is another name, and
// tags after a flag's U+1F3F4 carried a line of hidden text (review, 2026-12-08). The joiners
// and direction marks stay (Persian and Indic names, emoji, right-to-left text), and so do
// variation selectors where they change what they follow (an emoji, a CJK ideograph).
bool HasInvisibleCharacters(std::string_view s) {
  return visible_text::Has(s, visible_text::Look::kInvisible) ||
         visible_text::Has(s, visible_text::Look::kHiddenText);
}

// An address shows all it holds: no space, control, mark or invisible character that would make
// two addresses look alike.
bool ShowsEveryCharacter(std::string_view s) {
  visible_text::Units units(s);
  for (visible_text::Unit u; units.Next(&u);) {
    if (u.look != visible_text::Look::kShown) return false;
  }
  return true;
}

Status CheckId(std::string_view field, std::string_view v) {
  if (v.empty() || v.size() > kMaxIdBytes) {
    return InvalidValue(field, "must be 1 to " + std::to_string(kMaxIdBytes) + " bytes");
  }
  for (unsigned char c : v) {
    if (!std::isalnum(c) && c != '.' && c != '_' && c != ':' && c != '@' && c != '-') {
      return InvalidValue(field, "may contain only letters, digits and . _ : @ -");
    }
  }
  return Status::OK();
}

Status CheckName(std::string_view field, std::string_view v) {
  if (v.size() > kMaxNameBytes) return TooLarge(field, kMaxNameBytes);
  if (HasControlCharacters(v, false)) return InvalidValue(field, "must not contain control codes");
  if (IsBlank(v)) return InvalidValue(field, "must not be blank");
  if (HasInvisibleCharacters(v)) {
    return InvalidValue(field, "must not contain invisible characters (such as U+200B)");
  }
  return Status::OK();
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

Status CheckDate(std::string_view field, std::string_view v) {
  const Status bad =
      InvalidValue(field, "must be a calendar date YYYY-MM-DD, got '" + Quote(v) + "'");
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return bad;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return bad;
  }
  const int y = std::stoi(std::string(v.substr(0, 4)));
  const int m = std::stoi(std::string(v.substr(5, 2)));
  const int d = std::stoi(std::string(v.substr(8, 2)));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || m < 1 || m > 12 || d < 1) return bad;
  if (d > kDays[m - 1] + (m == 2 && IsLeapYear(y) ? 1 : 0)) return bad;
  return Status::OK();
}

Status DecodeBase64(std::string_view field, std::string_view v, uint64_t limit, std::string* out) {
  namespace b64 = boost::beast::detail::base64;
  // Refuse before decoding, so an oversized upload costs no memory.
  if (b64::decoded_size(v.size()) > limit + 2) return TooLarge(field, limit);
  if (v.size() % 4 != 0) return InvalidValue(field, "is not valid base64 (length)");
  out->resize(b64::decoded_size(v.size()));
  auto [written, read] = b64::decode(out->data(), v.data(), v.size());
  const std::string_view rest = v.substr(read);
  if (rest.size() > 2 || rest.find_first_not_of('=') != std::string_view::npos) {
    return InvalidValue(
        field, "is not valid base64 (bad character at offset " + std::to_string(read) + ")");
  }
  out->resize(written);
  if (out->size() > limit) return TooLarge(field, limit);
  return Status::OK();
}

Status ParseAnchor(std::string_view field, const json::value& v, AnchorRef* anchor) {
  static const std::set<std::string, std::less<>> kKinds{"project", "milestone", "card", "file"};
  if (!v.is_object()) return WrongType(field, "an object {\"kind\": ..., \"id\": ...}");
  const json::object& o = v.as_object();
  for (const auto& kv : o) {
    if (kv.key() != "kind" && kv.key() != "id") {
      return Status::InvalidArgument(
          "command.unknown_field",
          "unknown field '" + std::string(field) + "." + Quote(kv.key()) + "'");
    }
  }
  const json::value* kind = o.if_contains("kind");
  const json::value* id = o.if_contains("id");
  if (kind == nullptr) return MissingField(std::string(field) + ".kind");
  if (id == nullptr) return MissingField(std::string(field) + ".id");
  if (!kind->is_string() || !kKinds.count(std::string_view(kind->as_string()))) {
    return InvalidValue(std::string(field) + ".kind",
                        "must be one of \"project\", \"milestone\", \"card\", \"file\"");
  }
  if (!id->is_string()) return WrongType(std::string(field) + ".id", "a string");
  anchor->kind = std::string(kind->as_string());
  anchor->id = std::string(id->as_string());
  return CheckId(std::string(field) + ".id", anchor->id);
}

Status ParseColumns(std::string_view field, const json::value& v,
                    std::vector<std::string>* columns) {
  if (!v.is_array()) return WrongType(field, "an array of column names");
  const json::array& a = v.as_array();
  if (a.empty() || a.size() > kMaxColumns) {
    return InvalidValue(field, "must name 1 to " + std::to_string(kMaxColumns) + " columns");
  }
  std::set<std::string> seen;  // by what shows: "Done" and "Done" with a joiner look the same
  for (const auto& item : a) {
    if (!item.is_string()) return WrongType(field, "an array of strings");
    std::string name(item.as_string());
    Status s = CheckName(field, name);
    if (!s.ok()) return s;
    if (!seen.insert(visible_text::Key(name)).second) {
      return InvalidValue(field, "names '" + Quote(name) + "' twice");
    }
    columns->push_back(std::move(name));
  }
  return Status::OK();
}

Status ParseString(const FieldSpec& spec, std::string_view v, const CommandLimits& limits,
                   CommandArgs* args) {
  Status s;
  std::string value;
  switch (spec.kind) {
    case FieldKind::kId:
      s = CheckId(spec.name, v);
      break;
    case FieldKind::kName:
      s = CheckName(spec.name, v);
      break;
    case FieldKind::kText:
      if (v.size() > limits.max_text_bytes) return TooLarge(spec.name, limits.max_text_bytes);
      if (HasControlCharacters(v, true)) {
        return InvalidValue(spec.name, "must not contain control codes");
      }
      if (spec.required && IsBlank(v)) return InvalidValue(spec.name, "must not be blank");
      // Tag characters show nothing and carry text that tools read: hidden text in a comment.
      if (visible_text::Has(v, visible_text::Look::kHiddenText)) {
        return InvalidValue(spec.name, "must not contain tag characters (U+E0000-U+E007F)");
      }
      break;
    case FieldKind::kDate:
      s = CheckDate(spec.name, v);
      break;
    case FieldKind::kRole: {
      schema::Role role;
      if (!ParseRole(v, &role)) {
        return InvalidValue(spec.name,
                            "must be one of owner, project_manager, staff, client_admin, "
                            "client_member, client_viewer, auditor");
      }
      break;
    }
    case FieldKind::kAudience:
      if (v != "internal" && v != "client") {
        return InvalidValue(spec.name, "must be \"internal\" or \"client\"");
      }
      break;
    case FieldKind::kContent:
      s = DecodeBase64(spec.name, v, limits.max_file_bytes, &value);
      break;
    case FieldKind::kSha256:
      if (v.size() != 64 || v.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return InvalidValue(spec.name, "must be 64 lowercase hex digits");
      }
      break;
    case FieldKind::kColor:
      if (v.size() != 7 || v[0] != '#' ||
          v.find_first_not_of("0123456789abcdefABCDEF", 1) != std::string::npos) {
        return InvalidValue(spec.name, "must be a colour \"#rrggbb\"");
      }
      break;
    case FieldKind::kEmail: {
      const size_t at = v.find('@');
      if (v.size() > 254 || at == 0 || at == std::string::npos || at + 1 >= v.size() ||
          v.find('@', at + 1) != std::string::npos || !ShowsEveryCharacter(v)) {
        return InvalidValue(spec.name, "must be an email address");
      }
      break;
    }
    default:
      return WrongType(spec.name, "of another type");
  }
  if (!s.ok()) return s;
  if (spec.kind != FieldKind::kContent) value = std::string(v);
  args->Set(std::string(spec.name), std::move(value));
  return Status::OK();
}

Status ParseField(const FieldSpec& spec, const json::value& v, const CommandLimits& limits,
                  CommandArgs* args) {
  switch (spec.kind) {
    case FieldKind::kAnchor: {
      AnchorRef anchor;
      Status s = ParseAnchor(spec.name, v, &anchor);
      if (s.ok()) args->Set(std::string(spec.name), std::move(anchor));
      return s;
    }
    case FieldKind::kColumns: {
      std::vector<std::string> columns;
      Status s = ParseColumns(spec.name, v, &columns);
      if (s.ok()) args->Set(std::string(spec.name), std::move(columns));
      return s;
    }
    case FieldKind::kInstant:
      if (!v.is_int64() && !v.is_uint64()) return WrongType(spec.name, "an integer");
      if (v.is_uint64() && v.as_uint64() > static_cast<uint64_t>(INT64_MAX)) {
        return InvalidValue(spec.name, "is out of range");
      }
      args->Set(std::string(spec.name), v.to_number<int64_t>());
      return Status::OK();
    default:
      if (!v.is_string()) return WrongType(spec.name, "a string");
      return ParseString(spec, std::string_view(v.as_string()), limits, args);
  }
}

Status ParseExpectedVersion(const json::value& v, Command* command) {
  if (v.is_string() && v.as_string() == "any") {
    command->expected_any = true;
    return Status::OK();
  }
  if (v.is_uint64() || (v.is_int64() && v.as_int64() >= 0)) {
    command->expected_version = v.to_number<uint64_t>();
    return Status::OK();
  }
  return WrongType("expected_version", "a non-negative integer or \"any\"");
}

Status ParseCommon(const json::object& o, Command* command) {
  for (const char* field : {"command_id", "workspace", "actor"}) {
    const json::value* v = o.if_contains(field);
    if (v == nullptr) return MissingField(field);
    if (!v->is_string()) return WrongType(field, "a string");
    Status s = CheckId(field, v->as_string());
    if (!s.ok()) return s;
  }
  command->command_id = std::string(o.at("command_id").as_string());
  command->workspace = std::string(o.at("workspace").as_string());
  command->actor = std::string(o.at("actor").as_string());
  if (const json::value* v = o.if_contains("expected_version")) {
    return ParseExpectedVersion(*v, command);
  }
  return Status::OK();
}

}  // namespace

const std::string& CommandArgs::Str(const std::string& name) const {
  static const std::string kEmpty;
  auto it = values_.find(name);
  if (it == values_.end()) return kEmpty;
  const std::string* s = std::get_if<std::string>(&it->second);
  return s != nullptr ? *s : kEmpty;
}

int64_t CommandArgs::Int(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return 0;
  const int64_t* v = std::get_if<int64_t>(&it->second);
  return v != nullptr ? *v : 0;
}

const std::vector<std::string>& CommandArgs::List(const std::string& name) const {
  static const std::vector<std::string> kEmpty;
  auto it = values_.find(name);
  if (it == values_.end()) return kEmpty;
  const auto* v = std::get_if<std::vector<std::string>>(&it->second);
  return v != nullptr ? *v : kEmpty;
}

const AnchorRef& CommandArgs::Anchor(const std::string& name) const {
  static const AnchorRef kEmpty;
  auto it = values_.find(name);
  if (it == values_.end()) return kEmpty;
  const AnchorRef* v = std::get_if<AnchorRef>(&it->second);
  return v != nullptr ? *v : kEmpty;
}

bool PeekCommandId(std::string_view json, std::string* command_id) {
  command_scan::Outline outline;
  if (!command_scan::ScanCommand(json, &outline).ok() || !outline.has_command_id ||
      outline.command_id.empty() || outline.command_id.size() > command_scan::kMaxCommandIdBytes) {
    return false;
  }
  *command_id = std::move(outline.command_id);
  return true;
}

Status ParseCommand(std::string_view text, const CommandLimits& limits, Command* command) {
  *command = Command();
  // Cheapest checks first: nothing below allocates in proportion to the text until the text is
  // within its command type's limit, and then only within that type's memory budget.
  const uint64_t largest = LargestCommandBytes(limits);
  if (text.size() > largest) return CommandTooLarge(text.size(), largest, "a command");
  size_t bad = 0;
  if (!utf8::IsValid(text, &bad)) {
    return Status::InvalidArgument("command.invalid_utf8", "the command is not valid UTF-8 (byte " +
                                                               std::to_string(bad) + ")");
  }
  command_scan::Outline outline;
  Status s = command_scan::ScanCommand(text, &outline);
  if (!s.ok()) return s;
  CommandType type = CommandType::kCreateWorkspace;
  const bool known = outline.has_type && ParseCommandType(outline.type, &type);
  // A command whose type is missing or unknown is refused below; until then it may be only as
  // large as an ordinary (non-upload) command.
  const CommandType sized = known ? type : CommandType::kCreateWorkspace;
  const uint64_t limit = MaxCommandBytes(sized, limits);
  if (text.size() > limit) {
    return CommandTooLarge(text.size(), limit,
                           known ? "a '" + std::string(CommandTypeName(type)) + "' command"
                                 : "a command of an unknown type");
  }

  command_scan::BudgetResource memory(ParseBudget(limit));
  json::value root(&memory);  // destroyed before `memory`
  s = command_scan::ParseWithinBudget(text, &memory, &root);
  if (!s.ok()) return s;
  if (!root.is_object()) {
    return Status::InvalidArgument("command.malformed_json", "the command must be a JSON object");
  }
  const json::object& o = root.as_object();
  const json::value* type_value = o.if_contains("type");
  if (type_value == nullptr) return MissingField("type");
  if (!type_value->is_string()) return WrongType("type", "a string");
  if (!ParseCommandType(std::string_view(type_value->as_string()), &command->type)) {
    std::string names;
    for (CommandType t : AllCommandTypes()) {
      names += (names.empty() ? "" : ", ") + std::string(CommandTypeName(t));
    }
    return Status::InvalidArgument(
        "command.unknown_type",
        "unknown command type '" + Quote(type_value->as_string()) + "'; known types: " + names);
  }
  s = ParseCommon(o, command);
  if (!s.ok()) return s;

  const auto& spec = command_spec::SpecOf(command->type);
  for (const auto& kv : o) {
    const std::string_view key = kv.key();
    if (std::find(std::begin(command_spec::kCommonFields), std::end(command_spec::kCommonFields),
                  key) != std::end(command_spec::kCommonFields)) {
      continue;
    }
    auto field = std::find_if(spec.fields.begin(), spec.fields.end(),
                              [&](const FieldSpec& f) { return f.name == key; });
    if (field == spec.fields.end()) {
      return Status::InvalidArgument(
          "command.unknown_field",
          "unknown field '" + Quote(key) + "' for command '" + std::string(spec.name) + "'");
    }
    if (kv.value().is_null()) continue;  // null reads as absent
    s = ParseField(*field, kv.value(), limits, &command->args);
    if (!s.ok()) return s;
  }
  for (const auto& field : spec.fields) {
    if (field.required && !command->args.Has(std::string(field.name))) {
      return MissingField(field.name);
    }
  }
  return Status::OK();
}

}  // namespace tandem
