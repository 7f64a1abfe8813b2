#include "key_hash.h"

#include <sys/random.h>

#include <chrono>

namespace tandem::key_hash {

Secret SecretOf(uint64_t seed) {
  // Odd constants (wyhash's), each spread by the seed; odd, so that no secret is zero.
  constexpr uint64_t kOdd[4] = {0x2d358dccaa6c78a5ull, 0x8bb84b93962eacc9ull, 0x4b33a62ed433d4a3ull,
                                0x4d5a2da51de1aa47ull};
  return {Mix(seed ^ kOdd[0], kOdd[1]) | 1, Mix(seed ^ kOdd[1], kOdd[2]) | 1,
          Mix(seed ^ kOdd[2], kOdd[3]) | 1};
}

const Secret& ProcessSecret() {
  static const Secret secret = [] {
    uint64_t seed = 0;
    if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof seed)) {
      // Early in boot the pool may not be ready; any varying value still keeps ids chosen in
      // advance from colliding everywhere.
      seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    return SecretOf(seed);
  }();
  return secret;
}

}  // namespace tandem::key_hash
