// The threads view: each project's threads per audience, their comments and reply chains, and
// what each asker may see of them.
#include <map>
#include <utility>

#include <gtest/gtest.h>

#include "thread_projection.h"
#include "view_json.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

const std::string kMarker = "INTERNAL-MARKER";

class ThreadsViewTest : public StandardViewTest {
 protected:
  void Post(const std::string& actor, object fields) {
    fields["project_id"] = "p-acme";
    world_->MustRun(Cmd("comment.post", "northwind", actor, std::move(fields)));
  }

  // On acme's project, beside the standard client thread ("Welcome!", c1) and internal one
  // ("Budget is tight", c2): the client answers c1 and the firm answers the client; the firm
  // adds an internal reply; the client opens a thread of its own on its card.
  void TellStory() {
    Post("acme-member",
         {{"thread_id", "t-client"}, {"comment_id", "c3"}, {"body", "Thanks"}, {"reply_to", "c1"}});
    Post("pm", {{"thread_id", "t-client"},
                {"comment_id", "c4"},
                {"body", "Glad to help"},
                {"reply_to", "client:acme:c3"}});
    Post("pm", {{"thread_id", "t-internal"},
                {"comment_id", "c5"},
                {"body", kMarker + " margin"},
                {"reply_to", "c2"}});
    Post("acme-admin", {{"thread_id", "q"},
                        {"comment_id", "q1"},
                        {"anchor", object{{"kind", "card"}, {"id", "cc"}}},
                        {"body", "Is the logo final?"}});
  }

  // Appends a comment in a client thread of `project` past the rules (no command checks it).
  void PostSharedPastTheRules(const std::string& project, const std::string& thread,
                              const std::string& id, const std::string& body,
                              const std::string& reply_to = "") {
    schema::CommentPostedT c;
    c.project_id = project;
    c.thread_id = thread;
    c.comment_id = id;
    c.thread_audience = schema::Audience::Client;
    c.body = body;
    c.reply_to = reply_to;
    AppendPastTheRules(world_->log(), project,
                       EventBy("pm", schema::Audience::Client, std::move(c)));
  }

  // When the comment was posted (its event's recorded_at_us).
  int64_t At(const std::string& comment) {
    for (const RecordedEvent& e : ProjectEvents(world_->log(), "p-acme")) {
      const auto* c = e.event().payload_as_CommentPosted();
      if (c != nullptr && c->comment_id()->str() == comment) return e.event().recorded_at_us();
    }
    ADD_FAILURE() << "no comment " << comment;
    return 0;
  }

  value Comment(const std::string& id, const std::string& author, const std::string& name,
                const std::string& body, const std::string& reply_to, array replies) {
    return object{{"id", id},
                  {"author", author},
                  {"author_name", name},
                  {"author_side", StandardSide(author)},
                  {"at_us", At(id)},
                  {"body", body},
                  {"reply_to", reply_to},
                  {"replies", replies}};
  }
};

value Thread(const std::string& id, const char* audience, value anchor, uint64_t count,
             array comments) {
  object o{{"id", id}};
  if (audience != nullptr) o["audience"] = audience;
  o["anchor"] = std::move(anchor);
  o["comment_count"] = count;
  o["comments"] = std::move(comments);
  return o;
}

value Envelope(array threads, uint64_t offset = 0, uint64_t limit = 50) {
  return object{{"view", "threads"}, {"workspace", "northwind"}, {"project", "p-acme"},
                {"offset", offset},  {"limit", limit},           {"threads", std::move(threads)}};
}

const object kOnMilestone{{"kind", "milestone"}, {"id", "m-planned"}};
const object kOnCard{{"kind", "card"}, {"id", "cc"}};

TEST_F(ThreadsViewTest, ClientSeesItsThreadsWithCommentsAuthorsAndReplyChains) {
  TellStory();
  const std::string read = world_->Read(Ask("threads", "acme-member", "p-acme"));
  ExpectViewJson(
      read,
      Envelope(
          {Thread("t-client", nullptr, kOnMilestone, 3,
                  {Comment("c1", "pm", "pm", "Welcome!", "", {"client:acme:c3"}),
                   Comment("client:acme:c3", "acme-member", "acme member", "Thanks", "c1", {"c4"}),
                   Comment("c4", "pm", "pm", "Glad to help", "client:acme:c3", {})}),
           Thread("client:acme:q", nullptr, kOnCard, 1,
                  {Comment("client:acme:q1", "acme-admin", "acme admin", "Is the logo final?", "",
                           {})})}));
  EXPECT_EQ(read.find(kMarker), std::string::npos);
  EXPECT_EQ(read.find("Budget is tight"), std::string::npos);
}

TEST_F(ThreadsViewTest, FirmSeesEveryThreadWithItsAudience) {
  TellStory();
  ExpectViewJson(
      world_->Read(Ask("threads", "staff", "p-acme")),
      Envelope(
          {Thread("t-client", "client", kOnMilestone, 3,
                  {Comment("c1", "pm", "pm", "Welcome!", "", {"client:acme:c3"}),
                   Comment("client:acme:c3", "acme-member", "acme member", "Thanks", "c1", {"c4"}),
                   Comment("c4", "pm", "pm", "Glad to help", "client:acme:c3", {})}),
           Thread("t-internal", "internal", kOnMilestone, 2,
                  {Comment("c2", "pm", "pm", "Budget is tight", "", {"c5"}),
                   Comment("c5", "pm", "pm", kMarker + " margin", "c2", {})}),
           Thread("client:acme:q", "client", kOnCard, 1,
                  {Comment("client:acme:q1", "acme-admin", "acme admin", "Is the logo final?", "",
                           {})})}));
}

TEST_F(ThreadsViewTest, OneThreadIsReadAPageAtATime) {
  TellStory();
  ViewRequest r = Ask("threads", "acme-member", "p-acme");
  r.thread = "t-client";
  r.offset = 1;
  r.limit = 1;
  ExpectViewJson(world_->Read(r),
                 Envelope({Thread("t-client", nullptr, kOnMilestone, 3,
                                  {Comment("client:acme:c3", "acme-member", "acme member", "Thanks",
                                           "c1", {"c4"})})},
                          1, 1));
}

TEST_F(ThreadsViewTest, ClientAskingForAnInternalThreadIsRefusedLikeAMissingOne) {
  TellStory();
  ViewRequest internal = Ask("threads", "acme-admin", "p-acme");
  internal.thread = "t-internal";
  ViewRequest missing = internal;
  missing.thread = "t-none";
  Status a, b;
  world_->Read(internal, &a);
  world_->Read(missing, &b);
  EXPECT_TRUE(a.IsNotFound());
  EXPECT_EQ(a.reason(), "view.not_found");
  EXPECT_EQ(a.message(), "thread 't-internal' does not exist");
  EXPECT_EQ(b.reason(), a.reason());
  EXPECT_EQ(b.message(), "thread 't-none' does not exist");
}

// As in commands, a client-side member names the thread it opened without its namespace; an
// internal thread of that name stays out of reach (review, 2026-12-07: `--thread q` was refused).
TEST_F(ThreadsViewTest, ClientNamesItsOwnThreadWithoutItsNamespace) {
  TellStory();
  Post("pm", {{"thread_id", "q"},
              {"comment_id", "iq"},
              {"anchor", object{{"kind", "project"}, {"id", "p-acme"}}},
              {"audience", "internal"},
              {"body", kMarker + " same name"}});
  ViewRequest r = Ask("threads", "acme-member", "p-acme");
  r.thread = "q";
  const value threads = world_->Json(r).at("threads");
  ASSERT_EQ(threads.as_array().size(), 1u);
  EXPECT_EQ(threads.at(0).at("id"), "client:acme:q");
  EXPECT_EQ(boost::json::serialize(threads).find(kMarker), std::string::npos);
  ViewRequest firm = Ask("threads", "pm", "p-acme");
  firm.thread = "q";  // the firm names things by their full ids: its own internal thread
  EXPECT_NE(boost::json::serialize(world_->Json(firm)).find(kMarker), std::string::npos);
}

TEST_F(ThreadsViewTest, ClientAskingForAnotherClientsThreadIsRefusedLikeAMissingProject) {
  ViewRequest r = Ask("threads", "acme-member", "p-globex");
  r.thread = "t-client";
  Status s;
  world_->Read(r, &s);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.reason(), "view.not_found");
  EXPECT_EQ(s.message(), "project 'p-globex' does not exist");
}

TEST_F(ThreadsViewTest, AReplyWrittenPastTheRulesNeverPointsOutsideItsThread) {
  // A shared comment in the client thread that claims to answer the internal comment c2.
  PostSharedPastTheRules("p-acme", "t-client", "h1", "Hi", "c2");
  for (const char* asker : {"acme-member", "pm"}) {
    ViewRequest r = Ask("threads", asker, "p-acme");
    r.thread = "t-client";
    const value v = ViewBody(world_->Read(r));
    const auto& comments = v.at("threads").at(0).at("comments").as_array();
    ASSERT_EQ(comments.size(), 2u) << asker;
    EXPECT_EQ(comments[1].at("id"), "h1");
    EXPECT_EQ(comments[1].at("reply_to"), "") << asker;
  }
}

TEST_F(ThreadsViewTest, ClientThreadStorageHoldsNoInternalThreadOrComment) {
  TellStory();
  world_->CatchUp();
  ExpectStorageFree(world_->store(), "client-threads", kMarker, {"t-internal", "c2", "c5"});
  for (const auto& [key, value] : StoredRows(world_->store(), "client-threads")) {
    EXPECT_EQ(value.find("Budget is tight"), std::string::npos);
  }
}

TEST_F(ThreadsViewTest, AClientCommentIsStoredOnlyInTheClientView) {
  TellStory();
  world_->CatchUp();
  for (const auto& [key, value] : StoredRows(world_->store(), "internal-threads")) {
    for (const char* body : {"Welcome!", "Thanks", "Glad to help", "Is the logo final?"}) {
      EXPECT_EQ(value.find(body), std::string::npos) << body;
    }
  }
  const value firm = ViewBody(world_->Read(Ask("threads", "pm", "p-acme")));
  EXPECT_EQ(firm.at("threads").at(0).at("comments").at(2).at("body"), "Glad to help");
}

TEST_F(ThreadsViewTest, FirmSeesAClientThreadOnceTheClientViewHasFoldedIt) {
  world_->CatchUp();
  Post("acme-admin", {{"thread_id", "late"},
                      {"comment_id", "l1"},
                      {"anchor", object{{"kind", "card"}, {"id", "cc"}}},
                      {"body", "Late"}});
  // The internal view (with the directory, which no view may be ahead of) folds the new
  // thread; the client view is behind it.
  std::vector<std::unique_ptr<Projection>> internal_only;
  ASSERT_TRUE(MakeProjections({"directory", "internal-threads"}, &internal_only).ok());
  std::unique_ptr<ProjectionRunner> runner;
  ASSERT_TRUE(ProjectionRunner::Open(ProjectionRunnerOptions(), world_->log(), world_->store(),
                                     std::move(internal_only), &runner)
                  .ok());
  ASSERT_TRUE(runner->CatchUp().ok());
  auto read = [&](const std::string& thread, Status* s) {
    ViewRequest r = Ask("threads", "pm", "p-acme");
    r.thread = thread;
    std::unique_ptr<ViewSource> source;
    EXPECT_TRUE(OpenLiveViewSource(world_->store(), &source).ok());
    std::string out;
    *s = ReadView(r, source.get(), &out);
    return out;
  };
  Status s;
  const std::string behind = read("", &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(behind.find("client:acme:late"), std::string::npos) << behind;
  read("client:acme:late", &s);
  EXPECT_EQ(s.reason(), "view.not_found");
  runner.reset();
  ViewRequest r = Ask("threads", "pm", "p-acme");
  r.thread = "client:acme:late";
  const value caught_up = ViewBody(world_->Read(r));  // the client view folds it too
  EXPECT_EQ(caught_up.at("threads").at(0).at("comments").at(0).at("body"), "Late");
}

TEST_F(ThreadsViewTest, FirmSeesTheClientThreadsOfAProjectWhoseCreationWasNotShared) {
  // Written past the rules (the domain shares every project's creation): the client views never
  // fold this project, so the internal view keeps its client threads whole.
  schema::ProjectCreatedT created;
  created.project_id = "p-unshared";
  created.client_id = "acme";
  created.name = "Unshared";
  AppendPastTheRules(world_->log(), "p-unshared",
                     EventBy("owner", schema::Audience::Internal, std::move(created)));
  PostSharedPastTheRules("p-unshared", "ct", "k1", "Shared talk");
  const value v = ViewBody(world_->Read(Ask("threads", "owner", "p-unshared")));
  ASSERT_EQ(v.at("threads").as_array().size(), 1u) << v;
  EXPECT_EQ(v.at("threads").at(0).at("audience"), "client");
  EXPECT_EQ(v.at("threads").at(0).at("comments").at(0).at("body"), "Shared talk");
}

TEST_F(ThreadsViewTest, AClientThreadRowDamagedIntoAnInternalOneIsCorruption) {
  world_->CatchUp();
  world_->CloseViews();
  {
    std::unique_ptr<ViewStore> store;
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), world_->dir() + "/views", &store).ok());
    auto batch = store->NewBatch();
    batch->Rows("client-threads")
        ->Put(ThreadKey("northwind", "p-acme", "t-client"),
              R"({"seq":0,"client":false,"anchor_kind":"milestone","anchor_id":"m-planned",)"
              R"("comments":1})");
    ASSERT_TRUE(store->Commit(batch.get()).ok());
  }
  world_->OpenViews();
  Status s;
  world_->Read(Ask("threads", "pm", "p-acme"), &s);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(ThreadsViewTest, ALongThreadGrowsNoRow) {
  auto largest = [&] {
    world_->CatchUp();
    size_t max = 0, thread_row = 0;
    for (const auto& [key, value] : StoredRows(world_->store(), "internal-threads")) {
      max = std::max(max, value.size());
      if (value.find("\"anchor_kind\"") != std::string::npos && key.find("long") != key.npos) {
        thread_row = value.size();
      }
    }
    return std::make_pair(max, thread_row);
  };
  auto post = [&](int i) {
    char id[8];
    snprintf(id, sizeof id, "l%03d", i);  // ids of one length: rows compare by size
    object f{{"thread_id", "long"}, {"comment_id", id}, {"body", "x"}};
    if (i == 0) f["anchor"] = object{{"kind", "project"}, {"id", "p-acme"}};
    if (i > 0) f["reply_to"] = "l000";
    Post("pm", std::move(f));
  };
  for (int i = 0; i < 130; ++i) post(i);  // two full chunks of 64 comments
  const auto [full_chunk, thread_row] = largest();
  for (int i = 130; i < 260; ++i) post(i);
  const auto [after_max, after_thread_row] = largest();
  EXPECT_EQ(after_max, full_chunk);  // no row holds more than a chunk of comments
  EXPECT_EQ(after_thread_row, thread_row);
}

TEST_F(ThreadsViewTest, RebuildHashesLikeTheLiveView) {
  TellStory();
  world_->ExpectRebuildHashesLikeLive({"client-threads", "internal-threads"});
}

TEST_F(ThreadsViewTest, AsOfAPositionReadsLikeTheLiveViewAtThatMoment) {
  AsOfRecorder recorder(world_.get(),
                        {Ask("threads", "acme-member", "p-acme"), Ask("threads", "pm", "p-acme")});
  recorder.Snapshot();
  Post("acme-member",
       {{"thread_id", "t-client"}, {"comment_id", "c3"}, {"body", "Thanks"}, {"reply_to", "c1"}});
  recorder.Snapshot();
  Post("pm", {{"thread_id", "t-internal"}, {"comment_id", "c5"}, {"body", "note"}});
  recorder.Snapshot();
  Post("pm", {{"thread_id", "t-client"},
              {"comment_id", "c4"},
              {"body", "Glad to help"},
              {"reply_to", "client:acme:c3"}});
  recorder.Snapshot();
  recorder.ExpectAsOfReadsLikeLive();
}

// A name proves nothing (whoever invites a member chooses it): each comment says which side its
// author is on, from the directory.
TEST_F(ThreadsViewTest, AClientMemberNamedLikeTheFirmsManagerIsShownAsTheClients) {
  InviteAcmePersonNamed(world_.get(), "fake-pm", "pm");
  Post("client:acme:fake-pm",
       {{"thread_id", "t-client"}, {"comment_id", "c9"}, {"body", "Send your password here"}});
  ViewRequest r = Ask("threads", "acme-member", "p-acme");
  r.thread = "t-client";
  const value thread = world_->Json(r).at("threads").at(0);
  std::map<std::string, std::pair<std::string, std::string>> by_body;  // body: name, side
  for (const value& c : thread.at("comments").as_array()) {
    by_body[std::string(c.at("body").as_string())] = {std::string(c.at("author_name").as_string()),
                                                      std::string(c.at("author_side").as_string())};
  }
  EXPECT_EQ(by_body.at("Welcome!"), std::make_pair(std::string("pm"), std::string("firm")));
  EXPECT_EQ(by_body.at("Send your password here"),
            std::make_pair(std::string("pm"), std::string("client")));
}

TEST_F(ThreadsViewTest, CsvHasOneLinePerComment) {
  TellStory();
  ViewRequest r = Ask("threads", "acme-member", "p-acme");
  r.format = ViewFormat::kCsv;
  const std::string csv = world_->Read(r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);  // a header and 4 comments
  r.thread = "client:acme:q";
  EXPECT_EQ(world_->Read(r),
            "thread,anchor_kind,anchor_id,id,author,author_name,author_side,at_us,body,reply_to,"
            "replies\r\n"
            "client:acme:q,card,cc,client:acme:q1,acme-admin,acme admin,client," +
                std::to_string(At("client:acme:q1")) + ",Is the logo final?,,[]\r\n");
}

}  // namespace
}  // namespace tandem::test
