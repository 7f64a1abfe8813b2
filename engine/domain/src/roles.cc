#include "tandem/domain/roles.h"

#include <array>
#include <utility>

namespace tandem {
namespace {

using schema::Role;

constexpr std::array<std::pair<Role, std::string_view>, 8> kNames{{
    {Role::None, "none"},
    {Role::Owner, "owner"},
    {Role::ProjectManager, "project_manager"},
    {Role::Staff, "staff"},
    {Role::ClientAdmin, "client_admin"},
    {Role::ClientMember, "client_member"},
    {Role::ClientViewer, "client_viewer"},
    {Role::Auditor, "auditor"},
}};

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kNames) {
    if (r == role) return name;
  }
  return "unknown";
}

bool ParseRole(std::string_view name, Role* role) {
  for (const auto& [r, n] : kNames) {
    if (n == name && r != Role::None) {
      *role = r;
      return true;
    }
  }
  return false;
}

bool IsClientRole(Role role) {
  return role == Role::ClientAdmin || role == Role::ClientMember || role == Role::ClientViewer;
}

bool IsInternalRole(Role role) {
  return role == Role::Owner || role == Role::ProjectManager || role == Role::Staff ||
         role == Role::Auditor;
}

}  // namespace tandem
