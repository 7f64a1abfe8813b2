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

bool MemberNamedBy(const schema::Event& event, EventText text, std::string* member) {
  switch (event.payload_type()) {
    case Payload::MemberInvited:
      *member = text(event.payload_as_MemberInvited()->member_id());
      return true;
    case Payload::RoleGranted:
      *member = text(event.payload_as_RoleGranted()->member_id());
      return true;
    case Payload::RoleRevoked:
      *member = text(event.payload_as_RoleRevoked()->member_id());
      return true;
    default:
      return false;
  }
}

void MemberState::Apply(const schema::Event& event, EventText text) {
  switch (event.payload_type()) {
    case Payload::MemberInvited: {
      if (invited()) break;  // invited once: a second invitation cannot move a person
      const auto* e = event.payload_as_MemberInvited();
      client_id = text(e->client_id());
      role = e->role();
      version = 1;
      break;
    }
    case Payload::RoleGranted: {
      if (!invited()) break;
      const auto* e = event.payload_as_RoleGranted();
      const std::string project = text(e->project_id());
      (project.empty() ? role : project_roles[project]) = e->role();
      version++;
      break;
    }
    case Payload::RoleRevoked: {
      if (!invited()) break;
      const std::string project = text(event.payload_as_RoleRevoked()->project_id());
      if (project.empty()) {
        role = schema::Role::None;
        project_roles.clear();
      } else {
        project_roles.erase(project);
      }
      version++;
      break;
    }
    default:
      break;
  }
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
    case Payload::MemberInvited:
    case Payload::RoleGranted:
    case Payload::RoleRevoked: {
      std::string id;
      MemberNamedBy(event, FbStr, &id);
      if (auto it = members.find(id); it != members.end()) {
        it->second.Apply(event, FbStr);
        break;
      }
      MemberState m;
      m.Apply(event, FbStr);
      if (m.invited()) members.emplace(std::move(id), std::move(m));
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
