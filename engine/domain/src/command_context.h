// What a command's decision function sees, and the helpers every decision uses. A decision
// checks the command against the loaded state and either produces the events to append or
// says why not; it never writes.
#pragma once

#include <string>
#include <vector>

#include "project_state.h"
#include "tandem/domain/blob_store.h"
#include "tandem/domain/command.h"
#include "tandem/log/event_log.h"
#include "workspace_state.h"

namespace tandem {

struct CommandContext {
  const Command& command;
  const WorkspaceState& workspace;
  const ProjectState* project;  // set for project-scoped commands
  const MemberState& actor;
  schema::Role role;  // the actor's role where the command acts
  int64_t now_us;
  BlobStore* blobs;

  const CommandArgs& args() const { return command.args; }
  bool client_side() const { return !actor.client_id.empty(); }
  // Whether the actor may see something of this audience in the project.
  bool Sees(schema::Audience audience) const {
    return !client_side() || audience == schema::Audience::Client;
  }
};

struct Decision {
  std::vector<NewEvent> events;
  uint64_t entity_version = 0;
};

using Decider = Status (*)(const CommandContext& ctx, Decision* decision);

// The decision function of each command, grouped by subject.
Status DecideWorkspaceCommand(const CommandContext& ctx, Decision* decision);
Status DecideTimelineCommand(const CommandContext& ctx, Decision* decision);
Status DecideContentCommand(const CommandContext& ctx, Decision* decision);
Status DecideBoardCommand(const CommandContext& ctx, Decision* decision);
Status DecideApprovalCommand(const CommandContext& ctx, Decision* decision);
Status DecideReportLinkCommand(const CommandContext& ctx, Decision* decision);

// Appends an event of `audience` carrying `payload` to the decision.
template <typename PayloadT>
void Emit(const CommandContext& ctx, schema::Audience audience, PayloadT payload,
          Decision* decision) {
  NewEvent e;
  e.actor = ctx.command.actor;
  e.audience = audience;
  e.correlation_id = ctx.command.command_id;
  e.causation_id = ctx.command.command_id;
  e.payload.Set(std::move(payload));
  decision->events.push_back(std::move(e));
}

// Checks the command's expected_version against the thing's `current` version: required
// (unless "any"), and equal.
Status CheckExpectedVersion(const CommandContext& ctx, const std::string& what, uint64_t current);

// PermissionDenied for a thing the client side may not see, worded the same whether or not
// the thing exists.
Status NotVisible(const std::string& what);
// NotFound, or NotVisible for a client-side actor.
Status Missing(const CommandContext& ctx, const std::string& what);

schema::Audience AudienceArg(const CommandContext& ctx, const std::string& field,
                             schema::Audience fallback);
std::string_view AudienceName(schema::Audience audience);

// Finds what `anchor` names in the project and its audience; NotFound/NotVisible otherwise.
Status ResolveAnchor(const CommandContext& ctx, const AnchorRef& anchor,
                     schema::Audience* audience);
schema::AnchorKind AnchorKindOf(const std::string& kind);

// OK if `member_id` can answer the project's client-side requests (documents, approvals): a
// client admin or member of the project's client. Viewers only read, so they cannot. Otherwise
// Rejected with `reason`.
Status CheckCanAnswerForClient(const CommandContext& ctx, const std::string& member_id,
                               const std::string& reason);

}  // namespace tandem
