// What a client's side sees of a workspace: its own projects' shared events and nothing
// internal, nothing of other clients.
#include <gtest/gtest.h>

#include "command_world.h"
#include "tandem/domain/client_visibility.h"

namespace tandem::test {
namespace {

class ClientVisibilityTest : public StandardWorldTest {
 protected:
  // Every event of northwind that `client` may see.
  std::vector<RecordedEvent> SeenBy(const std::string& client) {
    ClientVisibility visibility(client);
    std::vector<RecordedEvent> seen, page;
    for (uint64_t from = 1;; from = page.back().global_position() + 1) {
      EXPECT_TRUE(world_->log()->ReadTenant("northwind", from, ReadOptions(), &page).ok());
      if (page.empty()) break;
      for (auto& e : page) {
        if (visibility.Observe(e.event())) seen.push_back(e);
      }
    }
    return seen;
  }
};

TEST_F(ClientVisibilityTest, ClientSeesNoInternalEvent) {
  LinkClientCardToInternalCard();
  ASSERT_TRUE(Run("card.move", "staff",
                  {{"project_id", "p-acme"},
                   {"card_id", "ic"},
                   {"to_column", "Doing"},
                   {"expected_version", 2}})
                  .ok());
  const auto seen = SeenBy("acme");
  ASSERT_FALSE(seen.empty());
  for (const auto& e : seen) {
    EXPECT_EQ(e.event().audience(), schema::Audience::Client) << e.global_position();
    if (const auto* c = e.event().payload_as_CommentPosted()) {
      EXPECT_NE(c->thread_id()->str(), "t-internal");
    }
    if (const auto* m = e.event().payload_as_CardMoved()) {
      EXPECT_NE(m->card_id()->str(), "ic");
    }
    EXPECT_EQ(e.event().payload_as_CardLinked(), nullptr);
  }
}

TEST_F(ClientVisibilityTest, ClientSeesNothingOfAnotherClient) {
  for (const auto& e : SeenBy("acme")) {
    EXPECT_NE(e.event().stream_id()->str(), "project:p-globex");
    if (const auto* m = e.event().payload_as_MemberInvited()) {
      EXPECT_EQ(m->client_id()->str(), "acme");
    }
  }
}

TEST_F(ClientVisibilityTest, EventWhosePayloadSaysInternalIsNotSeen) {
  // Written past the rules: the envelope says Client, the thread it names is internal.
  schema::CommentPostedT c;
  c.project_id = "p-acme";
  c.thread_id = "t-forged";
  c.comment_id = "forged";
  c.thread_audience = schema::Audience::Internal;
  c.body = "secret";
  NewEvent e;
  e.actor = "operator";
  e.audience = schema::Audience::Client;
  e.payload.Set(std::move(c));
  AppendResult r;
  ASSERT_TRUE(
      world_->log()
          ->Append(ProjectStream("northwind", "p-acme"), ExpectedVersion::Any(), {e}, "", &r)
          .ok());
  for (const auto& seen : SeenBy("acme")) {
    if (const auto* posted = seen.event().payload_as_CommentPosted()) {
      EXPECT_NE(posted->comment_id()->str(), "forged");
    }
  }
}

TEST_F(ClientVisibilityTest, ClientSeesItsSharedTimelineAndThread) {
  int milestones = 0, client_comments = 0;
  for (const auto& e : SeenBy("acme")) {
    milestones += e.payload_type() == schema::Payload::MilestonePlanned;
    client_comments += e.payload_type() == schema::Payload::CommentPosted;
  }
  EXPECT_EQ(milestones, 3);
  EXPECT_EQ(client_comments, 1);
}

}  // namespace
}  // namespace tandem::test
