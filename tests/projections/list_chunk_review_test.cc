// Review of the lists stored as JSON lines appended by merge (9fc42d4): a chunk's bytes on disk
// are never trusted, hostile text never breaks the framing, and a damaged list is folded again.
// Real views database on disk, written and damaged through the store as a torn write would.
#include <gtest/gtest.h>

#include "id_index.h"
#include "test_util.h"
#include "view_json.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::object;
using boost::json::value;

class ListChunkReviewTest : public StandardViewTest {
 protected:
  void Post(const std::string& actor, const std::string& thread, const std::string& id,
            const std::string& body) {
    world_->MustRun(Cmd("comment.post", "northwind", actor,
                        {{"project_id", "p-acme"},
                         {"thread_id", thread},
                         {"comment_id", id},
                         {"audience", "client"},
                         {"body", body}}));
  }

  // The stored chunk rows of acme's client thread t-client in `view`.
  std::vector<std::pair<std::string, std::string>> Chunks(const std::string& view) {
    std::vector<std::pair<std::string, std::string>> chunks;
    for (const auto& [k, v] : StoredRows(world_->store(), view)) {
      if (KeyHasPart(k, "p-acme") && KeyHasPart(k, "m") && KeyHasPart(k, "t-client")) {
        chunks.emplace_back(k, v);
      }
    }
    return chunks;
  }

  // Replaces the first chunk of t-client in client-threads by what `damage` makes of it.
  void DamageChunk(const std::function<std::string(const std::string&)>& damage) {
    world_->CatchUp();
    auto chunks = Chunks("client-threads");
    ASSERT_EQ(chunks.size(), 1u);
    ReplaceRow(chunks[0].first, damage(chunks[0].second));
  }

  // How a comment's record starts in its index bucket: a tag, the id's length, the id.
  static std::string Record(const std::string& comment) {
    return "e" + std::string(1, static_cast<char>(comment.size())) + comment;
  }

  // Replaces the index bucket that holds comment `comment` (which thread and place it has) in
  // client-threads by what `damage` makes of it and of where the comment's record starts.
  void DamageRef(const std::string& comment,
                 const std::function<std::string(const std::string&, size_t)>& damage) {
    world_->CatchUp();
    std::string key, stored;
    for (const auto& [k, v] : StoredRows(world_->store(), "client-threads")) {
      if (KeyHasPart(k, "p-acme") && KeyHasPart(k, "c") && KeyHasPart(k, "b") &&
          v.find(Record(comment)) != std::string::npos) {
        key = k;
        stored = v;
      }
    }
    ASSERT_FALSE(key.empty());
    ReplaceRow(key, damage(stored, stored.find(Record(comment))));
  }

  void ReplyInClientThread(const std::string& id, const std::string& to) {
    world_->MustRun(Cmd("comment.post", "northwind", "acme-member",
                        {{"project_id", "p-acme"},
                         {"thread_id", "t-client"},
                         {"comment_id", id},
                         {"audience", "client"},
                         {"body", "a reply"},
                         {"reply_to", to}}));
  }

  // Writes `bytes` under `key` in client-threads with the views closed (nothing cached in a
  // fold), then opens them again.
  void ReplaceRow(const std::string& key, const std::string& bytes) {
    world_->CloseViews();
    {
      std::unique_ptr<ViewStore> store;
      ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), world_->dir() + "/views", &store).ok());
      auto batch = store->NewBatch();
      batch->Rows("client-threads")->Put(key, bytes);
      ASSERT_TRUE(store->Commit(batch.get()).ok());
    }
    world_->OpenViews();
  }

  Status ReadClientThread(value* out = nullptr, uint64_t limit = 100) {
    ViewRequest r = Ask("threads", "acme-member", "p-acme");
    r.thread = "t-client";
    r.limit = limit;
    Status s;
    const std::string read = world_->Read(r, &s);
    if (s.ok() && out != nullptr) *out = ViewBody(read);
    return s;
  }
};

TEST_F(ListChunkReviewTest, AChunkCutShortReadsAsCorruption) {
  Post("acme-member", "t-client", "c3", "second");
  DamageChunk([](const std::string& v) { return v.substr(0, v.size() - 1); });
  Status s = ReadClientThread();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(ListChunkReviewTest, AChunkLineThatIsNoObjectReadsAsCorruption) {
  Post("acme-member", "t-client", "c3", "second");
  DamageChunk([](const std::string& v) { return v.substr(0, v.find('\n') + 1) + "[1,2]\n"; });
  Status s = ReadClientThread();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(ListChunkReviewTest, AChunkShorterThanItsListReadsAsCorruption) {
  Post("acme-member", "t-client", "c3", "second");
  DamageChunk([](const std::string& v) { return v.substr(0, v.find('\n') + 1); });
  Status s = ReadClientThread();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

// Bodies that try to end their line early, forge another comment's line, or carry NUL bytes,
// control codes and invalid UTF-8 (the domain refuses control codes; an event written past the
// rules does not) read back as exactly one comment each.
TEST_F(ListChunkReviewTest, HostileBodiesNeverBreakTheLines) {
  const std::vector<std::string> bodies = {
      "one\ntwo",
      "x\"}\n{\"id\":\"forged\",\"author\":\"pm\",\"body\":\"evil\",\"reply_to\":\"\"}\n",
      std::string("nul\0byte\n", 9),
      "\r\n\x1f\x7f\u2028\u2029",
  };
  Post("acme-member", "t-client", "h0", bodies[0]);
  Post("acme-member", "t-client", "h1", bodies[1]);
  auto past_the_rules = [&](const std::string& id, const std::string& body) {
    NewEvent e = CommentEvent(body, "acme-member");
    schema::CommentPostedT* c = e.payload.AsCommentPosted();
    c->project_id = "p-acme";
    c->thread_id = "t-client";
    c->comment_id = id;
    AppendPastTheRules(world_->log(), "p-acme", e);
  };
  past_the_rules("h2", bodies[2]);
  past_the_rules("h3", bodies[3]);
  past_the_rules("raw", "caf\xe9\n\xff{}");

  value v;
  Status s = ReadClientThread(&v);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto& thread = v.at("threads").at(0).as_object();
  EXPECT_EQ(thread.at("comment_count"), bodies.size() + 2);
  const auto& comments = thread.at("comments").as_array();
  ASSERT_EQ(comments.size(), bodies.size() + 2);
  for (size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_EQ(comments[i + 1].at("body").as_string(), bodies[i]) << i;
  }
  EXPECT_EQ(comments.back().at("id"), "raw");
  for (const auto& [key, chunk] : Chunks("client-threads")) {
    EXPECT_EQ(std::count(chunk.begin(), chunk.end(), '\n'), static_cast<long>(bodies.size() + 2));
  }
  world_->ExpectRebuildHashesLikeLive({"client-threads", "internal-threads", "client-feed"});
}

// A damaged row is derived data: the fold that next touches it drops the view and folds it again
// from the log (projection_runner.h). Appending to a damaged chunk is touching it: the thread
// must read again once it grew, not stay unreadable until someone rebuilds it by hand.
TEST_F(ListChunkReviewTest, ADamagedChunkIsFoldedAgainWhenItsListGrows) {
  Post("acme-member", "t-client", "c3", "second");
  DamageChunk([](const std::string& v) { return v.substr(0, v.size() - 1); });
  Post("acme-member", "t-client", "c4", "third");
  value v;
  Status s = ReadClientThread(&v);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(v.at("threads").at(0).at("comment_count"), 3);
}

// The same for a chunk that lost its last line: the list would grow with every later comment
// one place off its count.
TEST_F(ListChunkReviewTest, AChunkShorterThanItsListIsFoldedAgainWhenItGrows) {
  Post("acme-member", "t-client", "c3", "second");
  DamageChunk([](const std::string& v) { return v.substr(0, v.find('\n') + 1); });
  Post("acme-member", "t-client", "c4", "third");
  value v;
  Status s = ReadClientThread(&v);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto& comments = v.at("threads").at(0).at("comments").as_array();
  ASSERT_EQ(comments.size(), 3u);
  EXPECT_EQ(comments[1].at("body"), "second");
  EXPECT_EQ(comments[2].at("body"), "third");
}

// A comment's place (its thread and number, in the index of the project's comment ids) is read
// back when a reply names it: damaged (cut short by a byte, a place overwritten), it is never
// taken for another thread or place; the view is folded again and the reply points at the
// comment it names.
TEST_F(ListChunkReviewTest, ACommentsPlaceCutShortIsNeverTakenForAnotherThread) {
  DamageRef("c1", [](const std::string& v, size_t) { return v.substr(0, v.size() - 1); });
  ReplyInClientThread("c9", "c1");
  value v;
  Status s = ReadClientThread(&v);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto& comments = v.at("threads").at(0).at("comments").as_array();
  ASSERT_EQ(comments.size(), 2u);
  EXPECT_EQ(comments[1].at("reply_to"), "c1");
  world_->ExpectRebuildHashesLikeLive({"client-threads"});
}

TEST_F(ListChunkReviewTest, ACommentsPlaceOverwrittenIsNeverTakenForAPlace) {
  // The record: a tag, the id's length, the id, the place's length, the place (8 bytes of
  // number, then the thread), its check.
  DamageRef("c1", [](std::string v, size_t record) {
    v.replace(record + 5, 8, std::string(8, '\x7f'));
    return v;
  });
  ReplyInClientThread("c9", "c1");
  world_->ExpectRebuildHashesLikeLive({"client-threads"});
}

// Comment ids a client made to land in one bucket of the project's index: past 512, the rest
// are rows of their own (id_index.h).
class OverflowingIdsTest : public ListChunkReviewTest {
 protected:
  void SetUp() override {
    ListChunkReviewTest::SetUp();
    for (uint64_t i = 0; ids_.size() < 520; ++i) {
      const std::string id = "h" + std::to_string(i);
      if ((IdIndex::HashOf(id) & 0x3fff) == 0x0abc) ids_.push_back(id);
    }
  }
  void ReplyTo(const std::string& comment) {
    world_->MustRun(Cmd("comment.post", "northwind", "pm",
                        {{"project_id", "p-acme"},
                         {"thread_id", "t-client"},
                         {"comment_id", "reply"},
                         {"audience", "client"},
                         {"body", "a reply"},
                         {"reply_to", comment}}));
  }
  std::string LastReplyTo() {
    value v;
    Status s = ReadClientThread(&v, 1000);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return "";
    const auto& comments = v.at("threads").at(0).at("comments").as_array();
    return std::string(comments.back().at("reply_to").as_string());
  }
  std::vector<std::string> ids_;
};

TEST_F(OverflowingIdsTest, AReplyToAnOverflowedCommentOfTheSameBatchKeepsIt) {
  for (const auto& id : ids_) Post("pm", "t-client", id, "x");
  ReplyTo(ids_.back());
  EXPECT_EQ(LastReplyTo(), ids_.back());
  world_->ExpectRebuildHashesLikeLive({"client-threads", "internal-threads"});
}

TEST_F(OverflowingIdsTest, CommentsFoldedOneBatchEachHashLikeARebuild) {
  for (const auto& id : ids_) {
    Post("pm", "t-client", id, "x");
    world_->CatchUp();
  }
  ReplyTo(ids_.back());
  EXPECT_EQ(LastReplyTo(), ids_.back());
  world_->ExpectRebuildHashesLikeLive({"client-threads", "internal-threads"});
}

}  // namespace
}  // namespace tandem::test
