#include "key_hash.h"

#include <sys/random.h>

#include <chrono>

namespace tandem::key_hash {

uint64_t Seed() {
  static const uint64_t seed = [] {
    uint64_t v = 0;
    if (::getrandom(&v, sizeof v, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof v)) {
      // Early in boot the pool may not be ready; any varying value still keeps ids chosen in
      // advance from colliding everywhere.
      v = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    return v;
  }();
  return seed;
}

}  // namespace tandem::key_hash
