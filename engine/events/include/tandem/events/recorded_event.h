// An event as committed to the log: verified FlatBuffer bytes plus typed access.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

class RecordedEvent {
 public:
  RecordedEvent() = default;
  // Copies `bytes` into storage aligned for the FlatBuffer's widest scalar, so that the record
  // can be read in place wherever the bytes came from (a RocksDB slice has no alignment).
  // `bytes` must pass event_record::Verify() before event() is used; the log guarantees this
  // for every event it hands out.
  explicit RecordedEvent(std::string_view bytes)
      : words_((bytes.size() + sizeof(uint64_t) - 1) / sizeof(uint64_t)), size_(bytes.size()) {
    if (size_ > 0) std::memcpy(words_.data(), bytes.data(), size_);
  }
  RecordedEvent(const RecordedEvent&) = default;
  RecordedEvent& operator=(const RecordedEvent&) = default;
  RecordedEvent(RecordedEvent&& other) noexcept
      : words_(std::move(other.words_)), size_(std::exchange(other.size_, 0)) {}
  RecordedEvent& operator=(RecordedEvent&& other) noexcept {
    words_ = std::move(other.words_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  const schema::Event& event() const { return *schema::GetEvent(words_.data()); }
  uint64_t global_position() const { return event().global_position(); }
  uint64_t stream_version() const { return event().stream_version(); }
  schema::Payload payload_type() const { return event().payload_type(); }
  // The stored record; its first byte is aligned to 8.
  std::string_view bytes() const { return {reinterpret_cast<const char*>(words_.data()), size_}; }

 private:
  std::vector<uint64_t> words_;
  size_t size_ = 0;
};

}  // namespace tandem
