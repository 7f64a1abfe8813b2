#include "command_spec.h"

namespace tandem::command_spec {
namespace {

constexpr bool kReq = true;
constexpr bool kOpt = false;
using K = FieldKind;
using S = CommandScope;

const FieldSpec kProject{"project_id", K::kId, kReq};
const FieldSpec kMilestone{"milestone_id", K::kId, kReq};

std::vector<CommandSpec> BuildSpecs() {
  using T = CommandType;
  return {
      {T::kCreateWorkspace, "workspace.create", S::kWorkspace, {{"name", K::kName, kReq}}},
      {T::kAddClient,
       "client.add",
       S::kWorkspace,
       {{"client_id", K::kId, kReq}, {"name", K::kName, kReq}}},
      {T::kInviteMember,
       "member.invite",
       S::kWorkspace,
       {{"member_id", K::kId, kReq},
        {"email", K::kEmail, kReq},
        {"display_name", K::kName, kReq},
        {"role", K::kRole, kReq},
        {"client_id", K::kId, kOpt}}},
      {T::kGrantRole,
       "role.grant",
       S::kWorkspace,
       {{"member_id", K::kId, kReq}, {"role", K::kRole, kReq}, {"project_id", K::kId, kOpt}}},
      {T::kRevokeRole,
       "role.revoke",
       S::kWorkspace,
       {{"member_id", K::kId, kReq}, {"role", K::kRole, kReq}, {"project_id", K::kId, kOpt}}},
      {T::kSetBranding,
       "branding.set",
       S::kWorkspace,
       {{"client_id", K::kId, kReq},
        {"display_name", K::kName, kReq},
        {"primary_color", K::kColor, kOpt},
        {"secondary_color", K::kColor, kOpt},
        {"logo_file_id", K::kId, kOpt}}},
      {T::kCreateProject,
       "project.create",
       S::kProject,
       {kProject,
        {"client_id", K::kId, kReq},
        {"name", K::kName, kReq},
        {"description", K::kText, kOpt}}},
      {T::kPlanMilestone,
       "milestone.plan",
       S::kProject,
       {kProject,
        kMilestone,
        {"title", K::kName, kReq},
        {"planned_date", K::kDate, kReq},
        {"description", K::kText, kOpt},
        {"audience", K::kAudience, kOpt}}},
      {T::kStartMilestone, "milestone.start", S::kProject, {kProject, kMilestone}},
      {T::kRescheduleMilestone,
       "milestone.reschedule",
       S::kProject,
       {kProject, kMilestone, {"new_date", K::kDate, kReq}, {"reason", K::kText, kReq}}},
      {T::kCompleteMilestone,
       "milestone.complete",
       S::kProject,
       {kProject, kMilestone, {"completed_date", K::kDate, kReq}, {"note", K::kText, kOpt}}},
      {T::kBlockMilestone,
       "milestone.block",
       S::kProject,
       {kProject, kMilestone, {"reason", K::kText, kReq}}},
      {T::kUnblockMilestone,
       "milestone.unblock",
       S::kProject,
       {kProject, kMilestone, {"reason", K::kText, kReq}}},
      {T::kRequestDocument,
       "document.request",
       S::kProject,
       {kProject,
        kMilestone,
        {"request_id", K::kId, kReq},
        {"title", K::kName, kReq},
        {"description", K::kText, kOpt},
        {"requested_from", K::kId, kOpt},
        {"due_date", K::kDate, kOpt},
        {"audience", K::kAudience, kOpt}}},
      {T::kUploadFile,
       "file.upload",
       S::kProject,
       {kProject,
        {"name", K::kName, kReq},
        {"content_base64", K::kContent, kReq},
        {"content_type", K::kName, kOpt},
        {"file_id", K::kId, kOpt},
        {"anchor", K::kAnchor, kOpt},
        {"request_id", K::kId, kOpt},
        {"audience", K::kAudience, kOpt}}},
      {T::kPostComment,
       "comment.post",
       S::kProject,
       {kProject,
        {"thread_id", K::kId, kReq},
        {"comment_id", K::kId, kReq},
        {"body", K::kText, kReq},
        {"anchor", K::kAnchor, kOpt},
        {"audience", K::kAudience, kOpt},
        {"reply_to", K::kId, kOpt}}},
      {T::kConfigureBoard,
       "board.configure",
       S::kProject,
       {kProject,
        {"board_id", K::kId, kReq},
        {"name", K::kName, kReq},
        {"audience", K::kAudience, kOpt},
        {"columns", K::kColumns, kOpt}}},
      {T::kCreateCard,
       "card.create",
       S::kProject,
       {kProject,
        {"board_id", K::kId, kReq},
        {"card_id", K::kId, kReq},
        {"title", K::kName, kReq},
        {"column", K::kName, kOpt},
        {"description", K::kText, kOpt}}},
      {T::kMoveCard,
       "card.move",
       S::kProject,
       {kProject, {"card_id", K::kId, kReq}, {"to_column", K::kName, kReq}}},
      {T::kLinkCards,
       "card.link",
       S::kProject,
       {kProject,
        {"card_id", K::kId, kReq},
        {"linked_card_id", K::kId, kReq},
        {"relation", K::kId, kOpt}}},
      {T::kRequestApproval,
       "approval.request",
       S::kProject,
       {kProject,
        {"approval_id", K::kId, kReq},
        {"subject", K::kAnchor, kReq},
        {"title", K::kName, kReq},
        {"requested_from", K::kId, kReq},
        {"due_date", K::kDate, kOpt}}},
      {T::kGrantApproval,
       "approval.grant",
       S::kProject,
       {kProject, {"approval_id", K::kId, kReq}, {"comment", K::kText, kOpt}}},
      {T::kRejectApproval,
       "approval.reject",
       S::kProject,
       {kProject, {"approval_id", K::kId, kReq}, {"comment", K::kText, kReq}}},
      {T::kIssueReportLink,
       "report_link.issue",
       S::kProject,
       {kProject,
        {"link_id", K::kId, kReq},
        {"report", K::kId, kReq},
        {"expires_at_us", K::kInstant, kReq},
        {"token_sha256", K::kSha256, kReq},
        {"audience", K::kAudience, kOpt}}},
      {T::kRevokeReportLink,
       "report_link.revoke",
       S::kProject,
       {kProject, {"link_id", K::kId, kReq}, {"reason", K::kText, kOpt}}},
  };
}

}  // namespace

const std::vector<CommandSpec>& AllSpecs() {
  static const std::vector<CommandSpec> specs = BuildSpecs();
  return specs;
}

const CommandSpec& SpecOf(CommandType type) { return AllSpecs()[static_cast<size_t>(type)]; }

bool CreatesOnly(CommandType type) {
  switch (type) {
    case CommandType::kCreateWorkspace:
    case CommandType::kAddClient:
    case CommandType::kInviteMember:
    case CommandType::kCreateProject:
    case CommandType::kPlanMilestone:
    case CommandType::kRequestDocument:
    case CommandType::kPostComment:
    case CommandType::kCreateCard:
    case CommandType::kRequestApproval:
    case CommandType::kIssueReportLink:
      return true;
    default:
      return false;
  }
}

}  // namespace tandem::command_spec

namespace tandem {

const std::vector<CommandType>& AllCommandTypes() {
  static const std::vector<CommandType> types = [] {
    std::vector<CommandType> out;
    for (const auto& spec : command_spec::AllSpecs()) out.push_back(spec.type);
    return out;
  }();
  return types;
}

std::string_view CommandTypeName(CommandType type) { return command_spec::SpecOf(type).name; }

bool ParseCommandType(std::string_view name, CommandType* type) {
  for (const auto& spec : command_spec::AllSpecs()) {
    if (spec.name == name) {
      *type = spec.type;
      return true;
    }
  }
  return false;
}

CommandScope ScopeOf(CommandType type) { return command_spec::SpecOf(type).scope; }

uint64_t MaxCommandBytes(CommandType type, const CommandLimits& limits) {
  if (type == CommandType::kUploadFile) {
    return (limits.max_file_bytes + 2) / 3 * 4 + 64 * 1024;
  }
  return 6 * static_cast<uint64_t>(limits.max_text_bytes) + 32 * 1024;
}

}  // namespace tandem
