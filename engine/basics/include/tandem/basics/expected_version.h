// The optimistic-concurrency condition of an append.
#pragma once

#include <cstdint>
#include <string>

namespace tandem {

class ExpectedVersion {
 public:
  enum class Kind : uint8_t {
    kAny,           // no check
    kNoStream,      // the stream must have no events yet
    kStreamExists,  // the stream must have at least one event
    kExact,         // the stream's last event must have exactly this version
  };

  static ExpectedVersion Any() { return ExpectedVersion(Kind::kAny, 0); }
  static ExpectedVersion NoStream() { return ExpectedVersion(Kind::kNoStream, 0); }
  static ExpectedVersion StreamExists() { return ExpectedVersion(Kind::kStreamExists, 0); }
  // Exact(0) is the same condition as NoStream().
  static ExpectedVersion Exact(uint64_t version) { return ExpectedVersion(Kind::kExact, version); }

  Kind kind() const { return kind_; }
  uint64_t version() const { return version_; }

  // True if a stream whose last version is `head` (0 = no events) satisfies this condition.
  bool IsSatisfiedBy(uint64_t head) const;
  // "any", "no_stream", "stream_exists" or the number.
  std::string ToString() const;
  // Parses the ToString() forms; false if `text` is none of them.
  static bool Parse(const std::string& text, ExpectedVersion* out);

 private:
  ExpectedVersion(Kind kind, uint64_t version) : kind_(kind), version_(version) {}
  Kind kind_;
  uint64_t version_;
};

}  // namespace tandem
