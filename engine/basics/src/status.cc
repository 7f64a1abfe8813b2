#include "tandem/basics/status.h"

namespace tandem {

std::string_view Status::CodeName() const {
  switch (code_) {
    case Code::kOk:
      return "ok";
    case Code::kNotFound:
      return "not_found";
    case Code::kWrongExpectedVersion:
      return "wrong_expected_version";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kCorruption:
      return "corruption";
    case Code::kIOError:
      return "io_error";
    case Code::kTimedOut:
      return "timed_out";
    case Code::kPermissionDenied:
      return "permission_denied";
    case Code::kRejected:
      return "rejected";
    case Code::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(CodeName());
  if (!reason_.empty()) out += " (" + reason_ + ")";
  if (!message_.empty()) out += ": " + message_;
  return out;
}

}  // namespace tandem
