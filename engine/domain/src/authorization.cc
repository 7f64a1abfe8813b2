#include "tandem/domain/authorization.h"

#include <array>
#include <utility>

namespace tandem {
namespace {

using R = schema::Role;
using T = CommandType;

// Bit per role, indexed by schema::Role's value.
constexpr uint32_t Bit(R r) { return 1u << static_cast<int>(r); }
constexpr uint32_t kOwner = Bit(R::Owner);
constexpr uint32_t kPm = Bit(R::ProjectManager);
constexpr uint32_t kStaff = Bit(R::Staff);
constexpr uint32_t kClientAdmin = Bit(R::ClientAdmin);
constexpr uint32_t kClientMember = Bit(R::ClientMember);
constexpr uint32_t kManagers = kOwner | kPm;
constexpr uint32_t kTeam = kOwner | kPm | kStaff;
constexpr uint32_t kClientWriters = kClientAdmin | kClientMember;

constexpr std::array<std::pair<T, uint32_t>, 25> kTable{{
    {T::kCreateWorkspace, ~0u},
    {T::kAddClient, kOwner},
    {T::kInviteMember, kManagers | kClientAdmin},
    {T::kGrantRole, kManagers | kClientAdmin},
    {T::kRevokeRole, kManagers | kClientAdmin},
    {T::kSetBranding, kManagers | kClientAdmin},
    {T::kCreateProject, kManagers},
    {T::kPlanMilestone, kManagers},
    {T::kStartMilestone, kTeam},
    {T::kRescheduleMilestone, kManagers},
    {T::kCompleteMilestone, kManagers},
    {T::kBlockMilestone, kTeam},
    {T::kUnblockMilestone, kTeam},
    {T::kRequestDocument, kTeam},
    {T::kUploadFile, kTeam | kClientWriters},
    {T::kPostComment, kTeam | kClientWriters},
    {T::kConfigureBoard, kManagers},
    {T::kCreateCard, kTeam | kClientWriters},
    {T::kMoveCard, kTeam},
    {T::kLinkCards, kTeam},
    {T::kRequestApproval, kManagers},
    {T::kGrantApproval, kClientWriters},
    {T::kRejectApproval, kClientWriters},
    {T::kIssueReportLink, kManagers | kClientAdmin},
    {T::kRevokeReportLink, kManagers | kClientAdmin},
}};

}  // namespace

bool RoleMayIssue(CommandType type, schema::Role role) {
  if (role == R::None) return type == T::kCreateWorkspace;
  for (const auto& [t, roles] : kTable) {
    if (t == type) return (roles & Bit(role)) != 0;
  }
  return false;
}

}  // namespace tandem
