#include "report_facts_projection.h"

#include <algorithm>

#include "directory_projection.h"
#include "json_fields.h"
#include "tandem/basics/calendar.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Bool;
using json_fields::Int;
using json_fields::Obj;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

std::string FactKey(const std::string& tenant, const std::string& project, std::string_view kind,
                    std::string_view id) {
  return ViewKey({tenant, "f", project, kind, id});
}
std::string ThreadKey(const std::string& tenant, const std::string& project, std::string_view id) {
  return ViewKey({tenant, "h", project, "t", id});
}
std::string BoardKey(const std::string& tenant, const std::string& project, std::string_view id) {
  return ViewKey({tenant, "h", project, "b", id});
}

// Days a reschedule moved a date (0 when either is not a date: nothing to measure).
int64_t DaysMoved(const std::string& from, const std::string& to) {
  int64_t a = 0, b = 0;
  return ParseIsoDate(from, &a) && ParseIsoDate(to, &b) ? b - a : 0;
}

// A new fact under `key` if none is there yet: the first creation decides.
template <class Doc>
Status Create(DocCache<Doc>* cache, const RowReader& rows, const std::string& key, Doc** doc) {
  *doc = nullptr;
  const Doc* existing = nullptr;
  Status s = cache->Peek(rows, key, &existing);
  if (!s.ok() || existing != nullptr) return s;
  return cache->Get(rows, key, doc);
}

}  // namespace

std::string FactPrefix(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, "f", project});
}

void CardFact::Write(JsonLine* out) const {
  out->Bool("client", client)
      .Str("board", board)
      .Str("column", column)
      .Int("created_at_us", created_at_us)
      .Int("entered_at_us", entered_at_us)
      .Object("columns", [&](JsonLine& cols) {
        for (const auto& [name, t] : columns) {
          cols.Object(name, [&](JsonLine& c) { c.Int("us", t.us).UInt("stays", t.stays); });
        }
      });
}
void CardFact::FromJson(const boost::json::object& in) {
  client = Bool(in, "client");
  board = Str(in, "board");
  column = Str(in, "column");
  created_at_us = Int(in, "created_at_us");
  entered_at_us = Int(in, "entered_at_us");
  columns.clear();
  for (const auto& [name, v] : Obj(in, "columns")) {
    if (!v.is_object()) continue;
    columns[std::string(name)] = {Int(v.get_object(), "us"),
                                  static_cast<uint64_t>(Int(v.get_object(), "stays"))};
  }
}

Status ReportFactsProjection::ApplyWorkspace(const schema::Event& event, const std::string& tenant,
                                             ViewRows* rows) {
  if (event.payload_type() != Payload::MemberInvited) return Status::OK();
  return members_.Invited(*rows, tenant, *event.payload_as_MemberInvited());
}

Status ReportFactsProjection::ApplyComment(const schema::Event& event, const std::string& tenant,
                                           const std::string& project, ViewRows* rows) {
  const auto* e = event.payload_as_CommentPosted();
  const std::string thread_id = S(e->thread_id());
  const bool client = SharedWithClient(event);
  FactsThread* thread = nullptr;
  Status s = threads_.Find(*rows, ThreadKey(tenant, project, thread_id), &thread);
  if (!s.ok()) return s;
  if (thread == nullptr) {
    s = threads_.Get(*rows, ThreadKey(tenant, project, thread_id), &thread);
    if (!s.ok()) return s;
    thread->client = client;
  } else if (thread->client != client) {
    return Status::OK();  // a comment is as visible as its thread, or not part of it
  }
  if (!thread->client) return Status::OK();  // questions are asked in client threads only
  std::string actor_client;
  s = members_.SideOf(*rows, tenant, S(event.actor()), &actor_client);
  if (!s.ok()) return s;
  const bool client_side = !actor_client.empty();
  const int64_t at = event.recorded_at_us();
  if (client_side) {
    if (!thread->waiting_question.empty()) return Status::OK();  // joins the waiting question
    QuestionFact* q = nullptr;
    const std::string comment_id = S(e->comment_id());
    s = Create(&questions_, *rows, FactKey(tenant, project, fact_kind::kQuestion, comment_id), &q);
    if (!s.ok() || q == nullptr) return s;
    q->thread = thread_id;
    q->asked_at_us = at;
    thread->waiting_question = comment_id;
    return Status::OK();
  }
  if (thread->waiting_question.empty()) return Status::OK();
  QuestionFact* q = nullptr;
  s = questions_.Find(*rows,
                      FactKey(tenant, project, fact_kind::kQuestion, thread->waiting_question), &q);
  if (!s.ok()) return s;
  if (q != nullptr && q->answered_at_us == 0) q->answered_at_us = at;
  thread->waiting_question.clear();
  return Status::OK();
}

Status ReportFactsProjection::ApplyCard(const schema::Event& event, const std::string& tenant,
                                        const std::string& project, ViewRows* rows) {
  const int64_t at = event.recorded_at_us();
  if (event.payload_type() == Payload::WorkflowConfigured) {
    const auto* e = event.payload_as_WorkflowConfigured();
    FactsBoard* board = nullptr;
    const std::string key = BoardKey(tenant, project, S(e->board_id()));
    Status s = boards_.Find(*rows, key, &board);
    if (!s.ok()) return s;
    if (board == nullptr) {
      s = boards_.Get(*rows, key, &board);
      if (!s.ok()) return s;
      board->client = SharedWithClient(event);
    } else {
      board->client = board->client && SharedWithClient(event);  // a board can only narrow
    }
    return Status::OK();
  }
  if (event.payload_type() == Payload::CardCreated) {
    const auto* e = event.payload_as_CardCreated();
    const FactsBoard* board = nullptr;
    Status s = boards_.Peek(*rows, BoardKey(tenant, project, S(e->board_id())), &board);
    if (!s.ok() || board == nullptr) return s;
    CardFact* card = nullptr;
    s = Create(&cards_, *rows, FactKey(tenant, project, fact_kind::kCard, S(e->card_id())), &card);
    if (!s.ok() || card == nullptr) return s;
    card->client = board->client && SharedWithClient(event);
    card->board = S(e->board_id());
    card->column = S(e->column());
    card->created_at_us = card->entered_at_us = at;
    return Status::OK();
  }
  const auto* e = event.payload_as_CardMoved();
  CardFact* card = nullptr;
  Status s = cards_.Find(*rows, FactKey(tenant, project, fact_kind::kCard, S(e->card_id())), &card);
  if (!s.ok() || card == nullptr) return s;
  ColumnTime& stay = card->columns[card->column];  // where the fold knows it was
  stay.us += at - card->entered_at_us;
  stay.stays++;
  card->column = S(e->to_column());
  card->entered_at_us = at;
  return Status::OK();
}

Status ReportFactsProjection::Apply(const schema::Event& event, ViewRows* rows) {
  if (!Admits(curation_, event)) return Status::OK();
  const std::string_view stream = event.stream_id() ? event.stream_id()->string_view() : "";
  if (stream == "workspace") return ApplyWorkspace(event, S(event.tenant()), rows);
  Status s = run_.Open(event, *rows);
  if (!s.ok() || run_.project().empty()) return s;
  const std::string& tenant = run_.tenant();
  const std::string& project = run_.project();
  if (event.payload_type() == Payload::ProjectCreated) {
    FactsProject* p = nullptr;
    s = Create(&projects_, *rows, run_.key(), &p);
    if (s.ok() && p != nullptr) p->client_id = S(event.payload_as_ProjectCreated()->client_id());
    return s;
  }
  // Events of a project never created change nothing.
  if (run_.row().doc == nullptr) return Status::OK();
  const bool client = SharedWithClient(event);
  const int64_t at = event.recorded_at_us();
  auto fact = [&](std::string_view kind, const flatbuffers::String* id) {
    return FactKey(tenant, project, kind, S(id));
  };
  switch (event.payload_type()) {
    case Payload::MilestonePlanned: {
      const auto* e = event.payload_as_MilestonePlanned();
      MilestoneFact* m = nullptr;
      s = Create(&milestones_, *rows, fact(fact_kind::kMilestone, e->milestone_id()), &m);
      if (!s.ok() || m == nullptr) return s;
      m->client = client;
      m->original_date = m->current_date = S(e->planned_date());
      return Status::OK();
    }
    case Payload::MilestoneRescheduled:
    case Payload::MilestoneCompleted:
    case Payload::MilestoneBlocked:
    case Payload::MilestoneUnblocked: {
      const flatbuffers::String* id = event.payload_type() == Payload::MilestoneRescheduled
                                          ? event.payload_as_MilestoneRescheduled()->milestone_id()
                                      : event.payload_type() == Payload::MilestoneCompleted
                                          ? event.payload_as_MilestoneCompleted()->milestone_id()
                                      : event.payload_type() == Payload::MilestoneBlocked
                                          ? event.payload_as_MilestoneBlocked()->milestone_id()
                                          : event.payload_as_MilestoneUnblocked()->milestone_id();
      MilestoneFact* m = nullptr;
      s = milestones_.Find(*rows, fact(fact_kind::kMilestone, id), &m);
      if (!s.ok() || m == nullptr) return s;
      if (event.payload_type() == Payload::MilestoneRescheduled) {
        const std::string to = S(event.payload_as_MilestoneRescheduled()->new_date());
        m->slips++;
        m->slip_days += DaysMoved(m->current_date, to);
        m->current_date = to;
      } else if (event.payload_type() == Payload::MilestoneCompleted) {
        m->completed = true;
        m->completed_date = S(event.payload_as_MilestoneCompleted()->completed_date());
      } else if (event.payload_type() == Payload::MilestoneBlocked) {
        if (m->blocked_since_us == 0) m->blocked_since_us = at;
      } else if (m->blocked_since_us != 0) {
        m->blocked_us += std::max<int64_t>(0, at - m->blocked_since_us);
        m->blocked_since_us = 0;
      }
      return Status::OK();
    }
    case Payload::DocumentRequested: {
      const auto* e = event.payload_as_DocumentRequested();
      // A request on no milestone of the view (written past the domain's rules) is no fact, as
      // the timelines and action items drop it; on an internal milestone it is no client fact.
      const MilestoneFact* m = nullptr;
      s = milestones_.Peek(*rows, fact(fact_kind::kMilestone, e->milestone_id()), &m);
      if (!s.ok() || m == nullptr) return s;
      const bool shared = client && m->client;
      RequestFact* r = nullptr;
      s = Create(&requests_, *rows, fact(fact_kind::kRequest, e->request_id()), &r);
      if (!s.ok() || r == nullptr) return s;
      r->client = shared;
      r->milestone = S(e->milestone_id());
      r->requested_at_us = at;
      r->due_date = S(e->due_date());
      return Status::OK();
    }
    case Payload::FileUploaded: {
      const auto* e = event.payload_as_FileUploaded();
      if (e->request_id() == nullptr || e->request_id()->size() == 0) return Status::OK();
      RequestFact* r = nullptr;
      s = requests_.Find(*rows, fact(fact_kind::kRequest, e->request_id()), &r);
      if (!s.ok() || r == nullptr) return s;
      if (r->fulfilled_at_us == 0 && (client || !r->client)) r->fulfilled_at_us = at;
      return Status::OK();
    }
    case Payload::ApprovalRequested: {
      const auto* e = event.payload_as_ApprovalRequested();
      ApprovalFact* a = nullptr;
      s = Create(&approvals_, *rows, fact(fact_kind::kApproval, e->approval_id()), &a);
      if (!s.ok() || a == nullptr) return s;
      a->client = client;
      a->requested_at_us = at;
      a->due_date = S(e->due_date());
      return Status::OK();
    }
    case Payload::ApprovalGranted:
    case Payload::ApprovalRejected: {
      const bool granted = event.payload_type() == Payload::ApprovalGranted;
      const flatbuffers::String* id = granted ? event.payload_as_ApprovalGranted()->approval_id()
                                              : event.payload_as_ApprovalRejected()->approval_id();
      ApprovalFact* a = nullptr;
      s = approvals_.Find(*rows, fact(fact_kind::kApproval, id), &a);
      if (!s.ok() || a == nullptr || a->answered_at_us != 0) return s;
      a->answered_at_us = at;
      a->outcome = granted ? "granted" : "rejected";
      return Status::OK();
    }
    case Payload::CommentPosted:
      return ApplyComment(event, tenant, project, rows);
    case Payload::WorkflowConfigured:
    case Payload::CardCreated:
    case Payload::CardMoved:
      return ApplyCard(event, tenant, project, rows);
    default:
      return Status::OK();
  }
}

Status ReportFactsProjection::Flush(ViewRows* rows) {
  milestones_.Flush(rows);
  requests_.Flush(rows);
  approvals_.Flush(rows);
  questions_.Flush(rows);
  cards_.Flush(rows);
  members_.Flush(rows);
  threads_.Flush(rows);
  boards_.Flush(rows);
  projects_.Flush(rows);
  return Status::OK();
}

void ReportFactsProjection::Forget() {
  milestones_.Forget();
  requests_.Forget();
  approvals_.Forget();
  questions_.Forget();
  cards_.Forget();
  members_.Forget();
  threads_.Forget();
  boards_.Forget();
  projects_.Forget();
}

}  // namespace tandem
