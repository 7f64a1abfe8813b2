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
// Besides the items: per project the little state needed to decide (milestones completed,
// requests and approvals still open, boards' audiences), per card its board, title and column
// (a row of its own: a card move writes its card, not every card of the project), and which
// client's side each member is on (a row per member, MemberSides, from MemberInvited), since a
// fold decides only from its own rows. None of it grows with the number of events.
#pragma once

#include <map>
#include <string>

#include "doc_cache.h"
#include "member_sides.h"

namespace tandem {

struct ActionItem {
  std::string kind, title;
  std::string milestone_id, card_id, board_id, approval_id, request_id, thread_id;
  std::string due_date;
  int64_t since_us = 0;
  bool client = false;   // audience: shared with the project's client
  std::string assignee;  // a member; empty when `group` names who
  std::string group;     // client_side, client_admins, firm_managers, project_manager
  std::string asked_by;  // reply_to_client: the client-side member who spoke last

  void ToJson(boost::json::object* out) const;
  void FromJson(const boost::json::object& in);
};

struct ActionCard {
  std::string board, title, column;

  void ToJson(boost::json::object* out) const;
  void FromJson(const boost::json::object& in);
};

struct ActionRequest {
  std::string milestone;
  bool open = true;
};

struct ActionProject {
  std::string client_id;
  std::map<std::string, bool> milestones;  // id -> completed
  std::map<std::string, ActionRequest> requests;
  std::map<std::string, bool> approvals;  // id -> still pending
  std::map<std::string, bool> boards;     // id -> shared with the client

  void ToJson(boost::json::object* out) const;
  void FromJson(const boost::json::object& in);
};

class ActionItemsProjection : public Projection {
 public:
  explicit ActionItemsProjection(std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)) {}
  static constexpr std::string_view kName = "action-items";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 3; }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  struct Fold;
  MemberSides members_{{.part = "m"}, budget_.get()};
  DocCache<ActionProject> projects_{budget_.get()};
  DocCache<ActionCard> cards_{budget_.get()};
  DocCache<ActionItem> items_{budget_.get()};
};

// The prefix of a project's item rows (each holding an ActionItem).
std::string ActionItemsPrefix(const std::string& tenant, const std::string& project);

}  // namespace tandem
