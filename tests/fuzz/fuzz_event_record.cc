// libFuzzer harness: arbitrary bytes as a stored event record (bytes on disk are never
// trusted). Verify never crashes or reads out of bounds, and a record it accepts can be read
// and printed.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "tandem/basics/utf8.h"
#include "tandem/codec/event_json.h"
#include "tandem/events/event_record.h"

namespace {

void Require(bool ok, const char* what, const tandem::Status& s) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_event_record: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tandem;
  static std::unique_ptr<EventJsonCodec> codec = [] {
    std::unique_ptr<EventJsonCodec> c;
    Status s = EventJsonCodec::Create(&c);
    Require(s.ok(), "codec", s);
    return c;
  }();
  // RocksDB hands records over in place, at any alignment: the copy starts `size % 8` bytes
  // into its buffer and ends at the buffer's end, so reading past the record is an
  // AddressSanitizer report.
  const size_t shift = size % 8;
  std::unique_ptr<char[]> bytes(new char[shift + size]);
  if (size > 0) std::memcpy(bytes.get() + shift, data, size);
  const std::string_view record(bytes.get() + shift, size);
  Status s = event_record::Verify(record, 0);
  if (!s.ok()) {
    Require(s.IsCorruption() || s.IsInvalidArgument(), "refusal of another kind", s);
    return 0;
  }
  std::string json;
  s = codec->EventBytesToJson(record, &json);
  if (s.ok()) Require(utf8::IsValid(json), "printed record is not valid UTF-8", s);
  return 0;
}
