// The generator's randomness: std::mt19937_64 (whose output the standard fixes) with
// distributions written out here, because the standard library's distributions may differ
// between library versions and a seed must give the same history everywhere.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

namespace tandem::history {

// A well-mixed seed for the `stream`-th independent sequence of `seed` (splitmix64), so that
// each project has its own sequence whatever the others do.
inline uint64_t MixSeed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class HistoryRandom {
 public:
  explicit HistoryRandom(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }

  // Uniform in [0, n), n > 0, without modulo bias.
  uint64_t Below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = engine_();
    } while (x >= limit);
    return x % n;
  }

  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1), from 53 random bits.
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  bool Chance(double p) { return Unit() < p; }

  double Exponential(double mean) { return -mean * std::log1p(-Unit()); }

  // Standard normal (Box-Muller; one value per call, nothing cached).
  double Normal() {
    const double u = 1.0 - Unit();  // (0, 1]
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * Unit());
  }

  // An index drawn with the given non-negative weights (at least one positive).
  size_t Weighted(std::initializer_list<double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Unit() * total;
    size_t i = 0, last_positive = 0;
    for (double w : weights) {
      if (w > 0) {
        if (x < w) return i;
        last_positive = i;
      }
      x -= w;
      i++;
    }
    return last_positive;  // rounding at the top end
  }

  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace tandem::history
