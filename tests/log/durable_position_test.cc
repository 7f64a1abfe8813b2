// The published position's file on its own: a reader never takes a half-written slot, and the
// file says whether its writer syncs before it acknowledges.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "durable_position.h"
#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

TEST(DurablePositionTest, AReaderNeverSeesAPositionTheWriterDidNotPublish) {
  test::ScratchDir dir;
  std::unique_ptr<DurablePosition> writer;
  ASSERT_TRUE(DurablePosition::OpenForWriting(dir.path(), 0, false, &writer).ok());
  // Each position repeats its counter in both halves, so that a value put together from two
  // publications would show.
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    for (uint64_t i = 1; !done.load(); i++) writer->Publish(i << 32 | i);
  });
  Status failure;
  uint64_t previous = 0;
  for (int read = 0; read < 20000 && failure.ok(); read++) {
    uint64_t position = 0;
    failure = DurablePosition::Read(dir.path(), &position);
    if (failure.ok() && ((position >> 32) != (position & 0xffffffff) || position < previous)) {
      failure = Status::Corruption("read " + std::to_string(position) + " after " +
                                   std::to_string(previous));
    }
    previous = position;
  }
  done.store(true);
  publisher.join();
  EXPECT_TRUE(failure.ok()) << failure.ToString();
  EXPECT_GT(previous, 0u);
}

TEST(DurablePositionTest, TheFileSaysWhetherItsWriterAcknowledgesBeforeSyncing) {
  for (Durability durability : {Durability::kSynced, Durability::kBuffered}) {
    test::ScratchDir dir;
    EventLogOptions options;
    options.durability = durability;
    {
      auto log = test::OpenLogOrDie(dir.path(), options);
      AppendResult r;
      ASSERT_TRUE(
          log->Append({"acme", "s"}, ExpectedVersion::Any(), {test::CommentEvent("e1")}, "", &r)
              .ok());
    }
    uint64_t position = 0;
    bool buffered = false;
    ASSERT_TRUE(DurablePosition::Read(dir.path(), &position, &buffered).ok());
    EXPECT_EQ(position, 1u);
    EXPECT_EQ(buffered, durability == Durability::kBuffered);
  }
}

}  // namespace
}  // namespace tandem
