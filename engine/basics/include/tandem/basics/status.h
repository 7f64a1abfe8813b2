// Status is how every Tandem module reports success or failure: no exceptions cross a
// module boundary. Modelled on rocksdb::Status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tandem {

class Status {
 public:
  enum class Code : uint8_t {
    kOk = 0,
    kNotFound,
    // The stream is not at the version the caller expected: optimistic concurrency lost.
    kWrongExpectedVersion,
    kInvalidArgument,
    // Stored or received bytes failed verification.
    kCorruption,
    kIOError,
    kTimedOut,
    // The actor may not do this.
    kPermissionDenied,
    // A domain rule refused the command (e.g. completing a completed milestone).
    kRejected,
    kShutdown,
  };

  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status NotFound(std::string reason, std::string msg) {
    return Status(Code::kNotFound, std::move(msg), std::move(reason));
  }
  static Status WrongExpectedVersion(std::string msg) {
    return Status(Code::kWrongExpectedVersion, std::move(msg));
  }
  static Status WrongExpectedVersion(std::string reason, std::string msg) {
    return Status(Code::kWrongExpectedVersion, std::move(msg), std::move(reason));
  }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  // An invalid request with a stable reason, e.g. "command.missing_field".
  static Status InvalidArgument(std::string reason, std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg), std::move(reason));
  }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status Corruption(std::string reason, std::string msg) {
    return Status(Code::kCorruption, std::move(msg), std::move(reason));
  }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status TimedOut(std::string msg) { return Status(Code::kTimedOut, std::move(msg)); }
  static Status Shutdown(std::string msg) { return Status(Code::kShutdown, std::move(msg)); }
  // `reason` is a stable machine-readable identifier such as "milestone.already_completed";
  // the message is for people.
  static Status PermissionDenied(std::string reason, std::string msg) {
    return Status(Code::kPermissionDenied, std::move(msg), std::move(reason));
  }
  static Status Rejected(std::string reason, std::string msg) {
    return Status(Code::kRejected, std::move(msg), std::move(reason));
  }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsWrongExpectedVersion() const { return code_ == Code::kWrongExpectedVersion; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsTimedOut() const { return code_ == Code::kTimedOut; }
  bool IsPermissionDenied() const { return code_ == Code::kPermissionDenied; }
  bool IsRejected() const { return code_ == Code::kRejected; }
  bool IsShutdown() const { return code_ == Code::kShutdown; }

  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& reason() const { return reason_; }
  // A stable lowercase name of the code, e.g. "wrong_expected_version".
  std::string_view CodeName() const;
  // "<code name>: <message>", or "ok".
  std::string ToString() const;

 private:
  Status(Code code, std::string msg, std::string reason = {})
      : code_(code), message_(std::move(msg)), reason_(std::move(reason)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string reason_;
};

}  // namespace tandem
