#include "tandem/basics/stream_id.h"

namespace tandem {
namespace {

Status ValidateName(const char* what, const std::string& value) {
  if (value.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (value.size() > StreamId::kMaxNameBytes) {
    return Status::InvalidArgument(std::string(what) + " is longer than " +
                                   std::to_string(StreamId::kMaxNameBytes) + " bytes");
  }
  for (unsigned char c : value) {
    // NUL separates key parts; control characters have no place in a name and make logs lie.
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(std::string(what) + " contains a control character");
    }
  }
  return Status::OK();
}

}  // namespace

Status ValidateTenant(const std::string& tenant) { return ValidateName("tenant", tenant); }

Status StreamId::Validate() const {
  Status s = ValidateTenant(tenant);
  if (!s.ok()) return s;
  s = ValidateName("stream name", name);
  if (!s.ok()) return s;
  if (name[0] == '$') {
    return Status::InvalidArgument("stream name '" + name +
                                   "' is reserved (names starting with "
                                   "'$' belong to the log)");
  }
  return Status::OK();
}

}  // namespace tandem
