#include "command_context.h"

namespace tandem {

Status CheckExpectedVersion(const CommandContext& ctx, const std::string& what, uint64_t current) {
  const Command& c = ctx.command;
  if (c.expected_any) return Status::OK();
  if (!c.expected_version) {
    return Status::InvalidArgument("command.expected_version_required",
                                   std::string(CommandTypeName(c.type)) + " changes " + what +
                                       ", so it needs expected_version (currently " +
                                       std::to_string(current) + ", or \"any\")");
  }
  if (*c.expected_version != current) {
    return Status::WrongExpectedVersion(what + " is at version " + std::to_string(current) +
                                        ", but the command expected version " +
                                        std::to_string(*c.expected_version));
  }
  return Status::OK();
}

Status NotVisible(const std::string& what) {
  return Status::PermissionDenied("scope.not_visible", what + " does not exist or is not shared");
}

Status Missing(const CommandContext& ctx, const std::string& what) {
  if (ctx.client_side()) return NotVisible(what);
  return Status::NotFound(what + " does not exist");
}

schema::Audience AudienceArg(const CommandContext& ctx, const std::string& field,
                             schema::Audience fallback) {
  const std::string& v = ctx.args().Str(field);
  if (v.empty()) return fallback;
  return v == "client" ? schema::Audience::Client : schema::Audience::Internal;
}

std::string_view AudienceName(schema::Audience audience) {
  return audience == schema::Audience::Client ? "client" : "internal";
}

schema::AnchorKind AnchorKindOf(const std::string& kind) {
  if (kind == "project") return schema::AnchorKind::Project;
  if (kind == "milestone") return schema::AnchorKind::Milestone;
  if (kind == "card") return schema::AnchorKind::Card;
  if (kind == "file") return schema::AnchorKind::File;
  return schema::AnchorKind::None;
}

Status CheckCanAnswerForClient(const CommandContext& ctx, const std::string& member_id,
                               const std::string& reason) {
  const MemberState* member = ctx.workspace.FindMember(member_id);
  if (member != nullptr && member->client_id == ctx.project->client_id) {
    const schema::Role role = member->RoleOn(ctx.args().Str("project_id"));
    if (role == schema::Role::ClientAdmin || role == schema::Role::ClientMember) {
      return Status::OK();
    }
  }
  return Status::Rejected(
      reason, "'" + member_id + "' is not a client admin or member of this project's client");
}

Status ResolveAnchor(const CommandContext& ctx, const AnchorRef& anchor,
                     schema::Audience* audience) {
  const ProjectState& p = *ctx.project;
  const std::string what = anchor.kind + " '" + anchor.id + "'";
  switch (AnchorKindOf(anchor.kind)) {
    case schema::AnchorKind::Project:
      if (anchor.id != ctx.args().Str("project_id")) return Missing(ctx, what);
      *audience = schema::Audience::Client;
      break;
    case schema::AnchorKind::Milestone: {
      auto it = p.milestones.find(anchor.id);
      if (it == p.milestones.end()) return Missing(ctx, what);
      *audience = it->second.audience;
      break;
    }
    case schema::AnchorKind::Card: {
      auto it = p.cards.find(anchor.id);
      if (it == p.cards.end()) return Missing(ctx, what);
      auto board = p.boards.find(it->second.board_id);
      *audience = board != p.boards.end() ? board->second.audience : schema::Audience::Internal;
      break;
    }
    case schema::AnchorKind::File: {
      const FileState* f = p.FindFileById(anchor.id);
      if (f == nullptr) return Missing(ctx, what);
      *audience = f->audience;
      break;
    }
    default:
      return Status::InvalidArgument("command.invalid_value", "unknown anchor kind");
  }
  if (!ctx.Sees(*audience)) return NotVisible(what);
  return Status::OK();
}

}  // namespace tandem
