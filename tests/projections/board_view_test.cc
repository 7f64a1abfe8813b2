// The board view: the client board and the internal boards, their columns and cards, and what
// each asker may see of them.
#include <gtest/gtest.h>

#include "view_json.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

const std::string kMarker = "INTERNAL-MARKER";

class BoardViewTest : public StandardViewTest {
 protected:
  uint64_t Run(const std::string& type, const std::string& actor, object fields) {
    fields["project_id"] = "p-acme";
    return world_->MustRun(Cmd(type, "northwind", actor, std::move(fields)));
  }

  // On acme's project: the client adds a card; the firm moves cards, links the client card
  // "cc" to the internal card "ic" that does the work and to the client's card, and keeps an
  // internal board of its own. Afterwards Assigned holds the client's card first: "cc" left
  // and came back.
  void TellStory() {
    Run("card.create", "acme-member",
        {{"board_id", "cb"},
         {"card_id", "cc2"},
         {"title", "Copy"},
         {"description", "Home page text"}});
    uint64_t cc = Run("card.move", "pm",
                      {{"card_id", "cc"}, {"to_column", "Assigned"}, {"expected_version", 1}});
    Run("board.configure", "pm",
        {{"board_id", "ops"}, {"name", kMarker + " Ops"}, {"columns", array{"Later", "Now"}}});
    Run("card.create", "pm",
        {{"board_id", "ops"},
         {"card_id", "oc"},
         {"title", kMarker + " deploy"},
         {"description", kMarker + " staging first"},
         {"column", "Now"}});
    cc = Run("card.link", "pm",
             {{"card_id", "cc"}, {"linked_card_id", "ic"}, {"expected_version", cc}});
    cc = Run("card.link", "pm",
             {{"card_id", "cc"},
              {"linked_card_id", "client:acme:cc2"},
              {"relation", "relates_to"},
              {"expected_version", cc}});
    Run("card.link", "pm", {{"card_id", "ic"}, {"linked_card_id", "oc"}, {"expected_version", 2}});
    cc = Run("card.move", "pm",
             {{"card_id", "cc"}, {"to_column", "In Progress"}, {"expected_version", cc}});
    Run("card.move", "pm",
        {{"card_id", "client:acme:cc2"}, {"to_column", "Assigned"}, {"expected_version", 2}});
    Run("card.move", "pm",
        {{"card_id", "cc"}, {"to_column", "Assigned"}, {"expected_version", cc}});
  }

  ViewRequest AskBoard(const std::string& member, const std::string& board,
                       const std::string& project = "p-acme") {
    ViewRequest r = Ask("board", member, project);
    r.board = board;
    return r;
  }
};

value Link(const std::string& card, const std::string& board, const std::string& relation,
           bool outgoing, const char* audience = nullptr) {
  object o{{"card", card},
           {"board", board},
           {"relation", relation},
           {"direction", outgoing ? "outgoing" : "incoming"}};
  if (audience != nullptr) o["audience"] = audience;
  return o;
}

value Card(const std::string& id, const std::string& title, const std::string& description,
           const std::string& column, array links) {
  return object{{"id", id},
                {"title", title},
                {"description", description},
                {"column", column},
                {"links", std::move(links)}};
}

object Column(const std::string& name, array cards) {
  return {{"name", name}, {"cards", std::move(cards)}};
}

value Envelope(object body) {
  object o{{"view", "board"}, {"workspace", "northwind"}, {"project", "p-acme"}};
  for (auto& [k, v] : body) o[k] = std::move(v);
  return o;
}

TEST_F(BoardViewTest, ClientSeesItsBoardColumnsInOrderCardsInArrivalOrderAndClientLinksOnly) {
  TellStory();
  const std::string read = world_->Read(AskBoard("acme-member", "cb"));
  ExpectViewJson(
      read,
      Envelope({{"board",
                 object{{"id", "cb"},
                        {"name", "Client"},
                        {"version", 1},
                        {"columns",
                         array{Column("Inbound", {}),
                               Column("Assigned",
                                      {Card("client:acme:cc2", "Copy", "Home page text", "Assigned",
                                            {Link("cc", "cb", "relates_to", false)}),
                                       Card("cc", "Logo", "", "Assigned",
                                            {Link("client:acme:cc2", "cb", "relates_to", true)})}),
                               Column("In Progress", {}), Column("Staged", {}),
                               Column("Approved", {})}}}}}));
  EXPECT_EQ(read.find(kMarker), std::string::npos);
  EXPECT_EQ(read.find("\"ic\""), std::string::npos);
}

TEST_F(BoardViewTest, FirmSeesTheClientBoardWithEveryLinkAndItsAudience) {
  TellStory();
  ExpectViewJson(
      world_->Read(AskBoard("staff", "cb")),
      Envelope(
          {{"board",
            object{
                {"id", "cb"},
                {"name", "Client"},
                {"audience", "client"},
                {"version", 1},
                {"columns",
                 array{
                     Column("Inbound", {}),
                     Column("Assigned",
                            {Card("client:acme:cc2", "Copy", "Home page text", "Assigned",
                                  {Link("cc", "cb", "relates_to", false, "client")}),
                             Card("cc", "Logo", "", "Assigned",
                                  {Link("ic", "ib", "implemented_by", true, "internal"),
                                   Link("client:acme:cc2", "cb", "relates_to", true, "client")})}),
                     Column("In Progress", {}), Column("Staged", {}), Column("Approved", {})}}}}}));
}

TEST_F(BoardViewTest, FirmSeesAnInternalBoardWithItsCardsAndLinks) {
  TellStory();
  ExpectViewJson(
      world_->Read(AskBoard("pm", "ib")),
      Envelope(
          {{"board",
            object{{"id", "ib"},
                   {"name", "Dev"},
                   {"audience", "internal"},
                   {"version", 1},
                   {"columns",
                    array{Column("To do",
                                 {Card("ic", "SVG", "", "To do",
                                       {Link("cc", "cb", "implemented_by", false, "internal"),
                                        Link("oc", "ops", "implemented_by", true, "internal")})}),
                          Column("Doing", {}), Column("Done", {})}}}}}));
}

TEST_F(BoardViewTest, WithoutABoardTheAskerGetsTheBoardsItMaySeeWithCardCounts) {
  TellStory();
  auto counts = [](std::initializer_list<std::pair<const char*, int>> cols) {
    array a;
    for (const auto& [name, n] : cols) a.push_back(object{{"name", name}, {"cards", n}});
    return a;
  };
  const array client_columns =
      counts({{"Inbound", 0}, {"Assigned", 2}, {"In Progress", 0}, {"Staged", 0}, {"Approved", 0}});
  ExpectViewJson(world_->Read(Ask("board", "acme-viewer", "p-acme")),
                 Envelope({{"boards", array{object{{"id", "cb"},
                                                   {"name", "Client"},
                                                   {"version", 1},
                                                   {"columns", client_columns},
                                                   {"cards", 2}}}}}));
  ExpectViewJson(
      world_->Read(Ask("board", "pm", "p-acme")),
      Envelope(
          {{"boards", array{object{{"id", "cb"},
                                   {"name", "Client"},
                                   {"audience", "client"},
                                   {"version", 1},
                                   {"columns", client_columns},
                                   {"cards", 2}},
                            object{{"id", "ib"},
                                   {"name", "Dev"},
                                   {"audience", "internal"},
                                   {"version", 1},
                                   {"columns", counts({{"To do", 1}, {"Doing", 0}, {"Done", 0}})},
                                   {"cards", 1}},
                            object{{"id", "ops"},
                                   {"name", kMarker + " Ops"},
                                   {"audience", "internal"},
                                   {"version", 1},
                                   {"columns", counts({{"Later", 0}, {"Now", 1}})},
                                   {"cards", 1}}}}}));
}

TEST_F(BoardViewTest, EventsWrittenPastTheRulesShowTheClientNothingOfInternalCards) {
  // A link that claims to be shared between the client card and an internal one, and a shared
  // move of the internal card that names the client board.
  schema::CardLinkedT link;
  link.project_id = "p-acme";
  link.card_id = "cc";
  link.linked_card_id = "ic";
  link.relation = "leak";
  schema::CardMovedT move = AcmeCardMove("ic", "cb", "To do", "Inbound");
  NewEvent e;
  e.actor = "pm";
  e.audience = schema::Audience::Client;
  e.payload.Set(std::move(link));
  AppendPastTheRules(world_->log(), "p-acme", e);
  e.payload.Set(std::move(move));
  AppendPastTheRules(world_->log(), "p-acme", e);
  ExpectViewJson(
      world_->Read(AskBoard("acme-member", "cb")),
      Envelope({{"board", object{{"id", "cb"},
                                 {"name", "Client"},
                                 {"version", 1},
                                 {"columns",
                                  array{Column("Inbound", {Card("cc", "Logo", "", "Inbound", {})}),
                                        Column("Assigned", {}), Column("In Progress", {}),
                                        Column("Staged", {}), Column("Approved", {})}}}}}));
  // The firm's view follows the domain: the card stays on its own board, in a column that
  // board does not have, shown after the configured ones.
  const value internal = ViewBody(world_->Read(AskBoard("pm", "ib")));
  const auto& columns = internal.at("board").at("columns").as_array();
  ASSERT_EQ(columns.size(), 4u);
  EXPECT_EQ(columns[3],
            (object{{"name", "Inbound"},
                    {"cards", array{Card("ic", "SVG", "", "Inbound",
                                         {Link("cc", "cb", "leak", false, "internal")})}},
                    {"configured", false}}));
}

TEST_F(BoardViewTest, ClientBoardStorageHoldsNoInternalBoardCardOrLink) {
  TellStory();
  world_->CatchUp();
  ExpectStorageFree(world_->store(), "client-board", kMarker, {"ib", "ic", "ops", "oc"});
}

TEST_F(BoardViewTest, ClientAskingForAnInternalBoardIsRefusedLikeAMissingBoard) {
  TellStory();
  Status internal, missing;
  world_->Read(AskBoard("acme-admin", "ib"), &internal);
  world_->Read(AskBoard("acme-admin", "no-such-board"), &missing);
  EXPECT_TRUE(internal.IsNotFound());
  EXPECT_EQ(internal.reason(), "view.not_found");
  EXPECT_EQ(internal.message(), "board 'ib' does not exist");
  EXPECT_EQ(missing.reason(), internal.reason());
  EXPECT_EQ(missing.message(), "board 'no-such-board' does not exist");
}

TEST_F(BoardViewTest, ClientAskingForAnotherClientsBoardIsRefusedLikeAMissingProject) {
  Status other, missing;
  world_->Read(AskBoard("acme-member", "cb", "p-globex"), &other);
  world_->Read(AskBoard("acme-member", "cb", "p-nothing"), &missing);
  EXPECT_TRUE(other.IsNotFound());
  EXPECT_EQ(other.reason(), "view.not_found");
  EXPECT_EQ(other.message(), "project 'p-globex' does not exist");
  EXPECT_EQ(missing.message(), "project 'p-nothing' does not exist");
}

TEST_F(BoardViewTest, MovingACardBackAndForthDoesNotGrowAnyRow) {
  auto largest = [&] {
    world_->CatchUp();
    size_t max = 0;
    for (const std::string view : {"client-board", "internal-board"}) {
      for (const auto& [key, value] : StoredRows(world_->store(), view)) {
        max = std::max(max, value.size());
      }
    }
    return max;
  };
  uint64_t version = 1;
  auto move = [&](const char* to) {
    version = Run("card.move", "pm",
                  {{"card_id", "cc"}, {"to_column", to}, {"expected_version", version}});
  };
  move("Assigned");
  move("Inbound");
  const size_t before = largest();
  for (int i = 0; i < 100; ++i) {
    move("Assigned");
    move("Inbound");
  }
  // The arrival counter gains a digit or so; nothing else changes size.
  EXPECT_LE(largest(), before + 3);
}

TEST_F(BoardViewTest, RebuildHashesLikeTheLiveView) {
  TellStory();
  world_->ExpectRebuildHashesLikeLive({"client-board", "internal-board"});
}

TEST_F(BoardViewTest, AsOfAPositionReadsLikeTheLiveViewAtThatMoment) {
  AsOfRecorder recorder(world_.get(),
                        {AskBoard("acme-member", "cb"), Ask("board", "pm", "p-acme")});
  recorder.Snapshot();
  Run("card.create", "acme-member", {{"board_id", "cb"}, {"card_id", "n1"}, {"title", "New"}});
  recorder.Snapshot();
  Run("card.move", "pm", {{"card_id", "cc"}, {"to_column", "Staged"}, {"expected_version", 1}});
  Run("card.link", "pm", {{"card_id", "cc"}, {"linked_card_id", "ic"}, {"expected_version", 2}});
  recorder.Snapshot();
  Run("board.configure", "pm",
      {{"board_id", "cb"},
       {"name", "Client board"},
       {"columns", array{"Inbound", "Assigned", "In Progress", "Staged", "Approved", "Live"}},
       {"expected_version", 1}});
  recorder.Snapshot();
  recorder.ExpectAsOfReadsLikeLive();
}

TEST_F(BoardViewTest, CsvHasOneLinePerCard) {
  TellStory();
  ViewRequest r = AskBoard("acme-member", "cb");
  r.format = ViewFormat::kCsv;
  EXPECT_EQ(
      world_->Read(r),
      "board,position,id,title,description,column,links\r\n"
      "cb,1,client:acme:cc2,Copy,Home page text,Assigned,"
      "\"[{\"\"card\"\":\"\"cc\"\",\"\"board\"\":\"\"cb\"\",\"\"relation\"\":\"\"relates_to\"\","
      "\"\"direction\"\":\"\"incoming\"\"}]\"\r\n"
      "cb,2,cc,Logo,,Assigned,"
      "\"[{\"\"card\"\":\"\"client:acme:cc2\"\",\"\"board\"\":\"\"cb\"\",\"\"relation\"\":"
      "\"\"relates_to\"\",\"\"direction\"\":\"\"outgoing\"\"}]\"\r\n");
}

}  // namespace
}  // namespace tandem::test
