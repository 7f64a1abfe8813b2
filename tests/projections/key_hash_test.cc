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

void ExpectSpread(const std::vector<uint64_t>& values) {
  // 2^14 values in 2^20 buckets: at random, about 98.4% alone.
  for (bool high : {false, true}) EXPECT_GT(Spread(values, 20, high), 0.97) << high;
}

TEST(KeyHashTest, RowKeysDifferingInTheirLastIdSpreadOverBothEnds) {
  std::vector<uint64_t> values;
  for (int i = 0; i < (1 << 14); ++i)
    values.push_back(
        HashKey(ViewKey({"northwind", "p-acme", "m", "comment-" + std::to_string(i)})));
  ExpectSpread(values);
}

TEST(KeyHashTest, KeysDifferingInOneByteAtAnyPlaceOrInLengthSpread) {
  std::vector<uint64_t> values;
  std::set<std::string> keys;
  for (size_t length = 0; length <= 48; ++length) {
    for (size_t at = 0; at < std::max<size_t>(length, 1); ++at) {
      for (int byte = 0; byte < 256; byte += 23) {
        std::string key(length, 'a');
        if (length > 0) key[at] = static_cast<char>(byte);
        if (keys.insert(key).second) values.push_back(HashKey(key));
      }
    }
  }
  ASSERT_GT(values.size(), 10000u);
  values.resize(1 << 14 < values.size() ? 1 << 14 : values.size());
  ExpectSpread(values);
}

TEST(KeyHashTest, EqualKeysHashAlikeAndAnotherSeedHashesApart) {
  const std::string key = ViewKey({"northwind", "p-acme", "t", "thread-1"});
  EXPECT_EQ(HashKey(key), HashKey(std::string(key)));
  EXPECT_EQ(KeyHash()(key), HashKey(key));
  // Ids chosen to collide under one seed do not collide under another.
  EXPECT_NE(HashKey(key, 1), HashKey(key, 2));
}

}  // namespace
}  // namespace tandem
