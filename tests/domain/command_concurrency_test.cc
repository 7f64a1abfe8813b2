// Commands racing each other: command ids of different actors, a revocation landing between a
// command's authorisation and its append, and more streams than the handler keeps in memory.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

std::string Comment(const std::string& actor, const std::string& thread, const std::string& id,
                    const std::string& body, const std::string& command_id) {
  return Cmd("comment.post", "northwind", actor,
             {{"project_id", "p-acme"},
              {"thread_id", thread},
              {"comment_id", id},
              {"body", body},
              {"command_id", command_id}});
}

TEST(CommandConcurrencyTest, ActorsRacingOnOneCommandIdEachGetTheirOwnCommand) {
  ScratchDir dir;
  CommandWorld world(dir.Sub("world"));
  world.BuildStandard();
  for (int round = 0; round < 150; round++) {
    const std::string id = "race-" + std::to_string(round);
    CommandResult staff_result, client_result;
    Status staff_status, client_status;
    std::thread staff([&] {
      staff_status = world.Run(Comment("staff", "t-internal", "s" + std::to_string(round),
                                       "internal note " + std::to_string(round), id),
                               &staff_result);
    });
    std::thread client([&] {
      client_status = world.Run(
          Comment("acme-member", "t-client", "m" + std::to_string(round), "client question", id),
          &client_result);
    });
    staff.join();
    client.join();
    ASSERT_TRUE(staff_status.ok()) << staff_status.ToString();
    ASSERT_TRUE(client_status.ok()) << client_status.ToString();
    ASSERT_FALSE(staff_result.deduplicated) << "round " << round;
    ASSERT_FALSE(client_result.deduplicated) << "round " << round;
    for (const auto& e : client_result.events) {
      ASSERT_EQ(e.event().actor()->str(), "acme-member") << "round " << round;
      ASSERT_EQ(e.event().audience(), schema::Audience::Client) << "round " << round;
    }
  }
}

TEST(CommandConcurrencyTest, SameActorRacingOnOneCommandIdWritesOnce) {
  ScratchDir dir;
  CommandWorld world(dir.Sub("world"));
  world.BuildStandard();
  const std::string command = Comment("pm", "t-client", "c-once", "hello", "once");
  const uint64_t before = world.log()->LastPosition();
  std::atomic<int> deduplicated{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; i++) {
    threads.emplace_back([&] {
      CommandResult result;
      Status s = world.Run(command, &result);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (result.deduplicated) deduplicated++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(world.log()->LastPosition(), before + 1);
  EXPECT_EQ(deduplicated.load(), 7);
}

TEST(CommandConcurrencyTest, RevocationBetweenAuthorisationAndAppendStopsTheCommand) {
  ScratchDir dir;
  CommandWorld* world_ptr = nullptr;
  std::atomic<bool> revoke_armed{false};
  CommandWorld world(dir.Sub("world"), [&](CommandHandlerOptions* options) {
    // The handler reads the clock after authorising and before appending: the revocation
    // lands exactly in that window.
    options->now_us = [&] {
      if (revoke_armed.exchange(false)) {
        Status s = world_ptr->Run(Cmd("role.revoke", "northwind", "owner",
                                      {{"member_id", "acme-member"},
                                       {"role", "client_member"},
                                       {"expected_version", "any"}}));
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
      return kTestNowUs;
    };
  });
  world_ptr = &world;
  world.BuildStandard();
  revoke_armed = true;
  Status s = world.Run(Comment("acme-member", "t-client", "c-late", "too late", "late-1"));
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  EXPECT_FALSE(revoke_armed.load());  // the revocation did run inside the window
  std::vector<RecordedEvent> events;
  ASSERT_TRUE(world.log()->ReadAll(1, ReadOptions(), &events).ok());
  for (const auto& e : events) {
    if (e.payload_type() == schema::Payload::CommentPosted) {
      EXPECT_NE(e.event().payload_as_CommentPosted()->comment_id()->str(), "c-late");
    }
  }
}

TEST(CommandConcurrencyTest, CommandsOnMoreProjectsThanTheHandlerKeepsStayCorrect) {
  ScratchDir dir;
  CommandWorld world(dir.Sub("world"),
                     [](CommandHandlerOptions* options) { options->max_cached_streams = 2; });
  world.BuildStandard();
  for (int p = 0; p < 5; p++) {
    world.MustRun(Cmd("project.create", "northwind", "pm",
                      {{"project_id", "lru-" + std::to_string(p)},
                       {"client_id", "acme"},
                       {"name", "Project " + std::to_string(p)}}));
  }
  for (int round = 1; round <= 3; round++) {
    for (int p = 0; p < 5; p++) {
      const std::string m = "m" + std::to_string(round);
      const uint64_t version = world.MustRun(Cmd("milestone.plan", "northwind", "pm",
                                                 {{"project_id", "lru-" + std::to_string(p)},
                                                  {"milestone_id", m},
                                                  {"title", "Step " + m},
                                                  {"planned_date", "2027-01-0" + m.substr(1)}}));
      EXPECT_EQ(version, 1u);
      // A second plan of the same milestone is refused: the evicted state was re-folded.
      Status s = world.Run(Cmd("milestone.plan", "northwind", "pm",
                               {{"project_id", "lru-" + std::to_string(p)},
                                {"milestone_id", m},
                                {"title", "Again"},
                                {"planned_date", "2027-01-01"}}));
      EXPECT_TRUE(s.IsRejected()) << s.ToString();
    }
  }
}

}  // namespace
}  // namespace tandem::test
