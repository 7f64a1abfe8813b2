#include "tandem/basics/expected_version.h"

#include <charconv>

namespace tandem {

bool ExpectedVersion::IsSatisfiedBy(uint64_t head) const {
  switch (kind_) {
    case Kind::kAny:
      return true;
    case Kind::kNoStream:
      return head == 0;
    case Kind::kStreamExists:
      return head > 0;
    case Kind::kExact:
      return head == version_;
  }
  return false;
}

std::string ExpectedVersion::ToString() const {
  switch (kind_) {
    case Kind::kAny:
      return "any";
    case Kind::kNoStream:
      return "no_stream";
    case Kind::kStreamExists:
      return "stream_exists";
    case Kind::kExact:
      return std::to_string(version_);
  }
  return "?";
}

bool ExpectedVersion::Parse(const std::string& text, ExpectedVersion* out) {
  if (text == "any") {
    *out = Any();
  } else if (text == "no_stream") {
    *out = NoStream();
  } else if (text == "stream_exists") {
    *out = StreamExists();
  } else {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return false;
    *out = Exact(v);
  }
  return true;
}

}  // namespace tandem
