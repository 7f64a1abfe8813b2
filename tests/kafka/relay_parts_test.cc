// The relay's parts on their own: the acknowledged prefix, the thresholds a tail read gives,
// and the position file.
#include <gtest/gtest.h>

#include <fstream>

#include "delivery_tracker.h"
#include "partition_tail.h"
#include "published_position.h"
#include "tandem/kafka/event_message.h"
#include "test_util.h"

namespace tandem::kafka {
namespace {

TEST(DeliveryTrackerTest, PrefixPassesOnlyEventsAcknowledgedWithEveryOneBefore) {
  DeliveryTracker t(10);
  ASSERT_TRUE(t.Sent(11));
  ASSERT_TRUE(t.Sent(12));
  ASSERT_TRUE(t.Skipped(13));
  ASSERT_TRUE(t.Sent(14));
  EXPECT_EQ(t.in_flight(), 3u);
  // Another partition's acknowledgement comes first: the prefix waits for 11.
  ASSERT_TRUE(t.Acknowledged(12));
  EXPECT_EQ(t.prefix(), 10u);
  ASSERT_TRUE(t.Acknowledged(11));
  EXPECT_EQ(t.prefix(), 13u);  // 11, 12 and the skipped 13
  ASSERT_TRUE(t.Acknowledged(14));
  EXPECT_EQ(t.prefix(), 14u);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(DeliveryTrackerTest, PositionsOutOfOrderOrTwiceAreRefused) {
  DeliveryTracker t(0);
  EXPECT_FALSE(t.Sent(2));
  ASSERT_TRUE(t.Sent(1));
  EXPECT_FALSE(t.Acknowledged(2));
  ASSERT_TRUE(t.Acknowledged(1));
  EXPECT_FALSE(t.Acknowledged(1));
  ASSERT_TRUE(t.Skipped(2));
  EXPECT_EQ(t.prefix(), 2u);
}

PartitionTail Tail(int64_t low, int64_t high, uint64_t last_position) {
  PartitionTail t;
  t.low = low;
  t.high = high;
  t.last_position = last_position;
  return t;
}

TEST(TailPlanTest, ATopicThatNeverHeldARecordGetsEverything) {
  const TailPlan plan = PlanFromTails({Tail(0, 0, 0), Tail(0, 0, 0)}, 500);
  EXPECT_TRUE(plan.fresh_topic);
  EXPECT_EQ(plan.start, 0u);
  EXPECT_EQ(plan.thresholds, (std::vector<uint64_t>{0, 0}));
}

TEST(TailPlanTest, EachPartitionSkipsWhatItsLastRecordCovers) {
  // Acknowledged past the stored position before a crash: the tail is further on.
  const TailPlan plan = PlanFromTails({Tail(0, 7, 120), Tail(3, 9, 130)}, 100);
  EXPECT_FALSE(plan.fresh_topic);
  EXPECT_EQ(plan.thresholds, (std::vector<uint64_t>{120, 130}));
  EXPECT_EQ(plan.start, 100u);
  // The stored position lost: start from the lowest tail.
  EXPECT_EQ(PlanFromTails({Tail(0, 7, 120), Tail(3, 9, 130)}, 0).start, 0u);
}

TEST(TailPlanTest, EmptyOrExpiredPartitionsTakeTheStoredPosition) {
  // Never written while another was; every record expired; a record without a position.
  const TailPlan plan =
      PlanFromTails({Tail(0, 0, 0), Tail(5, 5, 0), Tail(0, 4, 0), Tail(0, 3, 90)}, 80);
  EXPECT_EQ(plan.thresholds, (std::vector<uint64_t>{80, 80, 80, 90}));
  EXPECT_EQ(plan.start, 80u);
}

TEST(TailPlanTest, AfterThePartitionCountChangedEveryPartitionTakesTheStoredPosition) {
  // A tenant that two partitions put on partition 1, as the last record of partition 0: it was
  // written when the topic had another count.
  std::string moved;
  for (int i = 0; moved.empty(); i++) {
    const std::string tenant = "t" + std::to_string(i);
    if (PartitionForTenant(tenant, 2) != 0) moved = tenant;
  }
  std::vector<PartitionTail> tails = {Tail(0, 9, 120), Tail(0, 5, 130)};
  tails[0].last_tenant = moved;  // not partition 0's under two partitions
  const TailPlan plan = PlanFromTails(tails, 100);
  EXPECT_TRUE(plan.remapped);
  EXPECT_EQ(plan.thresholds, (std::vector<uint64_t>{100, 100}));
  EXPECT_EQ(plan.start, 100u);
  // Tenants where the count puts them: the tails hold.
  tails[0].last_tenant.clear();
  EXPECT_FALSE(PlanFromTails(tails, 100).remapped);
}

TEST(PositionFileTest, WrittenPositionReadsBack) {
  test::ScratchDir dir;
  uint64_t position = 0;
  EXPECT_TRUE(ReadPositionFile(dir.Sub("p"), &position).IsNotFound());
  ASSERT_TRUE(WritePositionFile(dir.Sub("p"), 12345).ok());
  ASSERT_TRUE(ReadPositionFile(dir.Sub("p"), &position).ok());
  EXPECT_EQ(position, 12345u);
  ASSERT_TRUE(WritePositionFile(dir.Sub("p"), 7).ok());
  ASSERT_TRUE(ReadPositionFile(dir.Sub("p"), &position).ok());
  EXPECT_EQ(position, 7u);
}

TEST(PositionFileTest, DamagedBytesAreCorruptionNotAPosition) {
  test::ScratchDir dir;
  ASSERT_TRUE(WritePositionFile(dir.Sub("p"), 12345).ok());
  std::string bytes;
  {
    std::ifstream in(dir.Sub("p"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t i = 0; i < bytes.size(); i++) {
    std::string damaged = bytes;
    damaged[i] ^= 0x10;
    std::ofstream(dir.Sub("p"), std::ios::binary | std::ios::trunc) << damaged;
    uint64_t position = 0;
    EXPECT_EQ(ReadPositionFile(dir.Sub("p"), &position).reason(), "relay.bad_position_file") << i;
  }
  std::ofstream(dir.Sub("p"), std::ios::binary | std::ios::trunc) << bytes.substr(0, 20);
  uint64_t position = 0;
  EXPECT_EQ(ReadPositionFile(dir.Sub("p"), &position).reason(), "relay.bad_position_file");
}

}  // namespace
}  // namespace tandem::kafka
