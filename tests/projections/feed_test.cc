// The activity feed: a project's client-visible events as lines, newest first, a page at a
// time, and nothing internal.
#include <algorithm>

#include <gtest/gtest.h>

#include "tandem/basics/utf8.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::object;
using Strings = std::vector<std::string>;

// A question of 100 characters, some of two bytes: its line shows the first 80 and "…".
const std::string kLongQuestion = [] {
  std::string q;
  for (int i = 0; i < 50; ++i) q += "é?";
  return q;
}();

class FeedTest : public StandardViewTest {
 protected:
  void Run(const std::string& type, const std::string& actor, object fields) {
    world_->MustRun(Cmd(type, "northwind", actor, std::move(fields)));
  }

  // The story of the lines below, told by Ben (a project manager) and acme's people, with
  // internal work in between that must not show.
  void TellStory() {
    Run("member.invite", "owner",
        {{"member_id", "ben"},
         {"email", "ben@nw.io"},
         {"display_name", "Ben"},
         {"role", "project_manager"}});
    Run("milestone.plan", "ben",
        {{"project_id", "p-acme"},
         {"milestone_id", "design"},
         {"title", "Design sign-off"},
         {"planned_date", "2026-12-01"}});
    Run("milestone.reschedule", "ben",
        {{"project_id", "p-acme"},
         {"milestone_id", "design"},
         {"expected_version", 1},
         {"new_date", "2026-12-08"},
         {"reason", "brand guide not received yet"}});
    Run("milestone.plan", "pm",
        {{"project_id", "p-acme"},
         {"milestone_id", "secret"},
         {"title", "INTERNAL-MARKER budget review"},
         {"planned_date", "2026-11-01"},
         {"audience", "internal"}});
    Run("comment.post", "staff",
        {{"project_id", "p-acme"},
         {"thread_id", "t-internal"},
         {"comment_id", "n1"},
         {"body", "INTERNAL-MARKER they are late again"}});
    Run("comment.post", "acme-member",
        {{"project_id", "p-acme"},
         {"thread_id", "q"},
         {"comment_id", "q1"},
         {"anchor", object{{"kind", "milestone"}, {"id", "design"}}},
         {"audience", "client"},
         {"body", kLongQuestion}});
    Run("comment.post", "ben",
        {{"project_id", "p-acme"},
         {"thread_id", "client:acme:q"},
         {"comment_id", "a1"},
         {"reply_to", "client:acme:q1"},
         {"body", "Next week"}});
    for (int version = 1; version <= 2; ++version) {
      object f{{"project_id", "p-acme"},
               {"name", "guide.pdf"},
               {"content_base64", "aGVsbG8="},
               {"request_id", "req"}};
      if (version == 2) f["expected_version"] = 1;
      Run("file.upload", "acme-member", f);
    }
    Run("card.move", "ben",
        {{"project_id", "p-acme"},
         {"card_id", "cc"},
         {"to_column", "Staged"},
         {"expected_version", 1}});
    Run("card.move", "ben",
        {{"project_id", "p-acme"},
         {"card_id", "ic"},
         {"to_column", "Doing"},
         {"expected_version", 1}});
    Run("approval.grant", "acme-member",
        {{"project_id", "p-acme"},
         {"approval_id", "ap"},
         {"expected_version", 1},
         {"comment", "Looks good"}});
    Run("milestone.start", "ben",
        {{"project_id", "p-acme"}, {"milestone_id", "design"}, {"expected_version", 2}});
    Run("milestone.complete", "ben",
        {{"project_id", "p-acme"},
         {"milestone_id", "design"},
         {"expected_version", 3},
         {"completed_date", "2026-12-10"}});
  }

  ViewRequest Page(const std::string& member, uint64_t offset, uint64_t limit,
                   const std::string& project = "p-acme") {
    ViewRequest r = Ask("feed", member, project);
    r.offset = offset;
    r.limit = limit;
    return r;
  }
  static Strings Lines(const boost::json::value& feed) {
    Strings out;
    for (const auto& l : feed.at("lines").as_array()) {
      out.emplace_back(l.at("line").as_string());
    }
    return out;
  }
};

// The standard world's client-visible events on acme's project, newest first.
const Strings kStandardLines = {
    "pm uploaded brief.pdf",
    "pm shared a timeline report link",
    "pm asked acme member to approve *Approve plan*",
    "pm commented on *m-planned*: Welcome!",
    "pm added card *Logo* to Inbound",
    "pm set up the board *Client*: Inbound, Assigned, In Progress, Staged, Approved",
    "pm requested *Brand guide* from acme member",
    "pm marked *m-blocked* blocked: waiting for content",
    "pm started *m-blocked*",
    "pm started *m-started*",
    "pm planned *m-blocked* for 2027-01-15",
    "pm planned *m-started* for 2027-01-15",
    "pm planned *m-planned* for 2027-01-15",
    "pm created the project *acme*",
};

TEST_F(FeedTest, StandardWorldReadsAsItsClientVisibleEventsNewestFirst) {
  const boost::json::value feed = world_->Json(Page("acme-member", 0, 100));
  EXPECT_EQ(Lines(feed), kStandardLines);
  EXPECT_EQ(feed.at("total"), kStandardLines.size());
  EXPECT_TRUE(feed.at("next_offset").is_null());
}

TEST_F(FeedTest, ScriptedStoryReadsAsExactLinesNewestFirst) {
  TellStory();
  const std::string question = [] {
    std::string q;
    for (int i = 0; i < 40; ++i) q += "é?";
    return q + "…";
  }();
  Strings expected = {
      "Ben completed *Design sign-off* on 2026-12-10",
      "Ben started *Design sign-off*",
      "acme member approved *Approve plan*: Looks good",
      "Ben moved card *Logo* to Staged",
      "acme member uploaded guide.pdf (version 2) for *Brand guide*",
      "acme member uploaded guide.pdf for *Brand guide*",
      "Ben replied on *Design sign-off*: Next week",
      "acme member asked on *Design sign-off*: " + question,
      "Ben moved *Design sign-off* from 2026-12-01 to 2026-12-08: brand guide not received yet",
      "Ben planned *Design sign-off* for 2026-12-01",
  };
  const size_t story = expected.size();
  expected.insert(expected.end(), kStandardLines.begin(), kStandardLines.end());
  const boost::json::value feed = world_->Json(Page("acme-member", 0, 100));
  EXPECT_EQ(Lines(feed), expected);
  EXPECT_EQ(feed.at("total"), expected.size());
  const auto& newest = feed.at("lines").at(0).as_object();
  EXPECT_EQ(newest.at("kind"), "MilestoneCompleted");
  EXPECT_EQ(newest.at("actor"), "ben");
  EXPECT_GT(newest.at("at_us").as_int64(), 0);
  // The firm reads the same lines.
  EXPECT_EQ(Lines(world_->Json(Page("staff", 0, story))),
            Strings(expected.begin(), expected.begin() + story));
}

TEST_F(FeedTest, PagesFollowOffsetAndLimitWithTotalAndNextOffset) {
  TellStory();
  const Strings all = Lines(world_->Json(Page("acme-admin", 0, 100)));
  ASSERT_EQ(all.size(), 24u);
  const boost::json::value first = world_->Json(Page("acme-admin", 0, 5));
  EXPECT_EQ(Lines(first), Strings(all.begin(), all.begin() + 5));
  EXPECT_EQ(first.at("total"), 24);
  EXPECT_EQ(first.at("next_offset"), 5);
  const boost::json::value middle = world_->Json(Page("acme-admin", 5, 10));
  EXPECT_EQ(Lines(middle), Strings(all.begin() + 5, all.begin() + 15));
  EXPECT_EQ(middle.at("next_offset"), 15);
  const boost::json::value last = world_->Json(Page("acme-admin", 20, 10));
  EXPECT_EQ(Lines(last), Strings(all.begin() + 20, all.end()));
  EXPECT_TRUE(last.at("next_offset").is_null());
  const boost::json::value past = world_->Json(Page("acme-admin", 30, 10));
  EXPECT_EQ(Lines(past), Strings{});
  EXPECT_EQ(past.at("total"), 24);
}

TEST_F(FeedTest, ALimitOfZeroGivesTheTotalAloneAndNoNextPage) {
  TellStory();
  const boost::json::value counted = world_->Json(Page("acme-admin", 0, 0));
  EXPECT_EQ(Lines(counted), Strings{});
  EXPECT_EQ(counted.at("total"), 24);
  EXPECT_EQ(counted.at("limit"), 0);
  EXPECT_TRUE(counted.at("next_offset").is_null());
}

TEST_F(FeedTest, FeedNeverHoldsNorShowsInternalWork) {
  TellStory();
  world_->CatchUp();
  std::unique_ptr<ViewReader> reader;
  ASSERT_TRUE(world_->store()->NewReader("client-feed", &reader).ok());
  ASSERT_TRUE(reader
                  ->Scan("",
                         [&](std::string_view, std::string_view value) {
                           EXPECT_EQ(value.find("INTERNAL-MARKER"), std::string_view::npos);
                           EXPECT_EQ(value.find("Budget is tight"), std::string_view::npos);
                           EXPECT_EQ(value.find("SVG"), std::string_view::npos);  // internal card
                           return true;
                         })
                  .ok());
  for (const std::string member : {"acme-member", "pm"}) {
    const std::string text = world_->Read(Page(member, 0, 100));
    EXPECT_EQ(text.find("INTERNAL-MARKER"), std::string::npos) << text;
    EXPECT_EQ(text.find("Budget is tight"), std::string::npos) << text;
  }
}

TEST_F(FeedTest, LinesAreValidUtf8WhenBodiesAreCut) {
  TellStory();
  const std::string text = world_->Read(Page("acme-member", 0, 100));
  EXPECT_TRUE(utf8::IsValid(text));
}

TEST_F(FeedTest, AHugeCommentWithBadBytesPastItsLineShowsItsFirstCharacters) {
  // Written past the rules: 100 two-byte characters, then a million bytes that are not UTF-8 and a
  // line break. The line shows the first 80 characters and "…", like the body's first 400 bytes.
  std::string body;
  for (int i = 0; i < 100; ++i) body += "é";
  body += std::string(1000 * 1000, '\xff') + "\n";
  schema::CommentPostedT c;
  c.project_id = "p-acme";
  c.thread_id = "t-client";
  c.comment_id = "huge";
  c.thread_audience = schema::Audience::Client;
  c.body = body;
  NewEvent e;
  e.actor = "pm";
  e.audience = schema::Audience::Client;
  e.payload.Set(std::move(c));
  AppendPastTheRules(world_->log(), "p-acme", e);
  std::string shown;
  for (int i = 0; i < 80; ++i) shown += "é";
  const Strings lines = Lines(world_->Json(Page("acme-member", 0, 1)));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "pm commented: " + shown + "\xE2\x80\xA6");
}

TEST_F(FeedTest, AMembersFirstInvitationDecidesItsSide) {
  // Written past the rules: acme's member invited again, as globex's.
  schema::MemberInvitedT again;
  again.member_id = "acme-member";
  again.client_id = "globex";
  NewEvent e;
  e.actor = "owner";
  e.payload.Set(std::move(again));
  AppendToWorkspacePastTheRules(world_->log(), e);
  Run("comment.post", "acme-member",
      {{"project_id", "p-acme"}, {"thread_id", "t-client"}, {"comment_id", "q9"}, {"body", "So?"}});
  const Strings lines = Lines(world_->Json(Page("acme-admin", 0, 1)));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("acme member asked", 0), 0u) << lines[0];
}

// The name in a line is the actor's chosen one; its side comes from the directory, so a
// client's person named like the firm's manager still reads as the client's.
TEST_F(FeedTest, EachLineSaysWhichSideItsActorIsOn) {
  InviteAcmePersonNamed(world_.get(), "fake-pm", "pm");
  Run("comment.post", "client:acme:fake-pm",
      {{"project_id", "p-acme"}, {"thread_id", "t-client"}, {"comment_id", "q9"}, {"body", "Hi"}});
  const boost::json::value feed = world_->Json(Page("acme-member", 0, 2));
  const auto& lines = feed.at("lines").as_array();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("line"), "pm asked on *m-planned*: Hi");
  EXPECT_EQ(lines[0].at("actor_side"), "client");
  EXPECT_EQ(lines[1].at("line"), "pm uploaded brief.pdf");
  EXPECT_EQ(lines[1].at("actor_side"), "firm");
}

// A line naming a second member (asked to approve, asked for a document) gives each member's
// side, in the order the line names them.
TEST_F(FeedTest, EachMemberALineNamesComesWithItsSide) {
  InviteAcmePersonNamed(world_.get(), "fake-pm", "pm");
  Run("approval.request", "pm",
      {{"project_id", "p-acme"},
       {"approval_id", "a9"},
       {"subject", boost::json::object{{"kind", "milestone"}, {"id", "m-planned"}}},
       {"title", "Sign"},
       {"requested_from", "client:acme:fake-pm"}});
  const boost::json::value feed = world_->Json(Page("acme-member", 0, 1));
  const auto& line = feed.at("lines").at(0);
  EXPECT_EQ(line.at("line"), "pm asked pm to approve *Sign*");
  EXPECT_EQ(line.at("named"), boost::json::parse(R"([{"id":"pm","side":"firm"},
                                                    {"id":"client:acme:fake-pm","side":"client"}])"));
}

TEST_F(FeedTest, AnotherClientsProjectIsRefusedLikeAMissingOne) {
  Status other, missing;
  world_->Read(Page("acme-member", 0, 10, "p-globex"), &other);
  world_->Read(Page("acme-member", 0, 10, "p-nothing"), &missing);
  EXPECT_TRUE(other.IsNotFound());
  EXPECT_EQ(other.reason(), "view.not_found");
  EXPECT_EQ(other.reason(), missing.reason());
  EXPECT_EQ(other.message(), "project 'p-globex' does not exist");
  // Another client's lines never show: globex reads its own project only.
  const std::string text = world_->Read(Page("globex-admin", 0, 100, "p-globex"));
  EXPECT_EQ(text.find("acme"), std::string::npos) << text;
}

TEST_F(FeedTest, RebuildHashesLikeTheLiveView) {
  TellStory();
  world_->ExpectRebuildHashesLikeLive({"client-feed"});
}

TEST_F(FeedTest, AsOfReadEqualsTheLiveReadAtThatMoment) {
  std::vector<std::pair<uint64_t, std::string>> live;
  auto snapshot = [&] {
    live.emplace_back(world_->log()->LastPosition(), world_->Read(Page("acme-member", 0, 8)));
  };
  snapshot();
  Run("milestone.reschedule", "pm",
      {{"project_id", "p-acme"},
       {"milestone_id", "m-planned"},
       {"expected_version", 1},
       {"new_date", "2027-02-01"},
       {"reason", "holidays"}});
  snapshot();
  Run("comment.post", "acme-member",
      {{"project_id", "p-acme"}, {"thread_id", "t-client"}, {"comment_id", "q"}, {"body", "Why?"}});
  snapshot();
  for (const auto& [position, expected] : live) {
    EXPECT_EQ(world_->ReadAsOf(Page("acme-member", 0, 8), position), expected) << position;
  }
}

TEST_F(FeedTest, CsvHasOneRowPerLine) {
  ViewRequest r = Page("acme-member", 0, 2);
  r.format = ViewFormat::kCsv;
  const std::string csv = world_->Read(r);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "at_us,kind,actor,actor_side,line,named");
  EXPECT_NE(csv.find(",FileUploaded,pm,firm,pm uploaded brief.pdf,"), std::string::npos) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
}

}  // namespace
}  // namespace tandem::test
