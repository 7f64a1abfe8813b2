// KeyHash: the hash of the folds' in-memory tables. Its tables do not mix it again, so it must
// spread keys that differ in any byte or in length over both ends of its value on its own.
#include "key_hash.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "view_key.h"

namespace tandem {
namespace {

// The share of `values` that land in a bucket no other value took, among 2^bits buckets
// chosen by the low or by the high bits.
double Spread(const std::vector<uint64_t>& values, int bits, bool high) {
  std::vector<int> count(size_t{1} << bits);
  for (uint64_t v : values) ++count[high ? v >> (64 - bits) : v & ((uint64_t{1} << bits) - 1)];
  size_t alone = 0;
  for (uint64_t v : values)
    alone += count[high ? v >> (64 - bits) : v & ((uint64_t{1} << bits) - 1)] == 1;
  return static_cast<double>(alone) / values.size();
}

// Under several fixed seeds, so that a failure names one to reproduce it with.
template <class MakeKeys>
void ExpectSpread(MakeKeys make_keys) {
  for (uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{0x0123456789abcdef}, ~uint64_t{0}}) {
    const key_hash::Secret secret = key_hash::SecretOf(seed);
    std::vector<uint64_t> values;
    for (const std::string& key : make_keys()) values.push_back(HashKey(key, secret));
    // 2^14 values in 2^20 buckets: at random, about 98.4% alone.
    for (bool high : {false, true}) {
      EXPECT_GT(Spread(values, 20, high), 0.97) << "seed " << seed << (high ? " high" : " low");
    }
  }
}

TEST(KeyHashTest, RowKeysDifferingInTheirLastIdSpreadOverBothEnds) {
  ExpectSpread([] {
    std::vector<std::string> keys;
    for (int i = 0; i < (1 << 14); ++i)
      keys.push_back(ViewKey({"northwind", "p-acme", "m", "comment-" + std::to_string(i)}));
    return keys;
  });
}

TEST(KeyHashTest, KeysDifferingInOneByteAtAnyPlaceOrInLengthSpread) {
  ExpectSpread([] {
    std::set<std::string> distinct;
    std::vector<std::string> keys;
    for (size_t length = 0; length <= 48 && keys.size() < (1 << 14); ++length) {
      for (size_t at = 0; at < std::max<size_t>(length, 1); ++at) {
        for (int byte = 0; byte < 256; byte += 23) {
          std::string key(length, 'a');
          if (length > 0) key[at] = static_cast<char>(byte);
          if (distinct.insert(key).second && keys.size() < (1 << 14)) keys.push_back(key);
        }
      }
    }
    return keys;
  });
}

std::string Bytes(uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }

// With the multiplications' constants known in advance, a key holding one would zero a factor
// and hash alike under every seed; the constants a secret is made from must not do that.
TEST(KeyHashTest, KeysHoldingTheConstantsDoNotCollide) {
  const key_hash::Secret secret = key_hash::SecretOf(42);
  for (uint64_t constant : {0x2d358dccaa6c78a5ull, 0x8bb84b93962eacc9ull, 0x4b33a62ed433d4a3ull,
                            0x4d5a2da51de1aa47ull}) {
    EXPECT_NE(HashKey(Bytes(constant) + "AAAAAAAA" + "tail-of-key", secret),
              HashKey(Bytes(constant) + "BBBBBBBB" + "tail-of-key", secret));
    // The last 8 to 16 bytes starting with one (after a 16-byte first part).
    EXPECT_NE(HashKey("0123456789abcdef" + Bytes(constant) + "wxyz", secret),
              HashKey("fedcba9876543210" + Bytes(constant) + "wxyz", secret));
  }
}

TEST(KeyHashTest, EqualKeysHashAlikeAndSecretsOfOtherSeedsApart) {
  const std::string key = ViewKey({"northwind", "p-acme", "t", "thread-1"});
  EXPECT_EQ(HashKey(key), HashKey(std::string(key)));
  EXPECT_EQ(KeyHash()(key), HashKey(key));
  EXPECT_NE(HashKey(key, key_hash::SecretOf(1)), HashKey(key, key_hash::SecretOf(2)));
  EXPECT_NE(HashKey(key, 0), HashKey(key, 1));  // salts tell tables apart
}

}  // namespace
}  // namespace tandem
