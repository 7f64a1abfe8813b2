// Member roles: names as commands spell them, and which side of the firm/client line each is on.
#pragma once

#include <string_view>

#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

// "owner", "project_manager", "staff", "client_admin", "client_member", "client_viewer",
// "auditor"; "none" for Role::None.
std::string_view RoleName(schema::Role role);
// Accepts the RoleName forms except "none".
bool ParseRole(std::string_view name, schema::Role* role);

// Client admin, member and viewer: people of a client organisation.
bool IsClientRole(schema::Role role);
// Owner, project manager, staff and auditor: people of the firm.
bool IsInternalRole(schema::Role role);

}  // namespace tandem
