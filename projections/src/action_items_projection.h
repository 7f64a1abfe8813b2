// Action items: what each person must do now, kept per project as one row per open item,
// deleted when it is done. Who the item is for is stored as the fold knows it (a member, or a
// group: the client's side, its admins, the firm's managers, the project's manager); groups
// are resolved into people at read time through the directory, so a later role change moves
// the item without any event about it.
//
// The items (kinds):
//   answer_approval     an approval pending, for the member it was requested from;
//   upload_document     a document request still open (no upload answered it and its milestone
//                       is not completed), for the member asked, or when nobody was named for
//                       the client's admins and members (those who may answer it);
//   reply_to_client     a client thread whose last comment is from the client's side, for the
//                       firm's managers of the project (its manager, and the members acting
//                       as owner or project manager on it);
//   review_card         a card in the column "Staged": on the client board for the client's
//                       admins, on an internal board for the project's manager.
// Each item keeps its audience: client-visible items (approvals, requests, staged client cards)
// or internal (client questions waiting on the firm, staged internal cards). Urgency is not
// stored: it depends on the day of the read.
//
// Besides the items, the little state needed to decide, since a fold decides only from its own
// rows: per project its client and boards' audiences; per milestone whether it is completed and
// its open requests; per request its milestone and whether it is open; per approval whether it
// is pending; per card its board, title and column; per member which client's side it is on
// (MemberSides, from MemberInvited). Each is a row of its own, so an event writes the rows of
// the things it names, never a row holding all of a project's milestones, requests, approvals
// or cards (which grew with the project's history and was written again by every change).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "doc_cache.h"
#include "member_sides.h"
#include "project_run.h"
#include "row_fields.h"
#include "view_key.h"

namespace tandem {

struct ActionItem {
  std::string kind, title;
  std::string milestone_id, card_id, board_id, approval_id, request_id, thread_id;
  std::string due_date;
  int64_t since_us = 0;
  bool client = false;   // audience: shared with the project's client
  std::string assignee;  // a member; empty when `group` names who
  std::string group;     // client_side, client_admins, firm_managers, project_manager
  // Who asked: the member who requested the document or approval, or staged the card; for
  // reply_to_client the client-side member who spoke last.
  std::string asked_by;

  static constexpr std::tuple kFields{Field("kind", &ActionItem::kind),
                                      Field("title", &ActionItem::title),
                                      Field("milestone_id", &ActionItem::milestone_id),
                                      Field("card_id", &ActionItem::card_id),
                                      Field("board_id", &ActionItem::board_id),
                                      Field("approval_id", &ActionItem::approval_id),
                                      Field("request_id", &ActionItem::request_id),
                                      Field("thread_id", &ActionItem::thread_id),
                                      Field("due_date", &ActionItem::due_date),
                                      Field("since_us", &ActionItem::since_us),
                                      Field("client", &ActionItem::client),
                                      Field("assignee", &ActionItem::assignee),
                                      Field("group", &ActionItem::group),
                                      Field("asked_by", &ActionItem::asked_by)};
};

struct ActionCard {
  std::string board, title, column;
  // Whether its creation was shared with the client: a card the client never saw created is
  // never the client's to review (nor is who staged it the client's to know). Stored only when
  // false.
  bool shared = true;

  void Write(JsonLine* out) const;
  void FromJson(const boost::json::object& in);
};

struct ActionProject {
  std::string client_id;
  std::map<std::string, bool> boards;  // id -> shared with the client

  void Write(JsonLine* out) const;
  void FromJson(const boost::json::object& in);
};

struct ActionMilestone {
  bool client = false;  // planned shared with the client
  bool completed = false;
  // Its requests still open, in order of request: a completion closes these, and only these.
  std::vector<std::string> open_requests;

  void Write(JsonLine* out) const;
  void FromJson(const boost::json::object& in);
};

struct ActionRequest {
  std::string milestone;
  bool client = false;  // the client's: only an upload shared with the client answers it
  bool open = true;

  static constexpr std::tuple kFields{Field("milestone", &ActionRequest::milestone),
                                      Field("client", &ActionRequest::client),
                                      Field("open", &ActionRequest::open)};
};

struct ActionApproval {
  bool pending = true;

  static constexpr std::tuple kFields{Field("pending", &ActionApproval::pending)};
};

class ActionItemsProjection : public Projection {
 public:
  explicit ActionItemsProjection(std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)) {}
  static constexpr std::string_view kName = "action-items";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 10; }
  bool projects_fold_apart() const override { return true; }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  struct Fold;
  MemberSides members_{{.part = "m"}, budget_.get()};
  DocCache<ActionProject> projects_{budget_.get()};
  DocCache<ActionMilestone> milestones_{budget_.get()};
  DocCache<ActionRequest> requests_{budget_.get()};
  DocCache<ActionApproval> approvals_{budget_.get()};
  DocCache<ActionCard> cards_{budget_.get()};
  DocCache<ActionItem> items_{budget_.get()};
  ProjectRun<ActionProject> run_{&projects_, ProjectRowKey};
};

// The prefix of a project's item rows (each holding an ActionItem).
std::string ActionItemsPrefix(const std::string& tenant, const std::string& project);

}  // namespace tandem
