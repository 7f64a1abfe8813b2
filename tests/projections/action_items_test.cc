// Action items: what each person must do now, for whom, how urgent, and never more than the
// person may see.
#include <gtest/gtest.h>

#include "view_json.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::object;

constexpr const char* kToday = "2026-12-10";

class ActionItemsTest : public StandardViewTest {
 protected:
  void Run(const std::string& type, const std::string& actor, object fields) {
    world_->MustRun(Cmd(type, "northwind", actor, std::move(fields)));
  }
  static ViewRequest Request(const std::string& member) {
    ViewRequest r = Ask("action-items", member);
    r.today = kToday;
    return r;
  }
  boost::json::array Items(const std::string& member) {
    return world_->Json(Request(member)).at("items").as_array();
  }
  // "kind:project:<the id the item is about>" for each item, in the view's order.
  std::vector<std::string> Summary(const std::string& member) {
    std::vector<std::string> out;
    for (const auto& v : Items(member)) {
      const auto& o = v.as_object();
      std::string about;
      for (const char* field : {"approval_id", "request_id", "thread_id", "card_id"}) {
        if (about.empty()) about = std::string(o.at(field).as_string());
      }
      out.push_back(std::string(o.at("kind").as_string()) + ":" +
                    std::string(o.at("project").as_string()) + ":" + about);
    }
    return out;
  }
  void RequestDocument(const std::string& id, const std::string& from, const std::string& due) {
    object f{{"project_id", "p-acme"},
             {"milestone_id", "m-planned"},
             {"request_id", id},
             {"title", "Doc " + id}};
    if (!from.empty()) f["requested_from"] = from;
    if (!due.empty()) f["due_date"] = due;
    Run("document.request", "pm", f);
  }
  // Ben, a staff member, made project manager of acme's project, which then has an internal
  // card in Staged for its manager to review.
  void BenManagesAcmeWithAStagedCard() {
    Run("member.invite", "owner",
        {{"member_id", "ben"}, {"email", "ben@nw.io"}, {"display_name", "Ben"}, {"role", "staff"}});
    Run("role.grant", "owner",
        {{"member_id", "ben"},
         {"role", "project_manager"},
         {"project_id", "p-acme"},
         {"expected_version", 1}});
    StageCardOnQaBoard();
    ASSERT_EQ(Summary("ben"), std::vector<std::string>{"review_card:p-acme:fix"});
  }
  // An internal card "fix" in the Staged column of a new QA board of acme's project.
  void StageCardOnQaBoard() {
    Run("board.configure", "owner",
        {{"project_id", "p-acme"},
         {"board_id", "qa"},
         {"name", "QA"},
         {"columns", boost::json::array{"Doing", "Staged"}}});
    Run("card.create", "owner",
        {{"project_id", "p-acme"}, {"board_id", "qa"}, {"card_id", "fix"}, {"title", "Fix"}});
    Run("card.move", "owner",
        {{"project_id", "p-acme"},
         {"card_id", "fix"},
         {"to_column", "Staged"},
         {"expected_version", 1}});
  }
};

using Strings = std::vector<std::string>;

TEST_F(ActionItemsTest, ClientMemberMustAnswerItsApprovalAndUploadItsRequestedDocument) {
  // Both waiting, undated: the oldest first (the request came before the approval).
  EXPECT_EQ(Summary("acme-member"),
            (Strings{"upload_document:p-acme:req", "answer_approval:p-acme:ap"}));
  EXPECT_EQ(Summary("globex-member"),
            (Strings{"upload_document:p-globex:req", "answer_approval:p-globex:ap"}));
  // Asked of acme-member only: nobody else has to do anything about them.
  EXPECT_EQ(Summary("acme-admin"), Strings{});
  EXPECT_EQ(Summary("pm"), Strings{});
  const auto items = Items("acme-member");
  const auto& approval = items.at(1).as_object();
  EXPECT_EQ(approval.at("title"), "Approve plan");
  EXPECT_EQ(approval.at("milestone_id"), "m-planned");
  EXPECT_EQ(approval.at("due_date"), "");
  EXPECT_EQ(approval.at("urgency"), "waiting");
  EXPECT_GT(approval.at("since_us").as_int64(), 0);
  EXPECT_FALSE(approval.contains("audience"));  // a client-side asker is not told audiences
  EXPECT_EQ(items.at(0).at("title"), "Brand guide");
}

// Every field of every item, reviewed by hand: acme's admin has a request past its due date
// (overdue), an approval due within 3 days (due_soon), a request due later and a client card
// in Staged (waiting), in that order, each asked by the manager; the project's manager must
// reply to the admin's question.
TEST_F(ActionItemsTest, EachItemIsExactlyWhatThePersonMustDoAndHowUrgent) {
  EventLog* log = world_->log();
  RequestDocument("late", "acme-admin", "2026-12-09");
  const int64_t late_at = LastRecordedAtUs(log);
  Run("approval.request", "pm",
      {{"project_id", "p-acme"},
       {"approval_id", "ap2"},
       {"subject", object{{"kind", "milestone"}, {"id", "m-started"}}},
       {"title", "Approve mockups"},
       {"requested_from", "acme-admin"},
       {"due_date", "2026-12-12"}});
  const int64_t approval_at = LastRecordedAtUs(log);
  Run("card.move", "pm",
      {{"project_id", "p-acme"},
       {"card_id", "cc"},
       {"to_column", "Staged"},
       {"expected_version", 1}});
  const int64_t staged_at = LastRecordedAtUs(log);
  RequestDocument("later", "acme-admin", "2026-12-20");
  const int64_t later_at = LastRecordedAtUs(log);
  Run("comment.post", "acme-admin",
      {{"project_id", "p-acme"},
       {"thread_id", "t-client"},
       {"comment_id", "q1"},
       {"body", "When is the review?"}});
  const int64_t asked_at = LastRecordedAtUs(log);
  auto item = [](const char* kind, const char* title, const char* milestone, object about,
                 int64_t since, const char* due, const char* urgency) {
    object o{{"kind", kind},      {"project", "p-acme"},       {"project_name", "acme"},
             {"title", title},    {"milestone_id", milestone}, {"card_id", ""},
             {"approval_id", ""}, {"request_id", ""},          {"thread_id", ""},
             {"since_us", since}, {"due_date", due},           {"urgency", urgency},
             {"asked_by", "pm"},  {"asked_by_side", "firm"}};  // who asked, or staged the card
    for (const auto& [key, value] : about) o[key] = value;
    return o;
  };
  ExpectViewJson(
      world_->Read(Request("acme-admin")),
      object{{"view", "action-items"},
             {"workspace", "northwind"},
             {"member", "acme-admin"},
             {"today", kToday},
             {"items", boost::json::array{
                           item("upload_document", "Doc late", "m-planned",
                                {{"request_id", "late"}}, late_at, "2026-12-09", "overdue"),
                           item("answer_approval", "Approve mockups", "m-started",
                                {{"approval_id", "ap2"}}, approval_at, "2026-12-12", "due_soon"),
                           item("upload_document", "Doc later", "m-planned",
                                {{"request_id", "later"}}, later_at, "2026-12-20", "waiting"),
                           item("review_card", "Logo", "", {{"card_id", "cc"}}, staged_at, "",
                                "waiting")}}});
  ExpectViewJson(world_->Read(Request("pm")),
                 object{{"view", "action-items"},
                        {"workspace", "northwind"},
                        {"member", "pm"},
                        {"today", kToday},
                        {"items", boost::json::array{item("reply_to_client", "When is the review?",
                                                          "m-planned",
                                                          {{"thread_id", "t-client"},
                                                           {"asked_by", "acme admin"},
                                                           {"asked_by_side", "client"},
                                                           {"audience", "internal"}},
                                                          asked_at, "", "waiting")}}});
}

TEST_F(ActionItemsTest, AnsweredApprovalDisappears) {
  Run("approval.grant", "acme-member",
      {{"project_id", "p-acme"}, {"approval_id", "ap"}, {"expected_version", 1}});
  EXPECT_EQ(Summary("acme-member"), Strings{"upload_document:p-acme:req"});
}

TEST_F(ActionItemsTest, UploadAnsweringTheRequestRemovesIt) {
  Run("file.upload", "acme-member",
      {{"project_id", "p-acme"},
       {"name", "guide.pdf"},
       {"content_base64", "aGVsbG8="},
       {"request_id", "req"}});
  EXPECT_EQ(Summary("acme-member"), Strings{"answer_approval:p-acme:ap"});
}

TEST_F(ActionItemsTest, RequestOfACompletedMilestoneLeavesTheList) {
  Run("milestone.start", "pm",
      {{"project_id", "p-acme"}, {"milestone_id", "m-planned"}, {"expected_version", 1}});
  Run("milestone.complete", "pm",
      {{"project_id", "p-acme"},
       {"milestone_id", "m-planned"},
       {"expected_version", 2},
       {"completed_date", "2026-12-09"}});
  EXPECT_EQ(Summary("acme-member"), Strings{"answer_approval:p-acme:ap"});
}

TEST_F(ActionItemsTest, RequestOfNobodyInParticularIsForTheClientsAdminsAndMembers) {
  RequestDocument("anyone", "", "");
  EXPECT_EQ(Summary("acme-admin"), Strings{"upload_document:p-acme:anyone"});
  EXPECT_EQ(Summary("acme-member"),
            (Strings{"upload_document:p-acme:req", "answer_approval:p-acme:ap",
                     "upload_document:p-acme:anyone"}));
  EXPECT_EQ(Summary("acme-viewer"), Strings{});  // a viewer may not upload
  EXPECT_EQ(Summary("globex-admin"), Strings{});
  EXPECT_EQ(Summary("pm"), Strings{});
}

// A document the firm asks of itself is for the firm's person asked, or, asked of nobody in
// particular, for whoever manages the project; the client's people never see it.
TEST_F(ActionItemsTest, InternalRequestIsForTheFirmsPersonAskedOrTheProjectsManager) {
  const auto internal_request = [&](const std::string& id, const std::string& from) {
    object f{{"project_id", "p-acme"},
             {"milestone_id", "m-planned"},
             {"request_id", id},
             {"title", "Signed SOW " + id},
             {"audience", "internal"}};
    if (!from.empty()) f["requested_from"] = from;
    Run("document.request", "pm", f);
  };
  internal_request("sow", "staff");
  internal_request("keys", "");
  EXPECT_EQ(Summary("staff"), Strings{"upload_document:p-acme:sow"});
  EXPECT_EQ(Summary("pm"), Strings{"upload_document:p-acme:keys"});
  const auto items = Items("staff");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items.at(0).at("audience"), "internal");
  for (const std::string member : {"acme-admin", "acme-member", "acme-viewer"}) {
    const std::string text = world_->Read(Request(member));
    EXPECT_EQ(text.find("Signed SOW"), std::string::npos) << member;
  }
  // Answered by the staff member, the internal file closes it.
  Run("file.upload", "staff",
      {{"project_id", "p-acme"},
       {"name", "sow.pdf"},
       {"content_base64", "aGVsbG8="},
       {"request_id", "sow"}});
  EXPECT_EQ(Summary("staff"), Strings{});
}

// Events written past the domain's rules (`tandem append`) change nothing a client sees: a
// client request on an internal milestone is no client item, and an internal file does not
// answer what the client was asked for.
class ActionItemsPastTheRulesTest : public ActionItemsTest {
 protected:
  void Append(schema::Audience audience, auto payload) {
    AppendPastTheRules(world_.get(), audience, std::move(payload));
  }
};

TEST_F(ActionItemsPastTheRulesTest, ClientRequestOnAnInternalMilestoneIsNoClientItem) {
  Run("milestone.plan", "pm",
      {{"project_id", "p-acme"},
       {"milestone_id", "m-acquisition"},
       {"title", "Acquisition"},
       {"planned_date", "2027-01-01"},
       {"audience", "internal"}});
  Append(schema::Audience::Client, AcmeRequest("m-acquisition", "d9", "Board minutes"));
  for (const std::string member : {"acme-admin", "acme-member"}) {
    EXPECT_EQ(world_->Read(Request(member)).find("m-acquisition"), std::string::npos) << member;
  }
  EXPECT_EQ(Summary("pm"), Strings{"upload_document:p-acme:d9"});  // the firm's, unassigned
}

TEST_F(ActionItemsPastTheRulesTest, InternalFileDoesNotAnswerTheClientsRequest) {
  RequestDocument("d1", "acme-member", "");
  Append(schema::Audience::Internal, AcmeAnswer("d1"));
  EXPECT_EQ(Summary("acme-member"),
            (Strings{"upload_document:p-acme:req", "answer_approval:p-acme:ap",
                     "upload_document:p-acme:d1"}));
}

// A card the client never saw created, staged on its board by a move it may see: not the
// client's to review (its client board does not show the card), nor who staged it the client's
// to know; the firm's manager reviews it.
TEST_F(ActionItemsPastTheRulesTest, CardCreatedInternallyIsNoClientItemWhenStaged) {
  schema::CardCreatedT created;
  created.project_id = "p-acme";
  created.board_id = "cb";
  created.card_id = "hr-case";
  created.title = "Dismissal";
  created.column = "Inbound";
  Append(schema::Audience::Internal, created);
  Append(schema::Audience::Client, AcmeCardMove("hr-case", "cb", "Inbound", "Staged"));
  EXPECT_EQ(world_->Read(Request("acme-admin")).find("hr-case"), std::string::npos);
  EXPECT_EQ(Summary("pm"), Strings{"review_card:p-acme:hr-case"});
}

TEST_F(ActionItemsTest, ClientQuestionWaitsOnTheProjectsManagersUntilTheFirmReplies) {
  Run("comment.post", "acme-member",
      {{"project_id", "p-acme"},
       {"thread_id", "t-client"},
       {"comment_id", "q1"},
       {"body", "When is the review?"}});
  // The project's manager (pm) and the owner; not staff, the auditor, nor the client.
  EXPECT_EQ(Summary("pm"), Strings{"reply_to_client:p-acme:t-client"});
  EXPECT_EQ(Summary("owner"), Strings{"reply_to_client:p-acme:t-client"});
  EXPECT_EQ(Summary("staff"), Strings{});
  EXPECT_EQ(Summary("auditor"), Strings{});
  EXPECT_EQ(Summary("acme-admin"), Strings{});
  const object item = Items("pm").at(0).as_object();
  EXPECT_EQ(item.at("title"), "When is the review?");
  EXPECT_EQ(item.at("asked_by"), "acme member");
  EXPECT_EQ(item.at("asked_by_side"), "client");
  EXPECT_EQ(item.at("milestone_id"), "m-planned");
  EXPECT_EQ(item.at("audience"), "internal");
  // A second question keeps the thread waiting since the first one.
  Run("comment.post", "acme-admin",
      {{"project_id", "p-acme"},
       {"thread_id", "t-client"},
       {"comment_id", "q2"},
       {"body", "Any news?"}});
  const object again = Items("pm").at(0).as_object();
  EXPECT_EQ(again.at("title"), "Any news?");
  EXPECT_EQ(again.at("since_us"), item.at("since_us"));
  Run("comment.post", "staff",
      {{"project_id", "p-acme"},
       {"thread_id", "t-client"},
       {"comment_id", "a1"},
       {"body", "Next week"},
       {"reply_to", "client:acme:q2"}});
  EXPECT_EQ(Summary("pm"), Strings{});
  EXPECT_EQ(Summary("owner"), Strings{});
}

TEST_F(ActionItemsTest, StagedClientCardIsForTheClientsAdminsToReview) {
  Run("card.move", "pm",
      {{"project_id", "p-acme"},
       {"card_id", "cc"},
       {"to_column", "Staged"},
       {"expected_version", 1}});
  EXPECT_EQ(Summary("acme-admin"), Strings{"review_card:p-acme:cc"});
  EXPECT_EQ(Items("acme-admin").at(0).at("title"), "Logo");
  EXPECT_EQ(Summary("acme-member").size(), 2u);  // its approval and request only
  EXPECT_EQ(Summary("pm"), Strings{});
  Run("card.move", "pm",
      {{"project_id", "p-acme"},
       {"card_id", "cc"},
       {"to_column", "Approved"},
       {"expected_version", 2}});
  EXPECT_EQ(Summary("acme-admin"), Strings{});
}

TEST_F(ActionItemsTest, StagedInternalCardIsForTheProjectsManagerOnly) {
  Run("board.configure", "owner",
      {{"project_id", "p-acme"},
       {"board_id", "qa"},
       {"name", "QA"},
       {"columns", boost::json::array{"Doing", "Staged"}}});
  Run("card.create", "staff",
      {{"project_id", "p-acme"},
       {"board_id", "qa"},
       {"card_id", "fix"},
       {"title", "INTERNAL-MARKER fix"}});
  Run("card.move", "staff",
      {{"project_id", "p-acme"},
       {"card_id", "fix"},
       {"to_column", "Staged"},
       {"expected_version", 1}});
  EXPECT_EQ(Summary("pm"), Strings{"review_card:p-acme:fix"});
  EXPECT_EQ(Items("pm").at(0).at("audience"), "internal");
  EXPECT_EQ(Summary("owner"), Strings{});
  EXPECT_EQ(Summary("acme-admin"), Strings{});
  Run("card.move", "pm",
      {{"project_id", "p-acme"},
       {"card_id", "fix"},
       {"to_column", "Doing"},
       {"expected_version", 2}});
  EXPECT_EQ(Summary("pm"), Strings{});
}

TEST_F(ActionItemsTest, AStagedCardReturnsToThePreviousManagerWhenTheGrantIsRevoked) {
  BenManagesAcmeWithAStagedCard();
  Run("role.revoke", "owner",
      {{"member_id", "ben"},
       {"role", "project_manager"},
       {"project_id", "p-acme"},
       {"expected_version", 2}});
  EXPECT_EQ(Summary("ben"), Strings{});
  EXPECT_EQ(Summary("pm"), Strings{"review_card:p-acme:fix"});
}

TEST_F(ActionItemsTest, AStagedCardReturnsToTheCreatorWhenTheGrantedManagerLeavesTheFirm) {
  BenManagesAcmeWithAStagedCard();
  Run("role.revoke", "owner", {{"member_id", "ben"}, {"role", "staff"}, {"expected_version", 2}});
  EXPECT_EQ(Summary("pm"), Strings{"review_card:p-acme:fix"});
}

// The card was created and staged by the owner: the item to review it says so, on the firm's
// side.
TEST_F(ActionItemsTest, AStagedCardNamesWhoStagedIt) {
  BenManagesAcmeWithAStagedCard();
  const auto items = Items("ben");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items.at(0).at("asked_by"), "owner");
  EXPECT_EQ(items.at(0).at("asked_by_side"), "firm");
}

TEST_F(ActionItemsTest, ACreatorWhoseOwnProjectGrantIsRevokedStillManagesTheProject) {
  Run("role.grant", "owner",
      {{"member_id", "pm"},
       {"role", "project_manager"},
       {"project_id", "p-acme"},
       {"expected_version", 1}});
  Run("role.grant", "owner", {{"member_id", "pm"}, {"role", "staff"}, {"expected_version", 2}});
  Run("role.revoke", "owner",
      {{"member_id", "pm"},
       {"role", "project_manager"},
       {"project_id", "p-acme"},
       {"expected_version", 3}});
  StageCardOnQaBoard();
  EXPECT_EQ(Summary("pm"), Strings{"review_card:p-acme:fix"});
}

// Found in review (c7305d7): an auditor cannot move the card it was asked to review, and an item
// of a project nobody manages was nobody's.
TEST_F(ActionItemsTest, AStagedCardOfACreatorMadeAuditorOfTheProjectGoesToTheOwner) {
  Run("role.grant", "owner",
      {{"member_id", "pm"},
       {"role", "auditor"},
       {"project_id", "p-acme"},
       {"expected_version", 1}});
  StageCardOnQaBoard();
  EXPECT_EQ(Summary("pm"), Strings{});
  EXPECT_EQ(Summary("owner"), Strings{"review_card:p-acme:fix"});
}

TEST_F(ActionItemsTest, AStagedCardOfAProjectWhoseCreatorLeftTheFirmGoesToTheOwner) {
  StageCardOnQaBoard();
  Run("role.revoke", "owner",
      {{"member_id", "pm"}, {"role", "project_manager"}, {"expected_version", 1}});
  EXPECT_EQ(Summary("owner"), Strings{"review_card:p-acme:fix"});
}

TEST_F(ActionItemsTest, AManagerWhoLeftAndReturnedDoesNotTakeOverFromAStandingGrant) {
  BenManagesAcmeWithAStagedCard();
  Run("member.invite", "owner",
      {{"member_id", "cat"}, {"email", "cat@nw.io"}, {"display_name", "Cat"}, {"role", "staff"}});
  Run("role.grant", "owner",
      {{"member_id", "cat"},
       {"role", "project_manager"},
       {"project_id", "p-acme"},
       {"expected_version", 1}});
  Run("role.revoke", "owner", {{"member_id", "cat"}, {"role", "staff"}, {"expected_version", 2}});
  Run("role.grant", "owner",
      {{"member_id", "cat"}, {"role", "project_manager"}, {"expected_version", 3}});
  EXPECT_EQ(Summary("cat"), Strings{});
  EXPECT_EQ(Summary("ben"), Strings{"review_card:p-acme:fix"});
}

TEST_F(ActionItemsTest, UrgencyFollowsTheDueDateAgainstToday) {
  RequestDocument("later", "acme-member", "2026-12-14");
  RequestDocument("soon", "acme-member", "2026-12-13");
  RequestDocument("today", "acme-member", "2026-12-10");
  RequestDocument("late", "acme-member", "2026-12-09");
  Run("approval.request", "pm",
      {{"project_id", "p-acme"},
       {"approval_id", "ap-late"},
       {"subject", object{{"kind", "milestone"}, {"id", "m-started"}}},
       {"title", "Late one"},
       {"requested_from", "acme-member"},
       {"due_date", "2026-11-30"}});
  std::vector<std::string> order;
  for (const auto& v : Items("acme-member")) {
    const auto& o = v.as_object();
    order.push_back(std::string(o.at("urgency").as_string()) + " " +
                    std::string(o.at("due_date").as_string()));
  }
  // Overdue first, then due soon, then waiting; by due date, undated last, then oldest first.
  EXPECT_EQ(order, (Strings{"overdue 2026-11-30", "overdue 2026-12-09", "due_soon 2026-12-10",
                            "due_soon 2026-12-13", "waiting 2026-12-14", "waiting ", "waiting "}));
}

TEST_F(ActionItemsTest, UrgencyIsJudgedOnTheDayOfTheReadNotStored) {
  RequestDocument("soon", "acme-member", "2026-12-13");
  ViewRequest r = Request("acme-member");
  r.today = "2026-12-01";
  EXPECT_EQ(world_->Json(r).at("items").at(0).at("urgency"), "waiting");
  r.today = "2026-12-14";
  EXPECT_EQ(world_->Json(r).at("items").at(0).at("urgency"), "overdue");
}

TEST_F(ActionItemsTest, AskedForOneProjectListsOnlyThatProjectsItems) {
  for (const std::string p : {"p-acme", "p-globex"}) {
    Run("board.configure", "pm",
        {{"project_id", p},
         {"board_id", "qa"},
         {"name", "QA"},
         {"columns", boost::json::array{"Doing", "Staged"}}});
    Run("card.create", "pm",
        {{"project_id", p}, {"board_id", "qa"}, {"card_id", "fix"}, {"title", "Fix"}});
    Run("card.move", "pm",
        {{"project_id", p}, {"card_id", "fix"}, {"to_column", "Staged"}, {"expected_version", 1}});
  }
  EXPECT_EQ(Summary("pm"), (Strings{"review_card:p-acme:fix", "review_card:p-globex:fix"}));
  ViewRequest r = Request("pm");
  r.project = "p-globex";
  const boost::json::array items = world_->Json(r).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("project"), "p-globex");
}

TEST_F(ActionItemsTest, AskedForAProjectTheMemberMayNotSeeIsRefusedLikeAMissingOne) {
  auto refusal = [&](const std::string& project) {
    ViewRequest r = Request("acme-member");
    r.project = project;
    Status s;
    world_->Read(r, &s);
    EXPECT_TRUE(s.IsNotFound()) << s.ToString();
    std::string message = s.ToString();
    message.replace(message.find(project), project.size(), "<id>");
    return message;
  };
  EXPECT_EQ(refusal("p-globex"), refusal("p-nowhere"));
}

TEST_F(ActionItemsTest, MalformedTodayIsAClearError) {
  ViewRequest r = Request("acme-member");
  r.today = "2026-02-30";
  Status s;
  world_->Read(r, &s);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.reason(), "view.bad_date");
}

TEST_F(ActionItemsTest, NeedsAMember) {
  ViewRequest r = Request("");
  Status s;
  world_->Read(r, &s);
  EXPECT_EQ(s.reason(), "view.missing_option");
}

TEST_F(ActionItemsTest, ClientSideNeverGetsInternalItemsNorAnotherClientsItems) {
  // Internal work on both projects that would be someone's to do, all marked.
  for (const std::string c : {"acme", "globex"}) {
    const std::string p = "p-" + c;
    Run("board.configure", "pm",
        {{"project_id", p},
         {"board_id", "qa"},
         {"name", "INTERNAL-MARKER QA"},
         {"columns", boost::json::array{"Staged"}}});
    Run("card.create", "pm",
        {{"project_id", p},
         {"board_id", "qa"},
         {"card_id", "secret"},
         {"title", "INTERNAL-MARKER card"}});
    Run("comment.post", c + "-member",
        {{"project_id", p},
         {"thread_id", "t-client"},
         {"comment_id", "q"},
         {"body", "Question from " + c}});
    Run("card.move", "pm",
        {{"project_id", p}, {"card_id", "cc"}, {"to_column", "Staged"}, {"expected_version", 1}});
  }
  for (const std::string c : {"acme", "globex"}) {
    const std::string other = c == "acme" ? "globex" : "acme";
    for (const std::string role : {"admin", "member", "viewer"}) {
      ViewRequest r = Request(c + "-" + role);
      const std::string text = world_->Read(r);
      EXPECT_EQ(text.find("INTERNAL-MARKER"), std::string::npos) << text;
      EXPECT_EQ(text.find("reply_to_client"), std::string::npos) << text;
      EXPECT_EQ(text.find("p-" + other), std::string::npos) << text;
      EXPECT_EQ(text.find("Question from"), std::string::npos) << text;
    }
  }
  // The firm does get them.
  EXPECT_NE(world_->Read(Request("pm")).find("INTERNAL-MARKER"), std::string::npos);
}

TEST_F(ActionItemsTest, ProjectScopedManagerAnswersQuestionsOfItsProjectOnly) {
  Run("member.invite", "owner",
      {{"member_id", "ben"}, {"email", "ben@nw.io"}, {"display_name", "Ben"}, {"role", "staff"}});
  Run("role.grant", "owner",
      {{"member_id", "ben"},
       {"role", "project_manager"},
       {"project_id", "p-globex"},
       {"expected_version", 1}});
  for (const std::string c : {"acme", "globex"}) {
    Run("comment.post", c + "-member",
        {{"project_id", "p-" + c},
         {"thread_id", "t-client"},
         {"comment_id", "q"},
         {"body", "Hello?"}});
  }
  EXPECT_EQ(Summary("ben"), Strings{"reply_to_client:p-globex:t-client"});
  EXPECT_EQ(Summary("pm"),
            (Strings{"reply_to_client:p-acme:t-client", "reply_to_client:p-globex:t-client"}));
}

TEST_F(ActionItemsTest, RebuildHashesLikeTheLiveView) {
  RequestDocument("soon", "", "2026-12-13");
  Run("comment.post", "acme-member",
      {{"project_id", "p-acme"},
       {"thread_id", "t-client"},
       {"comment_id", "q"},
       {"body", "Hello?"}});
  world_->ExpectRebuildHashesLikeLive({"action-items"});
}

TEST_F(ActionItemsTest, AsOfReadEqualsTheLiveReadAtThatMoment) {
  std::vector<std::pair<uint64_t, std::pair<std::string, std::string>>> live;
  auto snapshot = [&] {
    live.push_back({world_->log()->LastPosition(),
                    {world_->Read(Request("acme-member")), world_->Read(Request("pm"))}});
  };
  snapshot();
  RequestDocument("soon", "acme-member", "2026-12-13");
  snapshot();
  Run("comment.post", "acme-member",
      {{"project_id", "p-acme"},
       {"thread_id", "t-client"},
       {"comment_id", "q"},
       {"body", "Hello?"}});
  snapshot();
  Run("approval.grant", "acme-member",
      {{"project_id", "p-acme"}, {"approval_id", "ap"}, {"expected_version", 1}});
  snapshot();
  for (const auto& [position, expected] : live) {
    EXPECT_EQ(world_->ReadAsOf(Request("acme-member"), position), expected.first) << position;
    EXPECT_EQ(world_->ReadAsOf(Request("pm"), position), expected.second) << position;
  }
}

}  // namespace
}  // namespace tandem::test
