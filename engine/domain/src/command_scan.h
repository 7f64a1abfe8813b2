// Reading a command's JSON within fixed limits, so a hostile command costs bounded memory.
//
// ScanCommand makes one pass over the text without building anything: it finds the command's
// type (so the caller can apply that type's size limit before any tree exists), refuses a field
// given twice (parsers disagree on which copy wins) and nesting deeper than any command has.
// ParseWithinBudget then builds the JSON tree with every allocation, the parser's own included,
// counted against a budget, and refuses the command once the budget is spent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "tandem/basics/status.h"

namespace tandem::command_scan {

// How deep objects and arrays may nest. Commands nest two deep (the root, then an anchor or a
// column list); anything deeper than this is refused before it costs a parser stack.
constexpr size_t kMaxDepth = 4;

constexpr size_t kMaxTypeBytes = 64;
// No command id is longer (command.bad_id beyond it).
constexpr size_t kMaxCommandIdBytes = 128;

struct Outline {
  bool has_type = false;        // a top-level "type" whose value is a string
  std::string type;             // its first kMaxTypeBytes bytes
  bool has_command_id = false;  // a top-level "command_id" whose value is a string
  std::string command_id;       // its first kMaxCommandIdBytes + 1 bytes
};

// Errors are InvalidArgument: command.malformed_json, command.too_deep,
// command.duplicate_field (a field some command has, given twice at the top level).
Status ScanCommand(std::string_view text, Outline* outline);

// A memory resource that counts the bytes live at once and refuses (by throwing, caught inside
// ParseWithinBudget) an allocation that would exceed its budget. Values parsed with it must be
// destroyed before it.
class BudgetResource final : public boost::json::memory_resource {
 public:
  explicit BudgetResource(size_t budget) : budget_(budget) {}
  size_t budget() const { return budget_; }
  // The most bytes live at once so far.
  size_t peak() const { return peak_; }

 private:
  void* do_allocate(size_t bytes, size_t align) override;
  void do_deallocate(void* p, size_t bytes, size_t align) override;
  bool do_is_equal(const boost::json::memory_resource& other) const noexcept override {
    return this == &other;
  }

  size_t budget_;
  size_t live_ = 0;
  size_t peak_ = 0;
};

// Parses `text` into `*root` using only `memory`; `*root` must already use `memory` as its
// storage (json::value root(&memory)). Errors are InvalidArgument:
// command.malformed_json, command.too_deep, command.too_large (the budget ran out).
Status ParseWithinBudget(std::string_view text, BudgetResource* memory, boost::json::value* root);

}  // namespace tandem::command_scan
