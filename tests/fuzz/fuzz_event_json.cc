// libFuzzer harness: arbitrary bytes as the JSON form of events (what `tandem append` and later
// HTTP and Kafka accept). Parsing never crashes; what parses encodes to a record that verifies
// and prints back as valid UTF-8 JSON that parses again.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "tandem/basics/utf8.h"
#include "tandem/codec/event_json.h"
#include "tandem/events/event_record.h"

namespace {

void Require(bool ok, const char* what, const tandem::Status& s) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_event_json: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

const tandem::EventJsonCodec& Codec() {
  static std::unique_ptr<tandem::EventJsonCodec> codec = [] {
    std::unique_ptr<tandem::EventJsonCodec> c;
    tandem::Status s = tandem::EventJsonCodec::Create(&c);
    Require(s.ok(), "codec", s);
    return c;
  }();
  return *codec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tandem;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<NewEvent> events;
  Status s = Codec().ParseNewEvents(text, &events);
  if (!s.ok()) {
    Require(s.IsInvalidArgument(), "refusal is not InvalidArgument", s);
    Require(!s.reason().empty(), "refusal without a reason", s);
    Require(utf8::IsValid(s.message()), "message is not valid UTF-8", s);
    return 0;
  }
  const StreamId stream{"tenant", "stream"};
  for (const NewEvent& event : events) {
    std::string record = event_record::Encode(stream, event);
    event_record::Stamp(&record, 1, 1, 1);
    s = event_record::Verify(record, 1);
    Require(s.ok(), "an accepted event does not verify", s);
    std::string json;
    s = Codec().EventBytesToJson(record, &json);
    Require(s.ok(), "an accepted event does not print", s);
    Require(utf8::IsValid(json), "printed event is not valid UTF-8", s);
  }
  return 0;
}
