// Decisions about approvals: the firm asks a client-side member to approve something shared
// with the client; that member (or an admin of the same client) grants or rejects it once.
#include "command_context.h"
#include "tandem/domain/roles.h"

namespace tandem {
namespace {

using schema::Audience;
using schema::Role;

Status RequestApproval(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  if (ctx.project->approvals.count(a.Str("approval_id"))) {
    return Status::Rejected("approval.exists",
                            "approval '" + a.Str("approval_id") + "' already exists");
  }
  AnchorRef subject_ref;
  Audience subject_audience;
  Status s = ResolveAnchor(ctx, a.Anchor("subject"), &subject_ref, &subject_audience);
  if (!s.ok()) return s;
  if (subject_audience != Audience::Client) {
    return Status::Rejected("approval.subject_not_shared",
                            "the client can only approve what is shared with it");
  }
  s = CheckCanAnswerForClient(ctx, a.Str("requested_from"), "approval.requested_from_not_client");
  if (!s.ok()) return s;
  schema::ApprovalRequestedT e;
  e.project_id = a.Str("project_id");
  e.approval_id = a.Str("approval_id");
  schema::AnchorT subject;
  subject.kind = AnchorKindOf(subject_ref.kind);
  subject.id = subject_ref.id;
  e.subject = std::make_unique<schema::AnchorT>(subject);
  e.title = a.Str("title");
  e.requested_from = a.Str("requested_from");
  e.due_date = a.Str("due_date");
  Emit(ctx, Audience::Client, std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

Status AnswerApproval(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const std::string what = Named("approval", a.Str("approval_id"));
  auto it = ctx.project->approvals.find(a.Str("approval_id"));
  if (it == ctx.project->approvals.end()) return Missing(ctx, "approval", a.Str("approval_id"));
  const ApprovalState& approval = it->second;
  if (!ctx.Sees(approval.audience)) return NotVisible(what);
  if (approval.requested_from != ctx.command.actor && ctx.role != Role::ClientAdmin) {
    return Status::PermissionDenied("approval.not_requested_from_actor",
                                    what + " was requested from someone else");
  }
  Status s = CheckExpectedVersion(ctx, what, approval.version);
  if (!s.ok()) return s;
  if (approval.status != ApprovalStatus::kPending) {
    return Status::Rejected(
        "approval.already_answered",
        what + " was already " +
            (approval.status == ApprovalStatus::kGranted ? "granted" : "rejected"));
  }
  if (ctx.command.type == CommandType::kGrantApproval) {
    Emit(ctx, Audience::Client,
         schema::ApprovalGrantedT{{}, a.Str("project_id"), a.Str("approval_id"), a.Str("comment")},
         d);
  } else {
    Emit(ctx, Audience::Client,
         schema::ApprovalRejectedT{{}, a.Str("project_id"), a.Str("approval_id"), a.Str("comment")},
         d);
  }
  d->entity_version = approval.version + 1;
  return Status::OK();
}

}  // namespace

Status DecideApprovalCommand(const CommandContext& ctx, Decision* d) {
  return ctx.command.type == CommandType::kRequestApproval ? RequestApproval(ctx, d)
                                                           : AnswerApproval(ctx, d);
}

}  // namespace tandem
