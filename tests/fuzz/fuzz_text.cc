// Arbitrary bytes through what reads names and texts people see: visible_text's units and
// utf8::Printable (log lines, CLI errors).
//  - the units cover the bytes exactly, each at least one byte, whatever the bytes;
//  - Printable's output is valid UTF-8, one line, without a layout control or hidden text.
// (Snippet, in projections, is not here: that library does not build with Debian's clang 14,
// which cannot capture structured bindings in lambdas.)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tandem/basics/utf8.h"
#include "tandem/basics/visible_text.h"

namespace {

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_text: %s\n", what);
    std::abort();
  }
}

bool HasLayoutControl(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (tandem::utf8::LayoutControlLength(s, i) > 0) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tandem;
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const std::string clean = utf8::Sanitize(raw);
  for (std::string_view text : {raw, std::string_view(clean)}) {
    visible_text::Units units(text);
    size_t at = 0;
    for (visible_text::Unit u; units.Next(&u);) {
      Require(u.offset == at && u.length > 0 && u.offset + u.length <= text.size(),
              "units do not cover the text");
      at += u.length;
    }
    Require(at == text.size(), "units stop before the end");
    (void)visible_text::LooksBlank(text);
    (void)visible_text::Key(text);
  }
  for (const std::string& line : {utf8::Printable(raw), utf8::Printable(raw, size % 97, false)}) {
    Require(utf8::IsValid(line), "Printable is not UTF-8");
    Require(line.find('\n') == std::string::npos, "Printable breaks the line");
    Require(!HasLayoutControl(line), "Printable holds a control");
    Require(!visible_text::Has(line, visible_text::Look::kHiddenText), "Printable hides text");
  }
  return 0;
}
