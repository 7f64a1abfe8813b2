// Row keys: made of parts whatever bytes an id holds, ordered part by part, and each a prefix
// of exactly the keys that extend it.
#include "view_key.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tandem {
namespace {

using Parts = std::vector<std::string>;

Parts Split(const std::string& key) {
  Parts parts;
  EXPECT_TRUE(SplitViewKey(key, &parts));
  return parts;
}

TEST(ViewKeyTest, PartsHoldingNulsReadBackAsGiven) {
  const std::string nul("a\0b", 3), trailing("x\0", 2), only(1, '\0');
  EXPECT_EQ(Split(ViewKey({"tenant", nul, trailing, only, ""})),
            (Parts{"tenant", nul, trailing, only, ""}));
  EXPECT_EQ(Split(ViewKey({"tenant", "p-1", "m", "launch"})),
            (Parts{"tenant", "p-1", "m", "launch"}));
}

TEST(ViewKeyTest, NoPartSpillsIntoTheNext) {
  EXPECT_NE(ViewKey({"ab", "c"}), ViewKey({"a", "bc"}));
  EXPECT_NE(ViewKey({std::string("a\0", 2)}), ViewKey({"a", ""}));
  EXPECT_NE(ViewKey({std::string("a\0\x01", 3)}), ViewKey({"a", "\x01"}));
}

TEST(ViewKeyTest, KeysSortPartByPartAndAKeyPrefixesOnlyItsExtensions) {
  const std::string project = ViewKey({"t", "p"});
  EXPECT_EQ(ViewKey({"t", "p", "m"}).rfind(project, 0), 0u);
  EXPECT_NE(ViewKey({"t", "p2"}).rfind(project, 0), 0u);  // another project, not an extension
  EXPECT_NE(ViewKey({"t", std::string("p\0", 2)}).rfind(project, 0), 0u);
  EXPECT_LT(ViewKey({"t", "p"}), ViewKey({"t", "p", "m"}));
  EXPECT_LT(ViewKey({"t", "p", "zzz"}), ViewKey({"t", "pa"}));
  EXPECT_LT(ViewKey({"t", std::string("p\0", 2)}), ViewKey({"t", "pa"}));
}

}  // namespace
}  // namespace tandem
