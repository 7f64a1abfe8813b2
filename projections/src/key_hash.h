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

// What a key's bytes are xored with before each multiply. Made from the seed: with constants
// known in advance, a key holding one of them would zero a factor and hash alike under every
// seed.
struct Secret {
  uint64_t k1, k2, k3;
};
Secret SecretOf(uint64_t seed);
// The process's secret, from a seed chosen at random at the first call.
const Secret& ProcessSecret();

}  // namespace key_hash

// `salt` tells apart the tables that share keys (a family number, an earlier part's hash).
inline uint64_t HashKey(std::string_view key, const key_hash::Secret& secret, uint64_t salt = 0) {
  using namespace key_hash;
  const char* p = key.data();
  size_t n = key.size();
  uint64_t h = Mix(salt ^ n ^ secret.k1, secret.k2);
  for (; n > 16; p += 16, n -= 16) h = Mix(Read8(p) ^ secret.k1, Read8(p + 8) ^ h);
  uint64_t a = 0, b = 0;
  if (n >= 8) {  // 8 to 16 bytes left: two reads that overlap when fewer than 16
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
  return Mix(a ^ secret.k2, b ^ h ^ secret.k3);
}

inline uint64_t HashKey(std::string_view key, uint64_t salt = 0) {
  return HashKey(key, key_hash::ProcessSecret(), salt);
}

struct KeyHash {
  using is_transparent = void;
  using is_avalanching = void;  // no post-mixing by boost's tables
  size_t operator()(std::string_view key) const { return HashKey(key, secret); }
  key_hash::Secret secret = key_hash::ProcessSecret();
};

}  // namespace tandem
