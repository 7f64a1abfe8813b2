// An event as committed to the log: verified FlatBuffer bytes plus typed access.
#pragma once

#include <cstdint>
#include <string>

#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

class RecordedEvent {
 public:
  RecordedEvent() = default;
  // `bytes` must already have passed VerifyEventRecord(); the log guarantees this for every
  // event it hands out.
  explicit RecordedEvent(std::string bytes) : bytes_(std::move(bytes)) {}

  const schema::Event& event() const { return *schema::GetEvent(bytes_.data()); }
  uint64_t global_position() const { return event().global_position(); }
  uint64_t stream_version() const { return event().stream_version(); }
  schema::Payload payload_type() const { return event().payload_type(); }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

}  // namespace tandem
