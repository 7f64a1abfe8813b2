#include "tandem/domain/client_visibility.h"

#include "fb_string.h"

namespace tandem {

using schema::Payload;

std::string ClientVisibility::ClientOf(const schema::Event& event) const {
  auto lookup = [](const std::map<std::string, std::string>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? std::string() : it->second;
  };
  switch (event.payload_type()) {
    case Payload::MemberInvited:
      return FbStr(event.payload_as_MemberInvited()->client_id());
    case Payload::RoleGranted:
      return lookup(member_clients_, FbStr(event.payload_as_RoleGranted()->member_id()));
    case Payload::RoleRevoked:
      return lookup(member_clients_, FbStr(event.payload_as_RoleRevoked()->member_id()));
    case Payload::BrandingSet:
      return FbStr(event.payload_as_BrandingSet()->client_id());
    case Payload::WorkspaceCreated:
    case Payload::ClientAdded:
      return "";
    default: {
      // Every other event belongs to a project stream, whose first event names the client.
      const std::string stream = FbStr(event.stream_id());
      return lookup(project_clients_, stream);
    }
  }
}

bool SharedWithClient(const schema::Event& event) {
  if (event.audience() != schema::Audience::Client) return false;
  constexpr auto kClient = schema::Audience::Client;
  switch (event.payload_type()) {
    case Payload::CommentPosted:
      return event.payload_as_CommentPosted()->thread_audience() == kClient;
    case Payload::WorkflowConfigured:
      return event.payload_as_WorkflowConfigured()->board_audience() == kClient;
    case Payload::ReportLinkIssued:
      return event.payload_as_ReportLinkIssued()->audience() == kClient;
    default:
      return true;
  }
}

bool ClientVisibility::Observe(const schema::Event& event) {
  // The first creation decides (as in the command handler's folds): a second one, written past
  // the rules, cannot hand a project or a person to another client.
  if (event.payload_type() == Payload::ProjectCreated) {
    project_clients_.try_emplace(FbStr(event.stream_id()),
                                 FbStr(event.payload_as_ProjectCreated()->client_id()));
  } else if (event.payload_type() == Payload::MemberInvited) {
    const auto* e = event.payload_as_MemberInvited();
    member_clients_.try_emplace(FbStr(e->member_id()), FbStr(e->client_id()));
  }
  if (!SharedWithClient(event)) return false;
  return !client_id_.empty() && ClientOf(event) == client_id_;
}

}  // namespace tandem
