#include "tandem/domain/workspace_state.h"

#include "fb_string.h"
#include "tandem/domain/roles.h"

namespace tandem {

using schema::Payload;

namespace {

// Whether `role` is one a member of this side (client_id empty: the firm) can hold.
bool FitsSide(schema::Role role, const std::string& client_id) {
  return client_id.empty() ? IsInternalRole(role) : IsClientRole(role);
}

}  // namespace

schema::Role MemberState::RoleOn(const std::string& project_id) const {
  if (!FitsSide(role, client_id)) return schema::Role::None;
  if (!project_id.empty()) {
    if (auto it = project_roles.find(project_id); it != project_roles.end()) {
      return FitsSide(it->second, client_id) ? it->second : schema::Role::None;
    }
  }
  return role;
}

void WorkspaceState::Apply(const schema::Event& event) {
  stream_version = event.stream_version();
  switch (event.payload_type()) {
    case Payload::WorkspaceCreated:
      exists = true;
      name = FbStr(event.payload_as_WorkspaceCreated()->name());
      break;
    case Payload::ClientAdded: {
      const auto* e = event.payload_as_ClientAdded();
      clients.try_emplace(FbStr(e->client_id())).first->second.name = FbStr(e->name());
      break;
    }
    case Payload::MemberInvited: {
      const auto* e = event.payload_as_MemberInvited();
      auto [it, added] = members.try_emplace(FbStr(e->member_id()));
      if (!added) break;  // invited once: a second invitation cannot move a person
      it->second.client_id = FbStr(e->client_id());
      it->second.role = e->role();
      it->second.version = 1;
      break;
    }
    case Payload::RoleGranted: {
      const auto* e = event.payload_as_RoleGranted();
      auto it = members.find(FbStr(e->member_id()));
      if (it == members.end()) break;
      MemberState& m = it->second;
      const std::string project = FbStr(e->project_id());
      (project.empty() ? m.role : m.project_roles[project]) = e->role();
      m.version++;
      break;
    }
    case Payload::RoleRevoked: {
      const auto* e = event.payload_as_RoleRevoked();
      auto it = members.find(FbStr(e->member_id()));
      if (it == members.end()) break;
      MemberState& m = it->second;
      const std::string project = FbStr(e->project_id());
      if (project.empty()) {
        m.role = schema::Role::None;
        m.project_roles.clear();
      } else {
        m.project_roles.erase(project);
      }
      m.version++;
      break;
    }
    case Payload::BrandingSet: {
      auto it = clients.find(FbStr(event.payload_as_BrandingSet()->client_id()));
      if (it != clients.end()) it->second.branding_version++;
      break;
    }
    default:
      break;
  }
}

const MemberState* WorkspaceState::FindMember(const std::string& id) const {
  auto it = members.find(id);
  return it == members.end() ? nullptr : &it->second;
}

int WorkspaceState::OwnerCount() const {
  int n = 0;
  for (const auto& [id, m] : members) n += m.RoleOn("") == schema::Role::Owner ? 1 : 0;
  return n;
}

}  // namespace tandem
