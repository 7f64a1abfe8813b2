// Decisions about boards and cards. A project has at most one client-shared board (its columns
// default to Inbound, Assigned, In Progress, Staged, Approved) and any number of internal ones.
// Client-side members only add cards to the client board's first column; moving and linking
// is the firm's work, and a link to an internal card stays internal.
#include <algorithm>

#include "command_context.h"

namespace tandem {
namespace {

using schema::Audience;

const std::vector<std::string>& DefaultClientColumns() {
  static const std::vector<std::string> columns{"Inbound", "Assigned", "In Progress", "Staged",
                                                "Approved"};
  return columns;
}

bool HasColumn(const BoardState& board, const std::string& column) {
  return std::find(board.columns.begin(), board.columns.end(), column) != board.columns.end();
}

Status ReconfigureBoard(const CommandContext& ctx, const BoardState& board, Audience audience,
                        std::vector<std::string>* columns) {
  const std::string what = "board '" + ctx.args().Str("board_id") + "'";
  Status s = CheckExpectedVersion(ctx, what, board.version);
  if (!s.ok()) return s;
  if (audience != board.audience) {
    return Status::Rejected("board.audience_immutable",
                            what + " is " + std::string(AudienceName(board.audience)) +
                                "; create another board instead");
  }
  if (columns->empty()) *columns = board.columns;
  if (columns->empty() && audience == Audience::Client) *columns = DefaultClientColumns();
  if (columns->empty()) {
    return Status::InvalidArgument("command.missing_field",
                                   "missing field 'columns': " + what + " has none");
  }
  for (const auto& [id, card] : ctx.project->cards) {
    if (card.board_id == ctx.args().Str("board_id") &&
        std::find(columns->begin(), columns->end(), card.column) == columns->end()) {
      return Status::Rejected("board.column_in_use", "column '" + card.column + "' of " + what +
                                                         " still holds card '" + id + "'");
    }
  }
  return Status::OK();
}

Status ConfigureBoard(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const std::string& board_id = a.Str("board_id");
  auto existing = ctx.project->boards.find(board_id);
  const bool is_new = existing == ctx.project->boards.end();
  const Audience audience =
      AudienceArg(ctx, "audience", is_new ? Audience::Internal : existing->second.audience);
  std::vector<std::string> columns = a.List("columns");
  if (!is_new) {
    Status s = ReconfigureBoard(ctx, existing->second, audience, &columns);
    if (!s.ok()) return s;
  } else if (Status s = CheckExpectedNew(ctx, "board '" + board_id + "'"); !s.ok()) {
    return s;
  } else if (audience == Audience::Client) {
    const std::string other = ctx.project->ClientBoardId();
    if (!other.empty()) {
      return Status::Rejected("board.client_board_exists",
                              "the project already shares board '" + other + "' with its client");
    }
    if (columns.empty()) columns = DefaultClientColumns();
  } else if (columns.empty()) {
    return Status::InvalidArgument("command.missing_field",
                                   "missing field 'columns': an internal board needs columns");
  }
  schema::WorkflowConfiguredT e;
  e.project_id = a.Str("project_id");
  e.board_id = board_id;
  e.name = a.Str("name");
  e.board_audience = audience;
  e.columns = columns;
  Emit(ctx, audience, std::move(e), d);
  d->entity_version = is_new ? 1 : existing->second.version + 1;
  return Status::OK();
}

Status CreateCard(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const std::string what = Named("board", a.Str("board_id"));
  auto board = ctx.project->boards.find(a.Str("board_id"));
  if (board == ctx.project->boards.end()) return Missing(ctx, "board", a.Str("board_id"));
  if (!ctx.Sees(board->second.audience)) return NotVisible(what);
  const std::vector<std::string>& columns = board->second.columns;
  // A board written past the rules may have no columns: nothing can be put on it.
  if (columns.empty()) return Status::Rejected("board.no_columns", what + " has no columns");
  std::string card_id;
  Status s = NewId(ctx, "card_id", a.Str("card_id"), &card_id);
  if (!s.ok()) return s;
  if (ctx.project->cards.count(card_id)) {
    return Status::Rejected("card.exists", Named("card", card_id) + " already exists");
  }
  const std::string column = a.Has("column") ? a.Str("column") : columns.front();
  if (!HasColumn(board->second, column)) {
    return Status::Rejected("card.unknown_column", what + " has no column '" + column + "'");
  }
  if (ctx.client_side() && column != columns.front()) {
    return Status::PermissionDenied(
        "card.client_inbound_only",
        "client-side members add cards to the '" + columns.front() + "' column only");
  }
  schema::CardCreatedT e;
  e.project_id = a.Str("project_id");
  e.board_id = a.Str("board_id");
  e.card_id = card_id;
  e.title = a.Str("title");
  e.column = column;
  e.description = a.Str("description");
  Emit(ctx, board->second.audience, std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

Status MoveCard(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const std::string what = "card '" + a.Str("card_id") + "'";
  auto card = ctx.project->cards.find(a.Str("card_id"));
  if (card == ctx.project->cards.end()) return Missing(ctx, "card", a.Str("card_id"));
  Status s = CheckExpectedVersion(ctx, what, card->second.version);
  if (!s.ok()) return s;
  auto board_it = ctx.project->boards.find(card->second.board_id);
  if (board_it == ctx.project->boards.end()) {
    return Status::Corruption(what + " is on board '" + card->second.board_id +
                              "', which the history never configured");
  }
  const BoardState& board = board_it->second;
  const std::string& to = a.Str("to_column");
  if (!HasColumn(board, to)) {
    return Status::Rejected("card.unknown_column",
                            "board '" + card->second.board_id + "' has no column '" + to + "'");
  }
  if (to == card->second.column) {
    return Status::Rejected("card.already_in_column", what + " is already in '" + to + "'");
  }
  schema::CardMovedT e;
  e.project_id = a.Str("project_id");
  e.board_id = card->second.board_id;
  e.card_id = a.Str("card_id");
  e.from_column = card->second.column;
  e.to_column = to;
  // The move is as visible as the card's own board: moving an internal card that implements a
  // client card tells the client nothing.
  Emit(ctx, board.audience, std::move(e), d);
  d->entity_version = card->second.version + 1;
  return Status::OK();
}

Status LinkCards(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const auto& cards = ctx.project->cards;
  auto card = cards.find(a.Str("card_id"));
  auto linked = cards.find(a.Str("linked_card_id"));
  if (card == cards.end()) return Missing(ctx, "card", a.Str("card_id"));
  if (linked == cards.end()) return Missing(ctx, "card", a.Str("linked_card_id"));
  Status s = CheckExpectedVersion(ctx, "card '" + a.Str("card_id") + "'", card->second.version);
  if (!s.ok()) return s;
  if (card == linked) return Status::Rejected("card.self_link", "a card cannot link to itself");
  if (card->second.links.count(linked->first)) {
    return Status::Rejected("card.already_linked", "cards '" + card->first + "' and '" +
                                                       linked->first + "' are already linked");
  }
  schema::CardLinkedT e;
  e.project_id = a.Str("project_id");
  e.card_id = card->first;
  e.linked_card_id = linked->first;
  e.relation = a.Has("relation") ? a.Str("relation") : "implemented_by";
  const bool both_shared = CardAudience(*ctx.project, card->second) == Audience::Client &&
                           CardAudience(*ctx.project, linked->second) == Audience::Client;
  Emit(ctx, both_shared ? Audience::Client : Audience::Internal, std::move(e), d);
  d->entity_version = card->second.version + 1;
  return Status::OK();
}

}  // namespace

Status DecideBoardCommand(const CommandContext& ctx, Decision* d) {
  switch (ctx.command.type) {
    case CommandType::kConfigureBoard:
      return ConfigureBoard(ctx, d);
    case CommandType::kCreateCard:
      return CreateCard(ctx, d);
    case CommandType::kMoveCard:
      return MoveCard(ctx, d);
    default:
      return LinkCards(ctx, d);
  }
}

}  // namespace tandem
