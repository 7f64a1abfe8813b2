// libFuzzer harness: arbitrary bytes as a command's JSON. Whatever the input, ParseCommand
// returns (no crash, no sanitizer report), every refusal has a stable reason, and the JSON a
// client would be sent is valid UTF-8.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tandem/basics/utf8.h"
#include "tandem/domain/command.h"
#include "tandem/domain/command_json.h"

namespace {

void Require(bool ok, const char* what, const tandem::Status& s) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_command: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tandem;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CommandLimits limits;
  limits.max_text_bytes = 256;  // small limits, so the fuzzer reaches them
  limits.max_file_bytes = 1024;
  Command command;
  Status s = ParseCommand(text, limits, &command);
  if (s.ok()) {
    Require(!command.command_id.empty() && !command.workspace.empty() && !command.actor.empty(),
            "accepted without the common fields", s);
    Require(text.size() <= MaxCommandBytes(command.type, limits), "accepted beyond its limit", s);
    return 0;
  }
  Require(s.IsInvalidArgument(), "refusal is not InvalidArgument", s);
  Require(!s.reason().empty(), "refusal without a reason", s);
  Require(utf8::IsValid(s.message()), "message is not valid UTF-8", s);
  Require(utf8::IsValid(CommandErrorToJson(s)), "error JSON is not valid UTF-8", s);
  return 0;
}
