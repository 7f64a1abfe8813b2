#include "command_context.h"

#include <string_view>

#include "command_spec.h"

namespace tandem {

using schema::Audience;

namespace {

constexpr std::string_view kClientNamespace = "client:";
using command_spec::kMaxIdBytes;  // the command parser's limit, for namespaced ids too

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// "client:<client_id>:", the namespace of a client-side actor's ids.
std::string NamespaceOf(const CommandContext& ctx) {
  return std::string(kClientNamespace) + ctx.actor.client_id + ":";
}

std::string InNamespace(const CommandContext& ctx, const std::string& id) {
  const std::string ns = NamespaceOf(ctx);
  return StartsWith(id, ns) ? id : ns + id;
}

Status VersionMismatch(const std::string& state, const Command& c) {
  return Status::WrongExpectedVersion(
      "command.expected_version_mismatch",
      state + ", but the command expected version " + std::to_string(*c.expected_version));
}

}  // namespace

Status NewId(const CommandContext& ctx, const std::string& field, const std::string& id,
             std::string* out) {
  if (!ctx.client_side()) {
    if (StartsWith(id, kClientNamespace)) {
      return Status::InvalidArgument("id.reserved", "field '" + field + "': ids beginning with '" +
                                                        std::string(kClientNamespace) +
                                                        "' are those clients create");
    }
    *out = id;
    return Status::OK();
  }
  *out = InNamespace(ctx, id);
  if (out->size() > kMaxIdBytes) {
    return Status::InvalidArgument("id.too_long", "field '" + field + "' becomes '" + *out +
                                                      "', longer than " +
                                                      std::to_string(kMaxIdBytes) + " bytes");
  }
  return Status::OK();
}

std::string ResolveId(const CommandContext& ctx, const std::string& id,
                      const std::function<bool(const std::string&)>& visible) {
  if (!ctx.client_side() || visible(id)) return id;
  return InNamespace(ctx, id);
}

Audience CardAudience(const ProjectState& project, const CardState& card) {
  auto board = project.boards.find(card.board_id);
  return board == project.boards.end() ? Audience::Internal : board->second.audience;
}

Status CheckExpectedVersion(const CommandContext& ctx, const std::string& what, uint64_t current) {
  const Command& c = ctx.command;
  if (c.expected_any) return Status::OK();
  if (!c.expected_version) {
    return Status::InvalidArgument("command.expected_version_required",
                                   std::string(CommandTypeName(c.type)) + " changes " + what +
                                       ", so it needs expected_version (currently " +
                                       std::to_string(current) + ", or \"any\")");
  }
  if (*c.expected_version != current)
    return VersionMismatch(what + " is at version " + std::to_string(current), c);
  return Status::OK();
}

Status CheckExpectedNew(const CommandContext& ctx, const std::string& what) {
  const Command& c = ctx.command;
  if (c.expected_any || !c.expected_version || *c.expected_version == 0) return Status::OK();
  return VersionMismatch(what + " does not exist yet (version 0)", c);
}

Status NotVisible(const std::string& what) {
  return Status::PermissionDenied("scope.not_visible", what + " does not exist or is not shared");
}

std::string Named(const std::string& kind, const std::string& id) { return kind + " '" + id + "'"; }

Status Missing(const CommandContext& ctx, const std::string& kind, const std::string& id) {
  const std::string what = Named(kind, id);
  if (ctx.client_side()) return NotVisible(what);
  std::string reason = kind;
  for (char& c : reason) c = c == ' ' ? '_' : c;
  return Status::NotFound(reason + ".not_found", what + " does not exist");
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

Status ResolveAnchor(const CommandContext& ctx, const AnchorRef& anchor, AnchorRef* resolved,
                     Audience* audience) {
  const ProjectState& p = *ctx.project;
  // The audience of the thing `id` names, if one does.
  std::function<bool(const std::string&, Audience*)> find;
  switch (AnchorKindOf(anchor.kind)) {
    case schema::AnchorKind::Project:
      find = [&](const std::string& id, Audience* a) {
        *a = Audience::Client;
        return id == ctx.args().Str("project_id");
      };
      break;
    case schema::AnchorKind::Milestone:
      find = [&](const std::string& id, Audience* a) {
        auto it = p.milestones.find(id);
        if (it != p.milestones.end()) *a = it->second.audience;
        return it != p.milestones.end();
      };
      break;
    case schema::AnchorKind::Card:
      find = [&](const std::string& id, Audience* a) {
        auto it = p.cards.find(id);
        if (it != p.cards.end()) *a = CardAudience(p, it->second);
        return it != p.cards.end();
      };
      break;
    case schema::AnchorKind::File:
      find = [&](const std::string& id, Audience* a) {
        const FileState* f = p.FindFileById(id);
        if (f != nullptr) *a = f->audience;
        return f != nullptr;
      };
      break;
    default:
      return Status::InvalidArgument("command.invalid_value", "unknown anchor kind");
  }
  resolved->kind = anchor.kind;
  resolved->id = ResolveId(ctx, anchor.id, [&](const std::string& id) {
    Audience a;
    return find(id, &a) && ctx.Sees(a);
  });
  if (!find(resolved->id, audience)) return Missing(ctx, anchor.kind, anchor.id);
  if (!ctx.Sees(*audience)) return NotVisible(Named(anchor.kind, anchor.id));
  return Status::OK();
}

}  // namespace tandem
