// EventPage: events as read from the log, one after another in one buffer that is kept from
// page to page.
//
// Why: a catch-up reads millions of events. As RecordedEvents each is an allocation of its own,
// made on the thread that reads the log and freed on the one that folds, which costs the
// allocator more than the copy. A page reused by its reader allocates nothing once it has grown
// to a page's size.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

class EventPage {
 public:
  // Empties the page and keeps its memory.
  void Clear() {
    words_.clear();
    spans_.clear();
  }

  // Appends a copy of `bytes`, aligned for the FlatBuffer's widest scalar. Like a
  // RecordedEvent's, they must pass event_record::Verify() before event() is used; the log
  // verifies every event it adds (bytes(i) is aligned when it does).
  void Add(std::string_view bytes) {
    const size_t at = words_.size();
    words_.resize(at + (bytes.size() + sizeof(uint64_t) - 1) / sizeof(uint64_t));
    if (!bytes.empty()) std::memcpy(words_.data() + at, bytes.data(), bytes.size());
    spans_.push_back({at, bytes.size()});
  }

  // Takes back the last Add (the log's reader when the event does not verify).
  void RemoveLast() {
    words_.resize(spans_.back().word);
    spans_.pop_back();
  }

  size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  // Valid until the next Add, RemoveLast or Clear.
  std::string_view bytes(size_t i) const {
    return {reinterpret_cast<const char*>(words_.data() + spans_[i].word), spans_[i].size};
  }
  const schema::Event& event(size_t i) const {
    return *schema::GetEvent(words_.data() + spans_[i].word);
  }
  uint64_t last_position() const { return event(size() - 1).global_position(); }

 private:
  struct Span {
    size_t word;  // where its bytes start in words_
    size_t size;  // bytes
  };
  std::vector<uint64_t> words_;
  std::vector<Span> spans_;
};

}  // namespace tandem
