#include "board_projection.h"

#include <algorithm>

#include "json_fields.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Arr;
using json_fields::Bool;
using json_fields::Int;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

std::string CardKey(const std::string& tenant, const std::string& project, const std::string& board,
                    const std::string& card) {
  return ViewKey({tenant, project, "c", board, card});
}

std::string IndexKey(const std::string& tenant, const std::string& project,
                     const std::string& card) {
  return ViewKey({tenant, project, "i", card});
}

}  // namespace

std::string BoardKey(const std::string& tenant, const std::string& project,
                     const std::string& board) {
  return ViewKey({tenant, project, "b", board});
}

std::string BoardsPrefix(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, project, "b"});
}

std::string CardsPrefix(const std::string& tenant, const std::string& project,
                        const std::string& board) {
  return ViewKey({tenant, project, "c", board});
}

void BoardDoc::Write(JsonLine* out) const {
  out->UInt("seq", seq)
      .Str("name", name)
      .Bool("client", client)
      .StrArray("columns", columns)
      .UInt("version", version);
}

void BoardDoc::FromJson(const boost::json::object& in) {
  seq = static_cast<uint64_t>(Int(in, "seq"));
  name = Str(in, "name");
  client = Bool(in, "client");
  columns.clear();
  for (const auto& c : Arr(in, "columns")) {
    if (c.is_string()) columns.emplace_back(c.get_string());
  }
  version = static_cast<uint64_t>(Int(in, "version"));
}

void CardDoc::Write(JsonLine* out) const {
  out->Str("title", title)
      .Str("description", description)
      .Str("column", column)
      .UInt("arrival", arrival)
      .ObjectArray("links", links, [](JsonLine& link, const CardLink& l) {
        link.Str("card", l.card)
            .Str("board", l.board)
            .Str("relation", l.relation)
            .Bool("outgoing", l.outgoing)
            .Bool("client", l.client);
      });
}

void CardDoc::FromJson(const boost::json::object& in) {
  title = Str(in, "title");
  description = Str(in, "description");
  column = Str(in, "column");
  arrival = static_cast<uint64_t>(Int(in, "arrival"));
  links.clear();
  for (const auto& v : Arr(in, "links")) {
    if (!v.is_object()) continue;
    const auto& o = v.get_object();
    links.push_back({Str(o, "card"), Str(o, "board"), Str(o, "relation"), Bool(o, "outgoing"),
                     Bool(o, "client")});
  }
}

Status BoardProjection::Apply(const schema::Event& event, ViewRows* rows) {
  const Payload type = event.payload_type();
  if (type != Payload::ProjectCreated && type != Payload::WorkflowConfigured &&
      type != Payload::CardCreated && type != Payload::CardMoved && type != Payload::CardLinked) {
    return Status::OK();
  }
  ProjectRoot* root = nullptr;
  Status s = roots_.Resolve(curation_, event, rows, &root);
  if (!s.ok() || root == nullptr) return s;  // a creation, or a project never created
  const std::string& tenant = roots_.tenant();
  const std::string& project = roots_.project();
  switch (type) {
    case Payload::WorkflowConfigured:
      return Configure(event, rows, tenant, project, root);
    case Payload::CardCreated:
      return CreateCard(event, rows, tenant, project, root);
    case Payload::CardMoved:
      return MoveCard(event, rows, tenant, project, root);
    default:
      return LinkCards(event, rows, tenant, project);
  }
}

Status BoardProjection::Configure(const schema::Event& event, ViewRows* rows,
                                  const std::string& tenant, const std::string& project,
                                  ProjectRoot* root) {
  const auto* e = event.payload_as_WorkflowConfigured();
  const std::string key = BoardKey(tenant, project, S(e->board_id()));
  BoardDoc* board = nullptr;
  Status s = boards_.Find(*rows, key, &board);
  if (!s.ok()) return s;
  const bool shared = SharedWithClient(event);
  if (board == nullptr) {
    s = boards_.Get(*rows, key, &board);
    if (!s.ok()) return s;
    board->seq = root->next_seq++;
    board->client = shared;
  } else {
    board->client = board->client && shared;  // fixed when created; only ever narrowed
  }
  board->name = S(e->name());
  board->columns.clear();
  if (e->columns() != nullptr) {
    for (const auto* c : *e->columns()) board->columns.push_back(S(c));
  }
  board->version++;
  return Status::OK();
}

Status BoardProjection::CreateCard(const schema::Event& event, ViewRows* rows,
                                   const std::string& tenant, const std::string& project,
                                   ProjectRoot* root) {
  const auto* e = event.payload_as_CardCreated();
  const std::string card = S(e->card_id());
  const CardIndexDoc* taken = nullptr;
  Status s = index_.Peek(*rows, IndexKey(tenant, project, card), &taken);
  if (!s.ok() || taken != nullptr) return s;  // the first creation decides
  CardIndexDoc* index = nullptr;
  s = index_.Get(*rows, IndexKey(tenant, project, card), &index);
  if (!s.ok()) return s;
  // As in the domain, the card exists even on a board never configured; it shows once a board
  // of that id does (readers show only boards).
  index->board = S(e->board_id());
  CardDoc* doc = nullptr;
  s = cards_.Get(*rows, CardKey(tenant, project, index->board, card), &doc);
  if (!s.ok()) return s;
  doc->title = S(e->title());
  doc->description = S(e->description());
  doc->column = S(e->column());
  doc->arrival = root->next_seq++;
  return Status::OK();
}

Status BoardProjection::FindCard(const ViewRows& rows, const std::string& tenant,
                                 const std::string& project, const std::string& card,
                                 std::string* board, CardDoc** doc) {
  *doc = nullptr;
  const CardIndexDoc* index = nullptr;
  Status s = index_.Peek(rows, IndexKey(tenant, project, card), &index);
  if (!s.ok() || index == nullptr) return s;
  *board = index->board;
  return cards_.Find(rows, CardKey(tenant, project, index->board, card), doc);
}

Status BoardProjection::MoveCard(const schema::Event& event, ViewRows* rows,
                                 const std::string& tenant, const std::string& project,
                                 ProjectRoot* root) {
  const auto* e = event.payload_as_CardMoved();
  std::string board;
  CardDoc* card = nullptr;
  // The card's own board decides, whatever board the event names.
  Status s = FindCard(*rows, tenant, project, S(e->card_id()), &board, &card);
  if (!s.ok() || card == nullptr) return s;
  card->column = S(e->to_column());
  card->arrival = root->next_seq++;
  return Status::OK();
}

Status BoardProjection::LinkCards(const schema::Event& event, ViewRows* rows,
                                  const std::string& tenant, const std::string& project) {
  const auto* e = event.payload_as_CardLinked();
  const std::string a_id = S(e->card_id()), b_id = S(e->linked_card_id());
  if (a_id == b_id) return Status::OK();
  std::string a_board, b_board;
  CardDoc* a = nullptr;
  CardDoc* b = nullptr;
  Status s = FindCard(*rows, tenant, project, a_id, &a_board, &a);
  if (s.ok() && a != nullptr) s = FindCard(*rows, tenant, project, b_id, &b_board, &b);
  if (!s.ok() || a == nullptr || b == nullptr) return s;  // both cards, or nothing
  // As in the domain, a link is shared only between two cards of client boards: a link to an
  // internal card stays internal, whatever the event says.
  bool client = SharedWithClient(event);
  for (const std::string* board : {&a_board, &b_board}) {
    const BoardDoc* doc = nullptr;
    if (client) s = boards_.Peek(*rows, BoardKey(tenant, project, *board), &doc);
    if (!s.ok()) return s;
    client = client && doc != nullptr && doc->client;
  }
  const std::string relation = S(e->relation());
  auto linked = [](const CardDoc& c, const std::string& other) {
    return std::any_of(c.links.begin(), c.links.end(),
                       [&](const CardLink& l) { return l.card == other; });
  };
  if (!linked(*a, b_id)) a->links.push_back({b_id, b_board, relation, true, client});
  if (!linked(*b, a_id)) b->links.push_back({a_id, a_board, relation, false, client});
  return Status::OK();
}

Status BoardProjection::Flush(ViewRows* rows) {
  roots_.Flush(rows);
  boards_.Flush(rows);
  cards_.Flush(rows);
  index_.Flush(rows);
  return Status::OK();
}

void BoardProjection::Forget() {
  roots_.Forget();
  boards_.Forget();
  cards_.Forget();
  index_.Forget();
}

}  // namespace tandem
