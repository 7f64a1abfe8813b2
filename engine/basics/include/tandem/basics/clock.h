// The wall clock as Tandem records it: microseconds since the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>

namespace tandem {

inline int64_t SystemNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tandem
