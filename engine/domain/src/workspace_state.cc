#include "workspace_state.h"

#include "fb_string.h"

namespace tandem {

using schema::Payload;

schema::Role MemberState::RoleOn(const std::string& project_id) const {
  if (!project_id.empty()) {
    if (auto it = project_roles.find(project_id); it != project_roles.end()) return it->second;
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
      clients[FbStr(e->client_id())].name = FbStr(e->name());
      break;
    }
    case Payload::MemberInvited: {
      const auto* e = event.payload_as_MemberInvited();
      MemberState& m = members[FbStr(e->member_id())];
      m.client_id = FbStr(e->client_id());
      m.role = e->role();
      m.version++;
      break;
    }
    case Payload::RoleGranted: {
      const auto* e = event.payload_as_RoleGranted();
      MemberState& m = members[FbStr(e->member_id())];
      const std::string project = FbStr(e->project_id());
      (project.empty() ? m.role : m.project_roles[project]) = e->role();
      m.version++;
      break;
    }
    case Payload::RoleRevoked: {
      const auto* e = event.payload_as_RoleRevoked();
      MemberState& m = members[FbStr(e->member_id())];
      const std::string project = FbStr(e->project_id());
      if (project.empty()) {
        m.role = schema::Role::None;
      } else {
        m.project_roles.erase(project);
      }
      m.version++;
      break;
    }
    case Payload::BrandingSet:
      clients[FbStr(event.payload_as_BrandingSet()->client_id())].branding_version++;
      break;
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
  for (const auto& [id, m] : members) n += m.role == schema::Role::Owner ? 1 : 0;
  return n;
}

}  // namespace tandem
