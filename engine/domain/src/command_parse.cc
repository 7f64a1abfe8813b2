// JSON → Command, checked field by field against the command's specification.
#include <algorithm>
#include <cctype>
#include <set>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json.hpp>

#include "command_spec.h"
#include "tandem/domain/command.h"
#include "tandem/domain/roles.h"

namespace tandem {
namespace {

namespace json = boost::json;
using command_spec::FieldKind;
using command_spec::FieldSpec;

constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxColumns = 20;

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

bool HasControlCharacters(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](unsigned char c) {
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return c < 0x20 || c == 0x7f;
  });
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
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
  if (IsBlank(v)) return InvalidValue(field, "must not be blank");
  if (HasControlCharacters(v, false)) return InvalidValue(field, "must not contain control codes");
  return Status::OK();
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

Status CheckDate(std::string_view field, std::string_view v) {
  const Status bad = InvalidValue(
      field, "must be a calendar date YYYY-MM-DD, got '" + std::string(v.substr(0, 32)) + "'");
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
          "unknown field '" + std::string(field) + "." + std::string(kv.key()) + "'");
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
  std::set<std::string> seen;
  for (const auto& item : a) {
    if (!item.is_string()) return WrongType(field, "an array of strings");
    std::string name(item.as_string());
    Status s = CheckName(field, name);
    if (!s.ok()) return s;
    if (!seen.insert(name).second) return InvalidValue(field, "names '" + name + "' twice");
    columns->push_back(std::move(name));
  }
  return Status::OK();
}

Status ParseString(const FieldSpec& spec, const std::string& v, const CommandLimits& limits,
                   CommandArgs* args) {
  Status s;
  std::string value = v;
  switch (spec.kind) {
    case FieldKind::kId:
      s = CheckId(spec.name, v);
      break;
    case FieldKind::kName:
      s = CheckName(spec.name, v);
      break;
    case FieldKind::kText:
      if (v.size() > limits.max_text_bytes) return TooLarge(spec.name, limits.max_text_bytes);
      if (spec.required && IsBlank(v)) return InvalidValue(spec.name, "must not be blank");
      if (HasControlCharacters(v, true)) {
        return InvalidValue(spec.name, "must not contain control codes");
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
          v.find('@', at + 1) != std::string::npos || HasControlCharacters(v, false) ||
          v.find(' ') != std::string::npos) {
        return InvalidValue(spec.name, "must be an email address");
      }
      break;
    }
    default:
      return WrongType(spec.name, "of another type");
  }
  if (!s.ok()) return s;
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
      return ParseString(spec, std::string(v.as_string()), limits, args);
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

Status ParseCommand(std::string_view text, const CommandLimits& limits, Command* command) {
  *command = Command();
  // Base64 grows content by 4/3; anything far beyond the largest legal command is refused
  // before the parser allocates for it.
  const uint64_t max_bytes = limits.max_file_bytes / 3 * 4 + 4 * limits.max_text_bytes + 65536;
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(
        "command.too_large", "the command is " + std::to_string(text.size()) +
                                 " bytes, more than the limit of " + std::to_string(max_bytes));
  }
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    return Status::InvalidArgument("command.malformed_json",
                                   "the command is not valid JSON: " + ec.message());
  }
  if (!root.is_object()) {
    return Status::InvalidArgument("command.malformed_json", "the command must be a JSON object");
  }
  const json::object& o = root.as_object();
  const json::value* type = o.if_contains("type");
  if (type == nullptr) return MissingField("type");
  if (!type->is_string()) return WrongType("type", "a string");
  if (!ParseCommandType(std::string_view(type->as_string()), &command->type)) {
    std::string known;
    for (CommandType t : AllCommandTypes()) {
      known += (known.empty() ? "" : ", ") + std::string(CommandTypeName(t));
    }
    return Status::InvalidArgument(
        "command.unknown_type", "unknown command type '" +
                                    std::string(std::string_view(type->as_string()).substr(0, 64)) +
                                    "'; known types: " + known);
  }
  Status s = ParseCommon(o, command);
  if (!s.ok()) return s;

  const auto& spec = command_spec::SpecOf(command->type);
  for (const auto& kv : o) {
    const std::string_view key = kv.key();
    if (key == "type" || key == "command_id" || key == "workspace" || key == "actor" ||
        key == "expected_version") {
      continue;
    }
    auto field = std::find_if(spec.fields.begin(), spec.fields.end(),
                              [&](const FieldSpec& f) { return f.name == key; });
    if (field == spec.fields.end()) {
      return Status::InvalidArgument("command.unknown_field",
                                     "unknown field '" + std::string(key.substr(0, 64)) +
                                         "' for command '" + std::string(spec.name) + "'");
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
