// Decisions about the timeline: milestones and their state machine, document requests.
//
//   planned ──start──► in progress ──complete──► completed
//   block/unblock (with a reason) on anything not completed; a blocked milestone neither starts
//   nor completes. Reschedule (new date + reason) until completed; every slip is an event.
#include "command_context.h"

namespace tandem {
namespace {

using schema::Audience;
using schema::Role;

Status Refuse(const char* reason, const std::string& milestone, const std::string& why) {
  return Status::Rejected(reason, "milestone '" + milestone + "' " + why);
}

// The milestone the command names, visible to the actor and at the expected version.
Status LoadMilestone(const CommandContext& ctx, const MilestoneState** milestone) {
  const std::string& id = ctx.args().Str("milestone_id");
  const std::string what = "milestone '" + id + "'";
  auto it = ctx.project->milestones.find(id);
  if (it == ctx.project->milestones.end()) return Missing(ctx, "milestone", id);
  if (!ctx.Sees(it->second.audience)) return NotVisible(what);
  *milestone = &it->second;
  return Status::OK();
}

Status PlanMilestone(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  if (ctx.project->milestones.count(a.Str("milestone_id"))) {
    return Refuse("milestone.exists", a.Str("milestone_id"), "already exists");
  }
  schema::MilestonePlannedT e;
  e.project_id = a.Str("project_id");
  e.milestone_id = a.Str("milestone_id");
  e.title = a.Str("title");
  e.planned_date = a.Str("planned_date");
  e.description = a.Str("description");
  // The timeline is what clients come for: milestones are shared unless marked internal.
  Emit(ctx, AudienceArg(ctx, "audience", Audience::Client), std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

// The state-machine check of a change to an existing milestone.
Status CheckTransition(CommandType type, const std::string& id, const MilestoneState& m) {
  const bool completed = m.status == MilestoneStatus::kCompleted;
  switch (type) {
    case CommandType::kStartMilestone:
      if (m.status != MilestoneStatus::kPlanned) {
        return Refuse(completed ? "milestone.already_completed" : "milestone.already_started", id,
                      completed ? "is already completed" : "is already in progress");
      }
      if (m.blocked) return Refuse("milestone.blocked", id, "is blocked; unblock it first");
      return Status::OK();
    case CommandType::kCompleteMilestone:
      if (completed) return Refuse("milestone.already_completed", id, "is already completed");
      if (m.status == MilestoneStatus::kPlanned) {
        return Refuse("milestone.not_started", id, "has not been started");
      }
      if (m.blocked) return Refuse("milestone.blocked", id, "is blocked; unblock it first");
      return Status::OK();
    case CommandType::kBlockMilestone:
      if (completed) return Refuse("milestone.already_completed", id, "is already completed");
      if (m.blocked) return Refuse("milestone.already_blocked", id, "is already blocked");
      return Status::OK();
    case CommandType::kUnblockMilestone:
      if (!m.blocked) return Refuse("milestone.not_blocked", id, "is not blocked");
      return Status::OK();
    case CommandType::kRescheduleMilestone:
      if (completed) return Refuse("milestone.already_completed", id, "is already completed");
      return Status::OK();
    default:
      return Status::InvalidArgument("command.unexpected_type", "not a milestone change");
  }
}

Status ChangeMilestone(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const MilestoneState* m;
  Status s = LoadMilestone(ctx, &m);
  if (s.ok())
    s = CheckExpectedVersion(ctx, "milestone '" + a.Str("milestone_id") + "'", m->version);
  if (s.ok()) s = CheckTransition(ctx.command.type, a.Str("milestone_id"), *m);
  if (!s.ok()) return s;
  const std::string& project = a.Str("project_id");
  const std::string& id = a.Str("milestone_id");
  switch (ctx.command.type) {
    case CommandType::kStartMilestone:
      Emit(ctx, m->audience, schema::MilestoneStartedT{{}, project, id}, d);
      break;
    case CommandType::kCompleteMilestone: {
      schema::MilestoneCompletedT e;
      e.project_id = project;
      e.milestone_id = id;
      e.completed_date = a.Str("completed_date");
      e.note = a.Str("note");
      Emit(ctx, m->audience, std::move(e), d);
      break;
    }
    case CommandType::kBlockMilestone:
      Emit(ctx, m->audience, schema::MilestoneBlockedT{{}, project, id, a.Str("reason")}, d);
      break;
    case CommandType::kUnblockMilestone:
      Emit(ctx, m->audience, schema::MilestoneUnblockedT{{}, project, id, a.Str("reason")}, d);
      break;
    default: {
      if (a.Str("new_date") == m->planned_date) {
        return Refuse("milestone.same_date", id, "is already planned for " + m->planned_date);
      }
      schema::MilestoneRescheduledT e;
      e.project_id = project;
      e.milestone_id = id;
      e.old_date = m->planned_date;
      e.new_date = a.Str("new_date");
      e.reason = a.Str("reason");
      Emit(ctx, m->audience, std::move(e), d);
    }
  }
  d->entity_version = m->version + 1;
  return Status::OK();
}

// Whether `member_id` is one of the firm's people who can upload on the project: whom an
// internal request may be asked of.
Status CheckCanAnswerForFirm(const CommandContext& ctx, const std::string& member_id) {
  const MemberState* member = ctx.workspace.FindMember(member_id);
  if (member != nullptr && member->client_id.empty()) {
    const Role role = member->RoleOn(ctx.args().Str("project_id"));
    if (role == Role::Owner || role == Role::ProjectManager || role == Role::Staff) {
      return Status::OK();
    }
  }
  return Status::Rejected("document.requested_from_not_firm",
                          "'" + member_id + "' is not one of the firm's people on this project");
}

// A request is the client's (asked of the client, on a shared milestone, seen by the client)
// unless it names the internal audience (asked of the firm's people, seen by the firm only).
// Internal requests are asked for explicitly, so that a request meant for the client is never
// turned into an internal one by landing on an internal milestone.
Status RequestDocument(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const MilestoneState* m;
  Status s = LoadMilestone(ctx, &m);
  if (!s.ok()) return s;
  const Audience audience = AudienceArg(ctx, "audience", Audience::Client);
  if (audience == Audience::Client && m->audience != Audience::Client) {
    return Refuse("document.internal_milestone", a.Str("milestone_id"),
                  "is internal; documents are requested from the client on shared milestones "
                  "(an internal request names \"audience\": \"internal\")");
  }
  if (ctx.project->requests.count(a.Str("request_id"))) {
    return Status::Rejected("document.request_exists",
                            "document request '" + a.Str("request_id") + "' already exists");
  }
  if (a.Has("requested_from")) {
    s = audience == Audience::Client ? CheckCanAnswerForClient(ctx, a.Str("requested_from"),
                                                               "document.requested_from_not_client")
                                     : CheckCanAnswerForFirm(ctx, a.Str("requested_from"));
    if (!s.ok()) return s;
  }
  schema::DocumentRequestedT e;
  e.project_id = a.Str("project_id");
  e.milestone_id = a.Str("milestone_id");
  e.request_id = a.Str("request_id");
  e.title = a.Str("title");
  e.description = a.Str("description");
  e.requested_from = a.Str("requested_from");
  e.due_date = a.Str("due_date");
  Emit(ctx, audience, std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

}  // namespace

Status DecideTimelineCommand(const CommandContext& ctx, Decision* d) {
  switch (ctx.command.type) {
    case CommandType::kPlanMilestone:
      return PlanMilestone(ctx, d);
    case CommandType::kRequestDocument:
      return RequestDocument(ctx, d);
    default:
      return ChangeMilestone(ctx, d);
  }
}

}  // namespace tandem
