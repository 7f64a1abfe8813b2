#include "command_id_reader.h"

#include <boost/json/basic_parser_impl.hpp>

namespace tandem::kafka {
namespace {

namespace json = boost::json;

// Keeps the first top-level "command_id" string; builds nothing else.
struct IdHandler {
  static constexpr size_t max_object_size = size_t(-1);
  static constexpr size_t max_array_size = size_t(-1);
  static constexpr size_t max_key_size = size_t(-1);
  static constexpr size_t max_string_size = size_t(-1);

  int depth = 0;
  bool root_is_object = false;
  bool in_id_value = false;  // the next value is the top-level command_id's
  bool found = false;
  bool too_long = false;
  std::string key;  // the top-level key being read, capped
  std::string id;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return Open(false); }
  bool on_array_end(size_t, json::error_code&) { return Close(); }
  bool on_object_begin(json::error_code&) { return Open(true); }
  bool on_object_end(size_t, json::error_code&) { return Close(); }
  bool on_string_part(json::string_view s, size_t, json::error_code&) {
    if (in_id_value) Append(&id, s, kMaxCommandIdBytes);
    return true;
  }
  bool on_string(json::string_view s, size_t, json::error_code&) {
    if (in_id_value) {
      Append(&id, s, kMaxCommandIdBytes);
      too_long = id.size() > kMaxCommandIdBytes;
      found = !too_long && !id.empty();
    }
    return Value();
  }
  bool on_key_part(json::string_view s, size_t, json::error_code&) {
    if (depth == 1) Append(&key, s, sizeof kKey);
    return true;
  }
  bool on_key(json::string_view s, size_t, json::error_code&) {
    if (depth == 1) {
      Append(&key, s, sizeof kKey);
      in_id_value = !found && !too_long && key == kKey;
      key.clear();
    }
    return true;
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
  static constexpr char kKey[] = "command_id";

  static void Append(std::string* to, json::string_view s, size_t cap) {
    // One byte past the cap is enough to know the whole is too long.
    const size_t room = to->size() > cap ? 0 : cap + 1 - to->size();
    to->append(s.data(), std::min(room, s.size()));
  }
  bool Open(bool object) {
    if (depth == 0) root_is_object = object;
    in_id_value = false;  // a command_id that is an object or array is no id
    depth++;
    return true;
  }
  bool Close() {
    depth--;
    return true;
  }
  bool Value() {
    in_id_value = false;
    return true;
  }
};

}  // namespace

bool ReadCommandId(std::string_view text, std::string* id) {
  json::parse_options options;
  options.max_depth = 4;  // as deep as the command parser lets a command nest
  json::basic_parser<IdHandler> parser(options);
  json::error_code ec;
  const size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || used != text.size() || !parser.done()) return false;
  const IdHandler& h = parser.handler();
  if (!h.root_is_object || !h.found) return false;
  *id = h.id;
  return true;
}

}  // namespace tandem::kafka
