// Decisions about the workspace itself: clients, people and their roles, branding, projects.
#include "command_context.h"
#include "tandem/domain/roles.h"

namespace tandem {
namespace {

using schema::Audience;
using schema::Role;

Audience AudienceOfMember(const std::string& client_id) {
  return client_id.empty() ? Audience::Internal : Audience::Client;
}

// Managers and client admins below the owner may only hand out client-side roles, and a client
// admin only to people of its own client.
Status CheckRoleAuthority(const CommandContext& ctx, Role role, const std::string& client_id) {
  if (ctx.role == Role::Owner) return Status::OK();
  if (!IsClientRole(role)) {
    return Status::PermissionDenied(
        "role.internal_role_needs_owner",
        "only an owner may give the role " + std::string(RoleName(role)));
  }
  if (ctx.client_side() && client_id != ctx.actor.client_id) {
    return NotVisible("client '" + client_id + "'");
  }
  return Status::OK();
}

// A client-side role goes with a client, an internal one with none.
Status CheckRoleFitsSide(Role role, const std::string& client_id) {
  if (IsClientRole(role) && client_id.empty()) {
    return Status::Rejected("member.client_required",
                            "the role " + std::string(RoleName(role)) + " needs a client_id");
  }
  if (!IsClientRole(role) && !client_id.empty()) {
    return Status::Rejected(
        "member.client_not_allowed",
        "the role " + std::string(RoleName(role)) + " belongs to the firm, not to a client");
  }
  return Status::OK();
}

Status CreateWorkspace(const CommandContext& ctx, Decision* d) {
  if (ctx.workspace.exists) {
    return Status::Rejected("workspace.exists",
                            "workspace '" + ctx.command.workspace + "' already exists");
  }
  schema::WorkspaceCreatedT created;
  created.workspace_id = ctx.command.workspace;
  created.name = ctx.args().Str("name");
  Emit(ctx, Audience::Internal, std::move(created), d);
  // The creator becomes the first owner.
  schema::MemberInvitedT owner;
  owner.member_id = ctx.command.actor;
  owner.display_name = ctx.command.actor;
  owner.role = Role::Owner;
  Emit(ctx, Audience::Internal, std::move(owner), d);
  d->entity_version = 1;
  return Status::OK();
}

Status AddClient(const CommandContext& ctx, Decision* d) {
  const std::string& id = ctx.args().Str("client_id");
  // ':' ends a client's name in the ids of its namespace, "client:<client_id>:<id>".
  if (id.find(':') != std::string::npos) {
    return Status::InvalidArgument("client.invalid_id", "a client id may not contain ':'");
  }
  if (ctx.workspace.clients.count(id)) {
    return Status::Rejected("client.exists", "client '" + id + "' already exists");
  }
  schema::ClientAddedT e;
  e.client_id = id;
  e.name = ctx.args().Str("name");
  Emit(ctx, Audience::Internal, std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

Status InviteMember(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  Role role;
  ParseRole(a.Str("role"), &role);
  const std::string& client_id = a.Str("client_id");
  Status s = CheckRoleAuthority(ctx, role, client_id);
  if (s.ok()) s = CheckRoleFitsSide(role, client_id);
  if (!s.ok()) return s;
  if (!client_id.empty() && !ctx.workspace.clients.count(client_id)) {
    return Status::NotFound("client.not_found", Named("client", client_id) + " does not exist");
  }
  std::string member_id;
  s = NewId(ctx, "member_id", a.Str("member_id"), &member_id);
  if (!s.ok()) return s;
  if (ctx.workspace.FindMember(member_id) != nullptr) {
    return Status::Rejected("member.exists", Named("member", member_id) + " already exists");
  }
  schema::MemberInvitedT e;
  e.member_id = member_id;
  e.email = a.Str("email");
  e.display_name = a.Str("display_name");
  e.client_id = client_id;
  e.role = role;
  Emit(ctx, AudienceOfMember(client_id), std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

// A role change: the member's full id, its state and the role.
struct RoleChange {
  std::string member_id;
  const MemberState* member = nullptr;
  Role role = Role::None;
};

// Shared by grant and revoke: the target member, the authority over the role, and the project.
Status CheckRoleChange(const CommandContext& ctx, RoleChange* change) {
  const CommandArgs& a = ctx.args();
  const std::string what = Named("member", a.Str("member_id"));
  change->member_id = ResolveId(ctx, a.Str("member_id"), [&](const std::string& id) {
    const MemberState* m = ctx.workspace.FindMember(id);
    return m != nullptr && m->client_id == ctx.actor.client_id;
  });
  const MemberState* member = ctx.workspace.FindMember(change->member_id);
  if (member == nullptr) return Missing(ctx, "member", a.Str("member_id"));
  if (ctx.client_side() && member->client_id != ctx.actor.client_id) return NotVisible(what);
  change->member = member;
  ParseRole(a.Str("role"), &change->role);
  Status s = CheckRoleAuthority(ctx, change->role, member->client_id);
  if (s.ok()) s = CheckRoleFitsSide(change->role, member->client_id);
  if (!s.ok()) return s;
  if (a.Has("project_id")) {
    const std::string project = Named("project", a.Str("project_id"));
    if (ctx.project == nullptr || !ctx.project->exists) {
      return Missing(ctx, "project", a.Str("project_id"));
    }
    if (!member->client_id.empty() && ctx.project->client_id != member->client_id) {
      return Status::Rejected("role.other_client_project",
                              what + " belongs to another client than " + project);
    }
  }
  return CheckExpectedVersion(ctx, what, member->version);
}

// Whether taking the workspace role away from `member` would leave no owner.
bool RemovesLastOwner(const CommandContext& ctx, const MemberState& member) {
  return !ctx.args().Has("project_id") && member.role == Role::Owner &&
         ctx.workspace.OwnerCount() == 1;
}

// Emits a RoleGranted or RoleRevoked, unless it would leave the workspace without an owner
// (`drops_owner`: the change takes the Owner role away from the member if it has it).
template <typename RoleChangeT>
Status EmitRoleChange(const CommandContext& ctx, const RoleChange& change, bool drops_owner,
                      Decision* d) {
  if (drops_owner && RemovesLastOwner(ctx, *change.member)) {
    return Status::Rejected("member.last_owner", "the workspace would be left without an owner");
  }
  RoleChangeT e;
  e.member_id = change.member_id;
  e.role = change.role;
  e.project_id = ctx.args().Str("project_id");
  Emit(ctx, AudienceOfMember(change.member->client_id), std::move(e), d);
  d->entity_version = change.member->version + 1;
  return Status::OK();
}

Status GrantRole(const CommandContext& ctx, Decision* d) {
  RoleChange change;
  Status s = CheckRoleChange(ctx, &change);
  if (!s.ok()) return s;
  const MemberState* member = change.member;
  const Role role = change.role;
  const std::string& project = ctx.args().Str("project_id");
  // A project role only refines a workspace role: without one, a member can do nothing.
  if (!project.empty() && member->RoleOn("") == Role::None) {
    return Status::Rejected("role.needs_workspace_role",
                            Named("member", ctx.args().Str("member_id")) +
                                " has no role in the workspace; grant one first");
  }
  if (member->RoleOn(project) == role &&
      (project.empty() || member->project_roles.count(project))) {
    return Status::Rejected("role.already_held", Named("member", ctx.args().Str("member_id")) +
                                                     " already has the role " +
                                                     std::string(RoleName(role)));
  }
  return EmitRoleChange<schema::RoleGrantedT>(ctx, change, role != Role::Owner, d);
}

Status RevokeRole(const CommandContext& ctx, Decision* d) {
  RoleChange change;
  Status s = CheckRoleChange(ctx, &change);
  if (!s.ok()) return s;
  const MemberState* member = change.member;
  const Role role = change.role;
  const std::string& project = ctx.args().Str("project_id");
  const bool held = project.empty() ? member->role == role
                                    : member->project_roles.count(project) &&
                                          member->project_roles.at(project) == role;
  if (!held) {
    return Status::Rejected("role.not_held", "member '" + ctx.args().Str("member_id") +
                                                 "' does not have the role " +
                                                 std::string(RoleName(role)) +
                                                 (project.empty() ? "" : " on " + project));
  }
  return EmitRoleChange<schema::RoleRevokedT>(ctx, change, true, d);
}

// The logo a client's branding shows is seen by that client, so it must be a file shared with
// it: `logo_file_id` is "<project_id>:<file_id>", a client-shared file of one of its projects.
// (A project id may itself contain ':'; the shortest prefix naming a project of the client
// counts.)
Status CheckLogo(const CommandContext& ctx, const std::string& client_id, std::string* logo) {
  const std::string& named = ctx.args().Str("logo_file_id");
  *logo = named;
  if (!ctx.read_project) {
    return Status::Rejected("branding.logo_unavailable", "logos cannot be checked here");
  }
  for (size_t colon = named.find(':'); colon != std::string::npos;
       colon = named.find(':', colon + 1)) {
    const std::string project_id = named.substr(0, colon);
    bool in_project = false;
    Status found;
    Status s = ctx.read_project(project_id, [&](const ProjectState& project) {
      if (!project.exists || project.client_id != client_id) return;
      in_project = true;
      const std::string given = named.substr(colon + 1);
      const std::string file_id = ResolveId(ctx, given, [&](const std::string& id) {
        const FileState* f = project.FindFileById(id);
        return f != nullptr && f->audience == Audience::Client;
      });
      const FileState* file = project.FindFileById(file_id);
      if (file == nullptr) {
        found = Missing(ctx, "file", named);
      } else if (file->audience != Audience::Client) {
        found = ctx.client_side() ? NotVisible(Named("file", named))
                                  : Status::Rejected("branding.logo_not_shared",
                                                     Named("file", named) +
                                                         " is internal; share it with the client "
                                                         "before using it as the logo");
      } else {
        *logo = project_id + ":" + file_id;
      }
    });
    if (!s.ok()) return s;
    if (in_project) return found;
  }
  return Missing(ctx, "file", named);
}

Status SetBranding(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const std::string what = Named("client", a.Str("client_id"));
  auto client = ctx.workspace.clients.find(a.Str("client_id"));
  if (client == ctx.workspace.clients.end()) return Missing(ctx, "client", a.Str("client_id"));
  if (ctx.client_side() && a.Str("client_id") != ctx.actor.client_id) return NotVisible(what);
  std::string logo;
  if (a.Has("logo_file_id")) {
    Status s = CheckLogo(ctx, a.Str("client_id"), &logo);
    if (!s.ok()) return s;
  }
  const std::string branding = "the branding of " + what;
  Status s = client->second.branding_version > 0
                 ? CheckExpectedVersion(ctx, branding, client->second.branding_version)
                 : CheckExpectedNew(ctx, branding);
  if (!s.ok()) return s;
  schema::BrandingSetT e;
  e.client_id = a.Str("client_id");
  e.display_name = a.Str("display_name");
  e.primary_color = a.Str("primary_color");
  e.secondary_color = a.Str("secondary_color");
  e.logo_file_id = logo;
  Emit(ctx, Audience::Client, std::move(e), d);
  d->entity_version = client->second.branding_version + 1;
  return Status::OK();
}

Status CreateProject(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  if (!ctx.workspace.clients.count(a.Str("client_id"))) {
    return Status::NotFound("client.not_found",
                            Named("client", a.Str("client_id")) + " does not exist");
  }
  if (ctx.project->exists) {
    return Status::Rejected("project.exists",
                            "project '" + a.Str("project_id") + "' already exists");
  }
  schema::ProjectCreatedT e;
  e.project_id = a.Str("project_id");
  e.client_id = a.Str("client_id");
  e.name = a.Str("name");
  e.description = a.Str("description");
  Emit(ctx, Audience::Client, std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

}  // namespace

Status DecideWorkspaceCommand(const CommandContext& ctx, Decision* d) {
  switch (ctx.command.type) {
    case CommandType::kCreateWorkspace:
      return CreateWorkspace(ctx, d);
    case CommandType::kAddClient:
      return AddClient(ctx, d);
    case CommandType::kInviteMember:
      return InviteMember(ctx, d);
    case CommandType::kGrantRole:
      return GrantRole(ctx, d);
    case CommandType::kRevokeRole:
      return RevokeRole(ctx, d);
    case CommandType::kSetBranding:
      return SetBranding(ctx, d);
    case CommandType::kCreateProject:
      return CreateProject(ctx, d);
    default:
      return Status::InvalidArgument("command.unexpected_type", "not a workspace command");
  }
}

}  // namespace tandem
