// What a command's decision function sees, and the helpers every decision uses. A decision
// checks the command against the loaded state and either produces the events to append or
// says why not; it never writes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "project_state.h"
#include "tandem/domain/blob_store.h"
#include "tandem/domain/command.h"
#include "tandem/domain/workspace_state.h"
#include "tandem/log/event_log.h"

namespace tandem {

using ProjectVisitor = std::function<void(const ProjectState& project)>;

struct CommandContext {
  const Command& command;
  const WorkspaceState& workspace;
  const ProjectState* project;  // set for project-scoped commands
  const MemberState& actor;
  schema::Role role;  // the actor's role where the command acts
  int64_t now_us;
  BlobStore* blobs;
  // Shows another project of the workspace to `visit`, for the few decisions that look across
  // projects (a client's logo is a file of one of its projects); a project that does not exist
  // is seen empty. Unset: such decisions refuse.
  std::function<Status(const std::string& project_id, const ProjectVisitor& visit)> read_project;
  // What the events record as their cause: the command's fingerprint (command_fingerprint.h).
  std::string causation_id;

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
  // The actor is a person of the firm: only then does the answer carry stream versions.
  bool firm_side = false;
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
  e.causation_id = ctx.causation_id;
  e.payload.Set(std::move(payload));
  decision->events.push_back(std::move(e));
}

// Checks the command's expected_version against the thing's `current` version: required
// (unless "any"), and equal.
Status CheckExpectedVersion(const CommandContext& ctx, const std::string& what, uint64_t current);
// For a command that creates its thing: a numeric expected_version must be 0, so that a caller
// who expected to change a thing it misnamed is refused instead of creating another. Not
// required. The handler checks every creation (command_spec::CreatesOnly) once it is decided;
// the commands that create their thing only when there is none (file.upload under a new name,
// board.configure of a new board, a first branding.set) check it themselves.
Status CheckExpectedNew(const CommandContext& ctx, const std::string& what);

// "milestone 'm1'": how messages name a thing of `kind`.
std::string Named(const std::string& kind, const std::string& id);
// PermissionDenied for a thing the client side may not see, worded the same whether or not
// the thing exists.
Status NotVisible(const std::string& what);
// NotFound (reason "<kind>.not_found"), or NotVisible for a client-side actor.
Status Missing(const CommandContext& ctx, const std::string& kind, const std::string& id);

// Id spaces. What a client-side member creates gets an id in its client's namespace,
// "client:<client_id>:<id>", which no firm id may take: a client's new id therefore never meets
// an internal thing's, and "already exists" only ever tells it about things it may see. Firm
// members name every thing by its full id; a client-side member may also leave out its own
// namespace (see ResolveId).
//
// The id a new thing gets: for a client-side actor, `id` in its namespace (kept as is if it is
// already there); for the firm, `id` itself, refused if it lies in a client namespace.
// InvalidArgument "id.reserved" / "id.too_long"; both depend on the command alone.
Status NewId(const CommandContext& ctx, const std::string& field, const std::string& id,
             std::string* out);
// The thing a reference names, for the actor: for the firm, `id`; for a client-side actor, `id`
// if `visible(id)` (a thing it may see holds that id), else `id` in its own namespace, whether
// or not that exists. An internal thing under `id` thus changes nothing about the answer.
std::string ResolveId(const CommandContext& ctx, const std::string& id,
                      const std::function<bool(const std::string&)>& visible);

schema::Audience AudienceArg(const CommandContext& ctx, const std::string& field,
                             schema::Audience fallback);
std::string_view AudienceName(schema::Audience audience);

// Finds what `anchor` names in the project (ResolveId), its full id and its audience;
// NotFound/NotVisible otherwise.
Status ResolveAnchor(const CommandContext& ctx, const AnchorRef& anchor, AnchorRef* resolved,
                     schema::Audience* audience);
// The audience of a card: its board's (Internal if the board is unknown).
schema::Audience CardAudience(const ProjectState& project, const CardState& card);
schema::AnchorKind AnchorKindOf(const std::string& kind);

// OK if `member_id` can answer the project's client-side requests (documents, approvals): a
// client admin or member of the project's client. Viewers only read, so they cannot. Otherwise
// Rejected with `reason`.
Status CheckCanAnswerForClient(const CommandContext& ctx, const std::string& member_id,
                               const std::string& reason);

}  // namespace tandem
