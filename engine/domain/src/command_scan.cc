#include "command_scan.h"

#include <algorithm>
#include <new>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>

#include "command_spec.h"

namespace tandem::command_scan {
namespace {

namespace json = boost::json;

// Every top-level name some command accepts, sorted, so a name's index marks it as seen.
const std::vector<std::string_view>& KnownFields() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out(std::begin(command_spec::kCommonFields),
                                      std::end(command_spec::kCommonFields));
    for (const auto& spec : command_spec::AllSpecs()) {
      for (const auto& field : spec.fields) out.push_back(field.name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }();
  return names;
}

// No field name is longer; a longer key is unknown to every command.
constexpr size_t kMaxFieldNameBytes = 64;

// The handler of the scanning pass. It keeps only a top-level key (when short enough to be a
// field name), the type's and the command id's first bytes: nothing grows with the input.
class Scanner {
 public:
  static constexpr size_t max_array_size = -1;
  static constexpr size_t max_object_size = -1;
  static constexpr size_t max_string_size = -1;
  static constexpr size_t max_key_size = -1;

  explicit Scanner(Outline* outline) : outline_(outline), seen_(KnownFields().size()) {}
  const std::string& duplicate() const { return duplicate_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return Enter(); }
  bool on_object_end(size_t, json::error_code&) { return Leave(); }
  bool on_array_begin(json::error_code&) { return Enter(); }
  bool on_array_end(size_t, json::error_code&) { return Leave(); }

  bool on_key_part(json::string_view s, size_t, json::error_code&) {
    if (depth_ == 1) Append(&key_, s, kMaxFieldNameBytes + 1);
    return true;
  }
  bool on_key(json::string_view s, size_t, json::error_code& ec) {
    if (depth_ != 1) return true;
    Append(&key_, s, kMaxFieldNameBytes + 1);
    const auto& known = KnownFields();
    auto it = std::lower_bound(known.begin(), known.end(), std::string_view(key_));
    if (it != known.end() && *it == key_) {
      const size_t index = static_cast<size_t>(it - known.begin());
      if (seen_[index]) {
        duplicate_ = key_;
        ec = json::error::syntax;  // stops the parser; the duplicate is reported by the caller
        return false;
      }
      seen_[index] = true;
      if (key_ == "type") {
        next_ = {&outline_->type, &outline_->has_type, kMaxTypeBytes};
      } else if (key_ == "command_id") {
        next_ = {&outline_->command_id, &outline_->has_command_id, kMaxCommandIdBytes + 1};
      }
    }
    key_.clear();
    return true;
  }

  bool on_string_part(json::string_view s, size_t, json::error_code&) {
    if (next_.out != nullptr && depth_ == 1) Append(next_.out, s, next_.cap);
    return true;
  }
  bool on_string(json::string_view s, size_t, json::error_code&) {
    if (next_.out != nullptr && depth_ == 1) {
      Append(next_.out, s, next_.cap);
      *next_.present = true;
    }
    return Value();
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t, json::string_view, json::error_code&) { return Value(); }
  bool on_uint64(uint64_t, json::string_view, json::error_code&) { return Value(); }
  bool on_double(double, json::string_view, json::error_code&) { return Value(); }
  bool on_bool(bool, json::error_code&) { return Value(); }
  bool on_null(json::error_code&) { return Value(); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  static void Append(std::string* out, json::string_view s, size_t cap) {
    if (out->size() < cap) out->append(s.data(), std::min(s.size(), cap - out->size()));
  }
  bool Enter() {
    depth_++;
    next_ = {};
    return true;
  }
  bool Leave() {
    depth_--;
    return true;
  }
  bool Value() {
    next_ = {};
    return true;
  }

  Outline* outline_;
  size_t depth_ = 0;
  std::string key_;
  // Where the string value of the top-level key just read goes, if it is one kept.
  struct Kept {
    std::string* out = nullptr;
    bool* present = nullptr;
    size_t cap = 0;
  } next_;
  std::vector<bool> seen_;
  std::string duplicate_;
};

json::parse_options Options() {
  json::parse_options options;
  options.max_depth = kMaxDepth;
  return options;
}

Status Malformed(const json::error_code& ec) {
  if (ec == json::error::too_deep) {
    return Status::InvalidArgument(
        "command.too_deep",
        "the command nests objects or arrays more than " + std::to_string(kMaxDepth) + " deep");
  }
  return Status::InvalidArgument("command.malformed_json",
                                 "the command is not valid JSON: " + ec.message());
}

// Thrown by BudgetResource; never leaves this file.
struct BudgetExceeded : std::bad_alloc {};

}  // namespace

Status ScanCommand(std::string_view text, Outline* outline) {
  *outline = Outline();
  json::basic_parser<Scanner> parser(Options(), outline);
  json::error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  if (!parser.handler().duplicate().empty()) {
    return Status::InvalidArgument("command.duplicate_field",
                                   "field '" + parser.handler().duplicate() + "' is given twice");
  }
  if (ec) return Malformed(ec);
  return Status::OK();
}

// Like Boost.JSON's default resource, alignment is not passed on: nothing Boost.JSON allocates
// needs more than operator new gives, and it does not always deallocate with the alignment it
// allocated with.
void* BudgetResource::do_allocate(size_t bytes, size_t) {
  if (bytes > budget_ - live_) throw BudgetExceeded();
  void* p = ::operator new(bytes);
  live_ += bytes;
  peak_ = std::max(peak_, live_);
  return p;
}

void BudgetResource::do_deallocate(void* p, size_t bytes, size_t) {
  ::operator delete(p);
  live_ -= bytes;
}

Status ParseWithinBudget(std::string_view text, BudgetResource* memory, json::value* root) {
  try {
    json::storage_ptr storage(memory);
    json::parser parser(storage, Options());
    parser.reset(storage);
    json::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (ec) return Malformed(ec);
    // `*root` shares the storage, so this moves the tree rather than copying it out of the
    // budget.
    *root = parser.release();
    return Status::OK();
  } catch (const BudgetExceeded&) {
    return Status::InvalidArgument(
        "command.too_large",
        "the command needs more than " + std::to_string(memory->budget()) + " bytes to parse");
  }
}

}  // namespace tandem::command_scan
