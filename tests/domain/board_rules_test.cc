// Boards and cards: configurable columns, one client board per project, cards only in columns
// their board has, client-side members only in the client board's Inbound, links kept internal.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

using boost::json::array;

class BoardRulesTest : public StandardWorldTest {};

TEST_F(BoardRulesTest, ClientBoardGetsTheDefaultColumns) {
  CommandResult r;
  ASSERT_TRUE(
      Run("project.create", "pm", {{"project_id", "p2"}, {"client_id", "acme"}, {"name", "P2"}})
          .ok());
  ASSERT_TRUE(
      Run("board.configure", "pm",
          {{"project_id", "p2"}, {"board_id", "b"}, {"name", "Client"}, {"audience", "client"}}, &r)
          .ok());
  const auto* e = r.events.at(0).event().payload_as_WorkflowConfigured();
  std::vector<std::string> columns;
  for (const auto* c : *e->columns()) columns.push_back(c->str());
  EXPECT_EQ(columns,
            (std::vector<std::string>{"Inbound", "Assigned", "In Progress", "Staged", "Approved"}));
  EXPECT_EQ(r.events[0].event().audience(), schema::Audience::Client);
}

TEST_F(BoardRulesTest, ExpectingAVersionOfABoardNotThereIsRefusedAndCreatesNothing) {
  const uint64_t before = Position();
  ExpectStale(Run("board.configure", "pm",
                  {{"project_id", "p-acme"},
                   {"board_id", "ops"},
                   {"name", "Ops"},
                   {"columns", boost::json::array{"To do", "Done"}},
                   {"expected_version", 2}}),
              before);
}

TEST_F(BoardRulesTest, SecondClientBoardIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Run("board.configure", "pm",
                     {{"project_id", "p-acme"},
                      {"board_id", "cb2"},
                      {"name", "Again"},
                      {"audience", "client"}}),
                 "board.client_board_exists", before);
}

TEST_F(BoardRulesTest, MovingToAColumnTheBoardLacksIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Run("card.move", "pm",
                     {{"project_id", "p-acme"},
                      {"card_id", "cc"},
                      {"to_column", "Doing"},
                      {"expected_version", 1}}),
                 "card.unknown_column", before);
}

TEST_F(BoardRulesTest, MovingToTheSameColumnIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Run("card.move", "pm",
                     {{"project_id", "p-acme"},
                      {"card_id", "cc"},
                      {"to_column", "Inbound"},
                      {"expected_version", 1}}),
                 "card.already_in_column", before);
}

TEST_F(BoardRulesTest, ReconfiguringAwayAColumnWithCardsIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Run("board.configure", "pm",
                     {{"project_id", "p-acme"},
                      {"board_id", "ib"},
                      {"name", "Dev"},
                      {"columns", array{"Doing", "Done"}},
                      {"expected_version", 1}}),
                 "board.column_in_use", before);
  EXPECT_TRUE(Run("board.configure", "pm",
                  {{"project_id", "p-acme"},
                   {"board_id", "ib"},
                   {"name", "Dev"},
                   {"columns", array{"To do", "Review", "Done"}},
                   {"expected_version", 1}})
                  .ok());
}

TEST_F(BoardRulesTest, BoardAudienceCannotChange) {
  const uint64_t before = Position();
  ExpectRejected(Run("board.configure", "pm",
                     {{"project_id", "p-acme"},
                      {"board_id", "ib"},
                      {"name", "Dev"},
                      {"audience", "client"},
                      {"expected_version", 1}}),
                 "board.audience_immutable", before);
}

TEST_F(BoardRulesTest, ClientMemberAddsCardsOnlyToInbound) {
  const uint64_t before = Position();
  ExpectDenied(Run("card.create", "acme-member",
                   {{"project_id", "p-acme"},
                    {"board_id", "cb"},
                    {"card_id", "x"},
                    {"title", "X"},
                    {"column", "Approved"}}),
               "card.client_inbound_only", before);
  ExpectDenied(
      Run("card.create", "acme-member",
          {{"project_id", "p-acme"}, {"board_id", "ib"}, {"card_id", "x"}, {"title", "X"}}),
      "scope.not_visible", before);
}

TEST_F(BoardRulesTest, LinkingTwiceOrToItselfIsRejected) {
  LinkClientCardToInternalCard();
  const uint64_t before = Position();
  ExpectRejected(Run("card.link", "pm",
                     {{"project_id", "p-acme"},
                      {"card_id", "ic"},
                      {"linked_card_id", "cc"},
                      {"expected_version", 2}}),
                 "card.already_linked", before);
  ExpectRejected(Run("card.link", "pm",
                     {{"project_id", "p-acme"},
                      {"card_id", "cc"},
                      {"linked_card_id", "cc"},
                      {"expected_version", 2}}),
                 "card.self_link", before);
}

TEST_F(BoardRulesTest, LinkAndMovesOfTheInternalCardStayInternal) {
  CommandResult link, move;
  LinkClientCardToInternalCard(&link);
  ASSERT_TRUE(Run("card.move", "staff",
                  {{"project_id", "p-acme"},
                   {"card_id", "ic"},
                   {"to_column", "Doing"},
                   {"expected_version", 2}},
                  &move)
                  .ok());
  EXPECT_EQ(link.events.at(0).event().audience(), schema::Audience::Internal);
  EXPECT_EQ(move.events.at(0).event().audience(), schema::Audience::Internal);
}

}  // namespace
}  // namespace tandem::test
