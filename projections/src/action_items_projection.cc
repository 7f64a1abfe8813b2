#include "action_items_projection.h"

#include "directory_projection.h"
#include "json_fields.h"
#include "snippet.h"
#include "tandem/domain/client_visibility.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Arr;
using json_fields::Bool;
using json_fields::Obj;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

constexpr std::string_view kStaged = "Staged";
constexpr size_t kQuestionChars = 80;

std::string CardKey(const std::string& tenant, const std::string& project, const std::string& id) {
  return ViewKey({tenant, "c", project, id});
}
std::string MilestoneKey(const std::string& tenant, const std::string& project,
                         const std::string& id) {
  return ViewKey({tenant, "ms", project, id});
}
std::string RequestKey(const std::string& tenant, const std::string& project,
                       const std::string& id) {
  return ViewKey({tenant, "rq", project, id});
}
std::string ApprovalKey(const std::string& tenant, const std::string& project,
                        const std::string& id) {
  return ViewKey({tenant, "ap", project, id});
}
std::string ItemKey(const std::string& tenant, const std::string& project, std::string_view kind,
                    const std::string& id) {
  return ViewKey({tenant, "i", project, kind, id});
}

// Shared only if the event and the payload's own audience (a board's) both say so.
bool Shared(schema::Audience a, schema::Audience b) {
  return a == schema::Audience::Client && b == schema::Audience::Client;
}

}  // namespace

std::string ActionItemsPrefix(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, "i", project});
}

// One event's fold into one project's rows.
struct ActionItemsProjection::Fold {
  ActionItemsProjection* self;
  ViewRows* rows;
  const schema::Event& event;
  std::string tenant, project;
  ActionProject* doc;

  Status Put(std::string_view kind, const std::string& id, ActionItem item) {
    ActionItem* row = nullptr;
    Status s = self->items_.Get(*rows, ItemKey(tenant, project, kind, id), &row);
    if (!s.ok()) return s;
    item.kind = std::string(kind);
    item.since_us = event.recorded_at_us();
    // Who asked: whoever requested the document or the approval, or staged the card (a
    // client's question names its last speaker itself).
    if (item.asked_by.empty()) item.asked_by = S(event.actor());
    *row = std::move(item);
    return Status::OK();
  }
  void Drop(std::string_view kind, const std::string& id) {
    self->items_.Erase(ItemKey(tenant, project, kind, id));
  }

  Status Apply() {
    switch (event.payload_type()) {
      case Payload::MilestonePlanned:
        return MilestonePlanned(S(event.payload_as_MilestonePlanned()->milestone_id()),
                                SharedWithClient(event));
      case Payload::MilestoneCompleted:
        return MilestoneCompleted(S(event.payload_as_MilestoneCompleted()->milestone_id()));
      case Payload::DocumentRequested:
        return DocumentRequested(*event.payload_as_DocumentRequested());
      case Payload::FileUploaded:
        return CloseRequest(S(event.payload_as_FileUploaded()->request_id()),
                            SharedWithClient(event));
      case Payload::ApprovalRequested:
        return ApprovalRequested(*event.payload_as_ApprovalRequested());
      case Payload::ApprovalGranted:
        return ApprovalAnswered(S(event.payload_as_ApprovalGranted()->approval_id()));
      case Payload::ApprovalRejected:
        return ApprovalAnswered(S(event.payload_as_ApprovalRejected()->approval_id()));
      case Payload::CommentPosted:
        return CommentPosted(*event.payload_as_CommentPosted());
      case Payload::WorkflowConfigured: {
        const auto* e = event.payload_as_WorkflowConfigured();
        const bool shared = Shared(event.audience(), e->board_audience());
        // A board's audience is fixed when created; a later event can only narrow it.
        auto [it, added] = doc->boards.try_emplace(S(e->board_id()), shared);
        if (!added) it->second = it->second && shared;
        return Status::OK();
      }
      case Payload::CardCreated:
        return CardCreated(*event.payload_as_CardCreated());
      case Payload::CardMoved:
        return CardMoved(*event.payload_as_CardMoved());
      default:
        return Status::OK();
    }
  }

  Status MilestonePlanned(const std::string& milestone, bool shared) {
    ActionMilestone* m = nullptr;  // planned again: the first plan stands
    Status s = self->milestones_.Create(*rows, MilestoneKey(tenant, project, milestone), &m);
    if (s.ok() && m != nullptr) m->client = shared;
    return s;
  }

  Status MilestoneCompleted(const std::string& milestone) {
    ActionMilestone* m = nullptr;
    Status s = self->milestones_.Find(*rows, MilestoneKey(tenant, project, milestone), &m);
    if (!s.ok() || m == nullptr || m->completed) return s;
    m->completed = true;
    // Its requests can no longer be answered: nobody has to upload anything for them.
    for (const std::string& id : m->open_requests) {
      ActionRequest* r = nullptr;
      s = self->requests_.Find(*rows, RequestKey(tenant, project, id), &r);
      if (!s.ok()) return s;
      if (r != nullptr) r->open = false;
      Drop("upload_document", id);
    }
    m->open_requests.clear();
    return Status::OK();
  }

  Status DocumentRequested(const schema::DocumentRequested& e) {
    const std::string milestone_id = S(e.milestone_id());
    const std::string milestone_key = MilestoneKey(tenant, project, milestone_id);
    const ActionMilestone* m = nullptr;
    Status s = self->milestones_.Peek(*rows, milestone_key, &m);
    if (!s.ok() || m == nullptr || m->completed) return s;
    // The client's only if its milestone is shared too: a request written past the domain's
    // rules onto an internal milestone stays internal, as the timelines keep it.
    const bool client = SharedWithClient(event) && m->client;
    const std::string id = S(e.request_id());
    const std::string key = RequestKey(tenant, project, id);
    ActionRequest* r = nullptr;
    s = self->requests_.Create(*rows, key, &r);
    if (!s.ok() || r == nullptr) return s;  // the first request with the id decides
    *r = ActionRequest{milestone_id, client, true};
    ActionMilestone* open_on = nullptr;
    s = self->milestones_.Find(*rows, milestone_key, &open_on);
    if (!s.ok()) return s;
    open_on->open_requests.push_back(id);
    ActionItem item;
    item.title = Snippet(json_fields::Unchecked(e.title()), 200);
    item.milestone_id = milestone_id;
    item.request_id = id;
    item.due_date = S(e.due_date());
    item.client = client;
    item.assignee = S(e.requested_from());
    // Asked of nobody in particular: of the client's people, or for an internal request of
    // whoever manages the project.
    if (item.assignee.empty()) item.group = item.client ? "client_side" : "project_manager";
    return Put("upload_document", id, std::move(item));
  }

  // An upload answers a request of its own audience or an internal one: an internal file never
  // closes what the client was asked for (the client would see its item go for nothing).
  Status CloseRequest(const std::string& request, bool shared_upload) {
    ActionRequest* r = nullptr;
    Status s = self->requests_.Find(*rows, RequestKey(tenant, project, request), &r);
    if (!s.ok() || r == nullptr || !r->open || (r->client && !shared_upload)) return s;
    r->open = false;
    Drop("upload_document", request);
    ActionMilestone* m = nullptr;
    s = self->milestones_.Find(*rows, MilestoneKey(tenant, project, r->milestone), &m);
    if (!s.ok() || m == nullptr) return s;
    std::erase(m->open_requests, request);
    return Status::OK();
  }

  Status ApprovalRequested(const schema::ApprovalRequested& e) {
    const std::string id = S(e.approval_id());
    const std::string key = ApprovalKey(tenant, project, id);
    ActionApproval* a = nullptr;
    Status s = self->approvals_.Create(*rows, key, &a);
    if (!s.ok() || a == nullptr) return s;  // the first request with the id decides
    ActionItem item;
    item.title = Snippet(json_fields::Unchecked(e.title()), 200);
    if (const schema::Anchor* subject = e.subject()) {
      const std::string about = S(subject->id());
      if (subject->kind() == schema::AnchorKind::Milestone) item.milestone_id = about;
      if (subject->kind() == schema::AnchorKind::Card) item.card_id = about;
    }
    item.approval_id = id;
    item.due_date = S(e.due_date());
    item.client = SharedWithClient(event);
    item.assignee = S(e.requested_from());
    return Put("answer_approval", id, std::move(item));
  }

  Status ApprovalAnswered(const std::string& approval) {
    ActionApproval* a = nullptr;
    Status s = self->approvals_.Find(*rows, ApprovalKey(tenant, project, approval), &a);
    if (!s.ok() || a == nullptr || !a->pending) return s;
    a->pending = false;
    Drop("answer_approval", approval);
    return Status::OK();
  }

  // A client thread waits on the firm from a comment of the client's side until a comment of
  // the firm's. Internal threads never do: the client cannot write there.
  Status CommentPosted(const schema::CommentPosted& e) {
    if (!SharedWithClient(event)) return Status::OK();
    const std::string actor = S(event.actor());
    std::string side;
    Status s = self->members_.SideOf(*rows, tenant, actor, &side);
    if (!s.ok()) return s;
    const std::string thread = S(e.thread_id());
    if (side.empty()) {  // the firm answered
      Drop("reply_to_client", thread);
      return Status::OK();
    }
    if (side != doc->client_id) return Status::OK();  // another client's person: not a question
    ActionItem* waiting = nullptr;
    s = self->items_.Find(*rows, ItemKey(tenant, project, "reply_to_client", thread), &waiting);
    if (!s.ok()) return s;
    const std::string question = Snippet(json_fields::Unchecked(e.body()), kQuestionChars);
    if (waiting != nullptr) {  // still waiting since the first unanswered comment
      waiting->title = question;
      waiting->asked_by = actor;
      return Status::OK();
    }
    ActionItem item;
    item.title = question;
    item.thread_id = thread;
    if (const schema::Anchor* anchor = e.anchor()) {
      if (anchor->kind() == schema::AnchorKind::Milestone) item.milestone_id = S(anchor->id());
      if (anchor->kind() == schema::AnchorKind::Card) item.card_id = S(anchor->id());
    }
    item.client = false;  // for the firm only
    item.group = "firm_managers";
    item.asked_by = actor;
    return Put("reply_to_client", thread, std::move(item));
  }

  Status CardCreated(const schema::CardCreated& e) {
    const std::string board = S(e.board_id());
    if (!doc->boards.count(board)) return Status::OK();
    const std::string id = S(e.card_id());
    const std::string key = CardKey(tenant, project, id);
    ActionCard* card = nullptr;
    Status s = self->cards_.Create(*rows, key, &card);
    if (!s.ok() || card == nullptr) return s;  // the first creation decides
    *card = {board, Snippet(json_fields::Unchecked(e.title()), 200), S(e.column()),
             SharedWithClient(event)};
    return card->column == kStaged ? StagedCard(id, *card) : Status::OK();
  }

  Status CardMoved(const schema::CardMoved& e) {
    const std::string id = S(e.card_id());
    ActionCard* card = nullptr;
    Status s = self->cards_.Find(*rows, CardKey(tenant, project, id), &card);
    if (!s.ok() || card == nullptr) return s;
    card->column = S(e.to_column());
    if (card->column == kStaged) return StagedCard(id, *card);
    Drop("review_card", id);
    return Status::OK();
  }

  Status StagedCard(const std::string& id, const ActionCard& card) {
    ActionItem item;
    item.title = card.title;
    item.card_id = id;
    item.board_id = card.board;
    auto board = doc->boards.find(card.board);
    item.client =
        board != doc->boards.end() && board->second && card.shared && SharedWithClient(event);
    item.group = item.client ? "client_admins" : "project_manager";
    return Put("review_card", id, std::move(item));
  }
};

Status ActionItemsProjection::Apply(const schema::Event& event, ViewRows* rows) {
  const std::string_view stream = event.stream_id() ? event.stream_id()->string_view() : "";
  if (stream == "workspace") {
    if (event.payload_type() != Payload::MemberInvited) return Status::OK();
    return members_.Invited(*rows, S(event.tenant()), *event.payload_as_MemberInvited());
  }
  Status s = run_.Open(event, *rows);
  if (!s.ok() || run_.project().empty()) return s;
  const std::string& tenant = run_.tenant();
  const std::string& project = run_.project();
  if (event.payload_type() == Payload::ProjectCreated) {
    ActionProject* doc = nullptr;
    s = projects_.Create(*rows, run_.key(), &doc);
    if (!s.ok() || doc == nullptr) return s;  // the first creation decides
    doc->client_id = S(event.payload_as_ProjectCreated()->client_id());
    return s;
  }
  DocCache<ActionProject>::Ref& ref = run_.row();
  if (ref.doc == nullptr) return Status::OK();  // events of a project never created: nothing
  // Only a board's configuration changes the project's row; every other event reads it.
  if (event.payload_type() == Payload::WorkflowConfigured) ref.Changed();
  return Fold{this, rows, event, tenant, project, ref.doc}.Apply();
}

Status ActionItemsProjection::Flush(ViewRows* rows) {
  members_.Flush(rows);
  projects_.Flush(rows);
  milestones_.Flush(rows);
  requests_.Flush(rows);
  approvals_.Flush(rows);
  cards_.Flush(rows);
  items_.Flush(rows);
  return Status::OK();
}

void ActionItemsProjection::Forget() {
  members_.Forget();
  projects_.Forget();
  milestones_.Forget();
  requests_.Forget();
  approvals_.Forget();
  cards_.Forget();
  items_.Forget();
}

void ActionProject::Write(JsonLine* out) const {
  out->Str("client", client_id).Object("boards", [&](JsonLine& bs) {
    for (const auto& [id, shared] : boards) bs.Bool(id, shared);
  });
}

void ActionProject::FromJson(const boost::json::object& in) {
  *this = ActionProject();
  client_id = Str(in, "client");
  for (const auto& [id, v] : Obj(in, "boards"))
    boards[std::string(id)] = v.is_bool() && v.get_bool();
}

void ActionMilestone::Write(JsonLine* out) const {
  out->Bool("client", client).Bool("completed", completed).StrArray("open_requests", open_requests);
}

void ActionMilestone::FromJson(const boost::json::object& in) {
  client = Bool(in, "client");
  completed = Bool(in, "completed");
  open_requests.clear();
  for (const boost::json::value& id : Arr(in, "open_requests")) {
    if (id.is_string()) open_requests.emplace_back(id.get_string());
  }
}

void ActionCard::Write(JsonLine* out) const {
  out->Str("board", board).Str("title", title).Str("column", column);
  if (!shared) out->Bool("unshared", true);
}

void ActionCard::FromJson(const boost::json::object& in) {
  board = Str(in, "board");
  title = Str(in, "title");
  column = Str(in, "column");
  shared = !json_fields::Bool(in, "unshared");
}

}  // namespace tandem
