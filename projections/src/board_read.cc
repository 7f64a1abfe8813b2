// Reading the boards: one board with its columns and cards (--board), or the list of the
// project's boards the asker may see, with their columns and card counts.
#include <algorithm>
#include <map>

#include "board_projection.h"
#include "curated_read.h"
#include "view_catalog.h"

namespace tandem {
namespace {

struct Board {
  std::string id;
  BoardDoc doc;
};

struct Card {
  std::string id;
  CardDoc doc;
};

// The boards the asker may see, in order of creation.
Status VisibleBoards(const QueryContext& ctx, const CuratedProject& p, std::vector<Board>* out) {
  out->clear();
  Status s = ScanDocs<BoardDoc>(*p.rows, BoardsPrefix(ctx.request.workspace, ctx.request.project),
                                [&](const std::string& id, BoardDoc doc) {
                                  if (p.internal || doc.client)
                                    out->push_back({id, std::move(doc)});
                                });
  std::sort(out->begin(), out->end(),
            [](const Board& a, const Board& b) { return a.doc.seq < b.doc.seq; });
  return s;
}

// The board's columns in their configured order, each with its cards in order of arrival;
// cards in a column the board no longer has (a history written past the rules) follow in
// columns of their own, so no card goes missing.
struct Column {
  std::string name;
  bool configured = true;
  std::vector<Card> cards;
};

Status BoardColumns(const QueryContext& ctx, const CuratedProject& p, const Board& board,
                    std::vector<Column>* out) {
  out->clear();
  std::map<std::string, size_t> at;
  for (const std::string& c : board.doc.columns) {
    if (at.emplace(c, out->size()).second) out->push_back({c, true, {}});
  }
  std::vector<Card> cards;
  Status s =
      ScanDocs<CardDoc>(*p.rows, CardsPrefix(ctx.request.workspace, ctx.request.project, board.id),
                        [&](const std::string& id, CardDoc doc) {
                          cards.push_back({id, std::move(doc)});
                        });
  if (!s.ok()) return s;
  std::sort(cards.begin(), cards.end(),
            [](const Card& a, const Card& b) { return a.doc.arrival < b.doc.arrival; });
  for (Card& card : cards) {
    auto [it, added] = at.emplace(card.doc.column, out->size());
    if (added) out->push_back({card.doc.column, false, {}});
    (*out)[it->second].cards.push_back(std::move(card));
  }
  return Status::OK();
}

boost::json::object CardJson(const Card& card, bool internal,
                             const std::map<std::string, bool>& visible_boards) {
  boost::json::array links;
  for (const CardLink& l : card.doc.links) {
    // A client sees a link only between two cards it sees.
    if (!internal && (!l.client || !visible_boards.count(l.board))) continue;
    boost::json::object o{{"card", l.card},
                          {"board", l.board},
                          {"relation", l.relation},
                          {"direction", l.outgoing ? "outgoing" : "incoming"}};
    if (internal) o["audience"] = AudienceWord(l.client);
    links.push_back(std::move(o));
  }
  return {{"id", card.id},
          {"title", card.doc.title},
          {"description", card.doc.description},
          {"column", card.doc.column},
          {"links", std::move(links)}};
}

boost::json::object BoardHead(const Board& board, bool internal) {
  boost::json::object o{{"id", board.id}, {"name", board.doc.name}};
  if (internal) o["audience"] = AudienceWord(board.doc.client);
  o["version"] = board.doc.version;
  return o;
}

Status ReadOneBoard(const QueryContext& ctx, const CuratedProject& p,
                    const std::vector<Board>& boards, boost::json::object* out, CsvRows* csv_rows) {
  auto board = std::find_if(boards.begin(), boards.end(),
                            [&](const Board& b) { return b.id == ctx.request.board; });
  if (board == boards.end()) return NotFoundView("board '" + ctx.request.board + "'");
  std::map<std::string, bool> visible;
  for (const Board& b : boards) visible[b.id] = true;
  std::vector<Column> columns;
  Status s = BoardColumns(ctx, p, *board, &columns);
  if (!s.ok()) return s;
  boost::json::object head = BoardHead(*board, p.internal);
  boost::json::array cols, rows;
  for (const Column& c : columns) {
    boost::json::array cards;
    for (size_t i = 0; i < c.cards.size(); ++i) {
      boost::json::object card = CardJson(c.cards[i], p.internal, visible);
      if (ctx.request.format == ViewFormat::kCsv) {
        boost::json::object row{{"board", board->id}, {"position", i + 1}};
        for (auto& [k, v] : card) row[k] = v;
        rows.push_back(std::move(row));
      }
      cards.push_back(std::move(card));
    }
    boost::json::object col{{"name", c.name}, {"cards", std::move(cards)}};
    if (!c.configured) col["configured"] = false;
    cols.push_back(std::move(col));
  }
  head["columns"] = std::move(cols);
  (*out)["board"] = std::move(head);
  if (ctx.request.format == ViewFormat::kCsv) (*out)["cards"] = std::move(rows);
  // One line per card, as written above.
  *csv_rows = {"cards", {"board", "position", "id", "title", "description", "column", "links"}};
  return Status::OK();
}

Status ListBoards(const QueryContext& ctx, const CuratedProject& p,
                  const std::vector<Board>& boards, boost::json::object* out, CsvRows* csv_rows) {
  boost::json::array list;
  for (const Board& board : boards) {
    std::vector<Column> columns;
    Status s = BoardColumns(ctx, p, board, &columns);
    if (!s.ok()) return s;
    boost::json::object o = BoardHead(board, p.internal);
    boost::json::array cols;
    uint64_t total = 0;
    for (const Column& c : columns) {
      boost::json::object col{{"name", c.name}, {"cards", c.cards.size()}};
      if (!c.configured) col["configured"] = false;
      cols.push_back(std::move(col));
      total += c.cards.size();
    }
    o["columns"] = std::move(cols);
    o["cards"] = total;
    list.push_back(std::move(o));
  }
  (*out)["boards"] = std::move(list);
  // One line per board, as BoardHead and the columns above write it.
  csv_rows->member = "boards";
  csv_rows->columns = {"id", "name"};
  if (p.internal) csv_rows->columns.push_back("audience");
  csv_rows->columns.insert(csv_rows->columns.end(), {"version", "columns", "cards"});
  return Status::OK();
}

}  // namespace

Status ReadBoard(const QueryContext& ctx, boost::json::object* out, CsvRows* csv_rows) {
  CuratedProject p;
  Status s = OpenCuratedProject(ctx, "board", &p);
  if (!s.ok()) return s;
  std::vector<Board> boards;
  s = VisibleBoards(ctx, p, &boards);
  if (!s.ok()) return s;
  (*out)["project"] = ctx.request.project;
  return ctx.request.board.empty() ? ListBoards(ctx, p, boards, out, csv_rows)
                                   : ReadOneBoard(ctx, p, boards, out, csv_rows);
}

}  // namespace tandem
