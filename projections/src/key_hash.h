// KeyHash: the hash of the folds' in-memory tables keyed by row keys and ids (DocCache,
// ChunkedList, IdIndex's scopes, pending rows, a round's projects).
//
// Why not std::hash: its MurmurHash2 takes 3-4% of a rebuild, reading 8 bytes a step; this
// reads 16 bytes per 128-bit multiply (the mixing of wyhash and rapidhash). Seeded once per
// process at random: ids are chosen by whoever writes events, and a hash known in advance lets
// them be chosen to land in one place, each lookup then walking all of them. Nothing stored
// depends on it (an IdIndex lays out its buckets with its own fixed hash), so a seed that
// changes with every start changes no row.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tandem {

namespace key_hash {

// The process's seed (random, chosen at the first call).
uint64_t Seed();

inline uint64_t Mix(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Read8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Read4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

constexpr uint64_t kOdd1 = 0x2d358dccaa6c78a5ull, kOdd2 = 0x8bb84b93962eacc9ull,
                   kOdd3 = 0x4b33a62ed433d4a3ull;

}  // namespace key_hash

inline uint64_t HashKey(std::string_view key, uint64_t seed) {
  using namespace key_hash;
  const char* p = key.data();
  size_t n = key.size();
  uint64_t h = seed ^ Mix(n ^ kOdd1, kOdd2);
  for (; n > 16; p += 16, n -= 16) h = Mix(Read8(p) ^ kOdd1, Read8(p + 8) ^ h);
  uint64_t a = 0, b = 0;
  if (n >= 8) {  // the last 16 bytes (overlapping what the loop read when shorter)
    a = Read8(p);
    b = Read8(p + n - 8);
  } else if (n >= 4) {
    a = Read4(p);
    b = Read4(p + n - 4);
  } else if (n > 0) {
    a = (uint64_t{static_cast<unsigned char>(p[0])} << 16) |
        (uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8) |
        static_cast<unsigned char>(p[n - 1]);
  }
  return Mix(a ^ kOdd2, b ^ h ^ kOdd3);
}

inline uint64_t HashKey(std::string_view key) { return HashKey(key, key_hash::Seed()); }

struct KeyHash {
  using is_transparent = void;
  using is_avalanching = void;  // no post-mixing by boost's tables
  size_t operator()(std::string_view key) const { return HashKey(key, seed); }
  uint64_t seed = key_hash::Seed();
};

}  // namespace tandem
