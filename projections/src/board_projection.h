// The boards of each project: every board with its columns in their configured order, and its
// cards (title, description, column, the order they arrived in their column) with their links.
// The client board view (Curation::kClient) folds only client-shared events, so it holds the
// client board, its cards and the links between client cards, and nothing of the internal
// boards a client card may be linked to; the internal view holds every board with its audience.
//
// Rows (keys extend the project's root row, curated_project.h):
//   {tenant, project, "b", board}        the board: name, audience, columns, order of creation
//   {tenant, project, "c", board, card}  a card: its column, when it arrived there, its links
//   {tenant, project, "i", card}         which board a card is on (card ids are per project)
// A move rewrites the card's row only, so no row grows with moves; a card row grows with its
// links (each pair of cards links once).
//
// The rules are the domain's (project_state.cc): a board's audience is fixed when it is first
// configured and a later configuration can only narrow it; each configuration replaces the
// columns; a card id is taken by its first creation, and cards never change boards; a link
// needs both cards and records itself on each.
#pragma once

#include <string>
#include <vector>

#include "curated_project.h"
#include "row_fields.h"

namespace tandem {

struct BoardDoc {
  uint64_t seq = 0;  // order of first configuration
  std::string name;
  bool client = false;
  std::vector<std::string> columns;
  uint64_t version = 0;

  void Write(JsonLine* out) const;
  void FromJson(const boost::json::object& in);
};

struct CardLink {
  std::string card, board, relation;
  bool outgoing = true;  // this card is the link's card_id (e.g. it is implemented_by the other)
  bool client = false;

  bool operator==(const CardLink&) const = default;
};

struct CardDoc {
  std::string title, description, column;
  uint64_t arrival = 0;  // the project's counter when the card arrived in its column
  std::vector<CardLink> links;

  void Write(JsonLine* out) const;
  void FromJson(const boost::json::object& in);
};

struct CardIndexDoc {
  std::string board;

  static constexpr std::tuple kFields{Field("board", &CardIndexDoc::board)};
};

class BoardProjection : public Projection {
 public:
  BoardProjection(Curation curation, std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)), curation_(curation), name_(CuratedName(curation, "board")) {}
  std::string_view name() const override { return name_; }
  uint32_t version() const override { return 1; }
  bool projects_fold_apart() const override { return true; }
  EventFilter filter() const override {
    using schema::Payload;
    return Curated(curation_, EventFilter::Of({Payload::ProjectCreated, Payload::WorkflowConfigured,
                                               Payload::CardCreated, Payload::CardMoved,
                                               Payload::CardLinked}));
  }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  Status Configure(const schema::Event& event, ViewRows* rows, const std::string& tenant,
                   const std::string& project, ProjectRoot* root);
  Status CreateCard(const schema::Event& event, ViewRows* rows, const std::string& tenant,
                    const std::string& project, ProjectRoot* root);
  Status MoveCard(const schema::Event& event, ViewRows* rows, const std::string& tenant,
                  const std::string& project, ProjectRoot* root);
  Status LinkCards(const schema::Event& event, ViewRows* rows, const std::string& tenant,
                   const std::string& project);
  // The card `card` of the project for changing, or null when it was never created.
  Status FindCard(const ViewRows& rows, const std::string& tenant, const std::string& project,
                  const std::string& card, std::string* board, CardDoc** doc);

  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  Curation curation_;
  std::string name_;
  ProjectRoots roots_{budget_.get()};
  DocCache<BoardDoc> boards_{budget_.get()};
  DocCache<CardDoc> cards_{budget_.get()};
  DocCache<CardIndexDoc> index_{budget_.get()};
};

std::string BoardKey(const std::string& tenant, const std::string& project,
                     const std::string& board);
// Every board of the project (prefix), and every card of one board (prefix).
std::string BoardsPrefix(const std::string& tenant, const std::string& project);
std::string CardsPrefix(const std::string& tenant, const std::string& project,
                        const std::string& board);

}  // namespace tandem
