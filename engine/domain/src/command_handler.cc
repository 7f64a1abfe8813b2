#include "tandem/domain/command_handler.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "command_context.h"
#include "command_fingerprint.h"
#include "command_metrics.h"
#include "command_spec.h"
#include "stream_state_cache.h"
#include "tandem/basics/clock.h"
#include "tandem/basics/logger.h"
#include "tandem/domain/authorization.h"
#include "tandem/domain/roles.h"

namespace tandem {

StreamId WorkspaceStream(const std::string& workspace) { return {workspace, "workspace"}; }

StreamId ProjectStream(const std::string& workspace, const std::string& project_id) {
  return {workspace, "project:" + project_id};
}

namespace {

// Attempts of one command when a stream it read changes between its decision and its append.
constexpr int kMaxAttempts = 4;
// Past kMaxAttempts a command keeps deciding again while this time lasts, with a short random
// pause before each try: a project command conflicts with every change to its workspace, and
// one client's busy admin must not make the firm's commands on another project fail.
constexpr std::chrono::milliseconds kContentionBudget{3000};

Decider DeciderFor(CommandType type) {
  switch (type) {
    case CommandType::kCreateWorkspace:
    case CommandType::kAddClient:
    case CommandType::kInviteMember:
    case CommandType::kGrantRole:
    case CommandType::kRevokeRole:
    case CommandType::kSetBranding:
    case CommandType::kCreateProject:
      return DecideWorkspaceCommand;
    case CommandType::kUploadFile:
    case CommandType::kPostComment:
      return DecideContentCommand;
    case CommandType::kConfigureBoard:
    case CommandType::kCreateCard:
    case CommandType::kMoveCard:
    case CommandType::kLinkCards:
      return DecideBoardCommand;
    case CommandType::kRequestApproval:
    case CommandType::kGrantApproval:
    case CommandType::kRejectApproval:
      return DecideApprovalCommand;
    case CommandType::kIssueReportLink:
    case CommandType::kRevokeReportLink:
      return DecideReportLinkCommand;
    default:
      return DecideTimelineCommand;
  }
}

// A command id belongs to its actor: the log's idempotency key carries both ('/' occurs in
// neither), so one actor's id never finds, answers or blocks another's command.
std::string IdempotencyKeyOf(const Command& command) {
  // Length-prefixed, so no (actor, id) pair can spell another's key whatever the ids hold.
  return std::to_string(command.actor.size()) + ":" + command.actor + "/" + command.command_id;
}

// One command across its attempts: the log's idempotency key (its actor and id) and what the
// command says (its fingerprint).
struct CommandIdentity {
  std::string key;
  std::string fingerprint;
};

// Whether the events written first under this command id are another command's: each records
// the fingerprint of the command that wrote it as its cause. (Events of earlier versions record
// the command id itself, and cannot tell: they are taken as the same command.)
bool WrittenByAnotherCommand(const std::vector<RecordedEvent>& events, const Command& command,
                             const CommandIdentity& id) {
  if (events.empty()) return false;
  const flatbuffers::String* cause = events.front().event().causation_id();
  const std::string_view written = cause == nullptr ? std::string_view() : cause->string_view();
  return written != command.command_id && written != id.fingerprint;
}

Status IdReused(const Command& command) {
  // Names no stream or project: the id's first use may be none of the caller's business.
  return Status::InvalidArgument(
      "command.id_reused",
      "command id '" + command.command_id + "' was already used by another command; use a new id");
}

class CommandHandlerImpl : public CommandHandler {
 public:
  CommandHandlerImpl(const CommandHandlerOptions& options, EventLog* log, BlobStore* blobs)
      : options_(options),
        log_(log),
        blobs_(blobs),
        metrics_(options.metrics),
        workspaces_(options.max_cached_streams),
        projects_(options.max_cached_streams) {
    if (!options_.now_us) options_.now_us = SystemNowMicros;
  }

  Status Execute(const Command& command, CommandResult* result) override {
    *result = CommandResult();
    const auto start = std::chrono::steady_clock::now();
    Status s = Handle(command, result);
    metrics_.Executed(
        command.type, s, result->deduplicated,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    const std::string what = "type=" + std::string(CommandTypeName(command.type)) +
                             " command_id=" + command.command_id +
                             " workspace=" + command.workspace + " actor=" + command.actor;
    if (s.ok()) {
      LogDebug("command", "executed " + what + " events=" + std::to_string(result->events.size()) +
                              (result->deduplicated ? " deduplicated" : ""));
    } else {
      LogInfo("command", "refused " + what + " reason=" + s.reason() + " error=" + s.ToString());
    }
    return s;
  }

  Status ExecuteJson(std::string_view json, CommandResult* result) override {
    *result = CommandResult();
    Command command;
    Status s = ParseCommand(json, options_.limits, &command);
    if (!s.ok()) return s;
    return Execute(command, result);
  }

 private:
  using WorkspaceEntry = SharedState<WorkspaceState>;
  using ProjectEntry = ExclusiveState<ProjectState>;

  Status Handle(const Command& command, CommandResult* result) {
    const bool workspace_scoped = ScopeOf(command.type) == CommandScope::kWorkspace;
    const StreamId workspace_stream = WorkspaceStream(command.workspace);
    // A workspace command may name a project too (a role granted on one project).
    const std::string& project_id = command.args.Str("project_id");
    const StreamId project_stream = ProjectStream(command.workspace, project_id);
    result->stream = workspace_scoped ? workspace_stream : project_stream;
    const CommandIdentity id{IdempotencyKeyOf(command), CommandFingerprint(command)};
    std::shared_ptr<WorkspaceEntry> workspace = workspaces_.Pin(workspace_stream.ToString());
    std::shared_ptr<ProjectEntry> project;
    if (!project_id.empty()) project = projects_.Pin(project_stream.ToString());
    Status s;
    {
      // Commands on one stream are decided one at a time in this process, so they do not race
      // each other to the append; other streams proceed in parallel, and project commands read
      // their workspace as a shared snapshot. Locks are taken workspace first.
      std::unique_lock<std::mutex> workspace_lock;
      if (workspace_scoped) workspace_lock = std::unique_lock<std::mutex>(workspace->command_mu());
      std::unique_lock<std::mutex> project_lock;
      if (project != nullptr) project_lock = std::unique_lock<std::mutex>(project->mu);
      // Under the stream's lock, so that a retry racing its first attempt in this process finds
      // it committed rather than deciding again against the state it produced.
      s = AnswerRetry(command, id, *workspace, result);
      if (s.IsNotFound()) {
        s = DecideAndAppend(command, id, workspace.get(), project.get(), result);
        if (!s.ok() && !s.IsIOError() && !s.IsCorruption()) {
          // Refused on current states: the first attempt of a retry may have committed
          // meanwhile through another handler on the log, and is then the answer.
          Status retry = AnswerRetry(command, id, *workspace, result);
          if (!retry.IsNotFound()) s = retry;
        }
      }
      if (project != nullptr) {
        const bool exists = project->state.stream_version > 0;
        project_lock.unlock();
        projects_.Release(project_stream.ToString(), project, exists);
      }
    }
    workspaces_.Release(workspace_stream.ToString(), workspace, workspace->ExistsInLog());
    return s;
  }

  // Decides the command on the workspace's and the project's states and appends its events,
  // conditioned on the versions of the states it was decided on.
  Status DecideAndAppend(const Command& command, const CommandIdentity& id,
                         WorkspaceEntry* workspace, ProjectEntry* project, CommandResult* result) {
    const bool workspace_scoped = ScopeOf(command.type) == CommandScope::kWorkspace;
    const StreamId workspace_stream = WorkspaceStream(command.workspace);
    const StreamId project_stream =
        ProjectStream(command.workspace, command.args.Str("project_id"));
    Status s;
    // Cached states are decided on as they are: the append is conditioned on the versions they
    // are at, so a writer that got in first (another handler on the same log) shows up as a
    // conflict. States are caught up with the log when first loaded, after a conflict, and
    // before a refusal is given, so that a refusal is never based on a stale state.
    bool current = false;
    const auto give_up_at = std::chrono::steady_clock::now() + kContentionBudget;
    for (int attempt = 0;; attempt++) {
      if (attempt >= kMaxAttempts) {
        if (std::chrono::steady_clock::now() >= give_up_at) break;
        BackOff();
      }
      std::shared_ptr<const WorkspaceState> ws;
      const bool cached =
          attempt == 0 && workspace->Cached(&ws) && (project == nullptr || project->loaded);
      if (!cached) {
        s = workspace->Current(log_, workspace_stream, &ws);
        if (!s.ok()) return s;
        if (project != nullptr) {
          s = CatchUp(log_, project_stream, &project->state);
          if (!s.ok()) return s;
          project->loaded = true;
        }
        current = true;
      }
      Decision decision;
      s = Decide(command, id.fingerprint, *ws, project == nullptr ? nullptr : &project->state,
                 &decision);
      if (!s.ok() && !current) continue;
      if (!s.ok()) return s;
      // The command commits only if what it was decided and authorised on still stands: the
      // stream it writes at the version read, and the other stream it read (a project
      // command's workspace, so that no revocation gets in between) unchanged.
      const uint64_t project_version = project == nullptr ? 0 : project->state.stream_version;
      std::vector<AppendCondition> conditions;
      if (!workspace_scoped) {
        conditions.push_back({workspace_stream, ExpectedVersion::Exact(ws->stream_version)});
      } else if (project != nullptr) {
        conditions.push_back({project_stream, ExpectedVersion::Exact(project_version)});
      }
      const uint64_t stream_version = workspace_scoped ? ws->stream_version : project_version;
      AppendResult appended;
      s = log_->AppendIf(conditions, result->stream, ExpectedVersion::Exact(stream_version),
                         decision.events, id.key, &appended);
      if (s.IsWrongExpectedVersion()) continue;  // something it read changed: decide again
      if (s.reason() == "idempotency.key_reused") return IdReused(command);
      if (!s.ok()) return s;
      result->deduplicated = appended.deduplicated;
      result->entity_version = appended.deduplicated ? 0 : decision.entity_version;
      result->firm_side = decision.firm_side;
      s = ReadBack(appended, &result->events);
      if (s.ok() && appended.deduplicated && WrittenByAnotherCommand(result->events, command, id)) {
        result->events.clear();
        result->deduplicated = false;
        result->entity_version = 0;
        return IdReused(command);  // raced a first attempt that was another command
      }
      if (!s.ok() || appended.deduplicated) return s;
      if (workspace_scoped) {
        // The next command of the workspace authorises against what this one changed.
        return workspace->Current(log_, workspace_stream, &ws);
      }
      for (const auto& e : result->events) {
        // Only the next versions: anything else is left for the next catch-up.
        if (e.stream_version() == project->state.stream_version + 1) {
          project->state.Apply(e.event());
        }
      }
      return s;
    }
    // Names nothing: the changes may have been another client's.
    return Status::WrongExpectedVersion(
        "command.contended",
        "what this command depends on kept changing while it was decided; retry");
  }

  static void BackOff() {
    thread_local std::minstd_rand random(std::random_device{}());
    std::this_thread::sleep_for(std::chrono::microseconds(50 + random() % 1000));
  }

  // A command id this actor committed before: answer with what it wrote, provided it went to
  // the same stream. NotFound when the id is new.
  Status AnswerRetry(const Command& command, const CommandIdentity& id, WorkspaceEntry& workspace,
                     CommandResult* result) {
    std::string stream_name;
    AppendResult first;
    Status s = log_->FindIdempotentAppend(command.workspace, id.key, &stream_name, &first);
    if (!s.ok()) return s;
    if (stream_name != result->stream.name) return IdReused(command);
    s = ReadBack(first, &result->events);
    if (!s.ok()) return s;
    if (WrittenByAnotherCommand(result->events, command, id)) {
      result->events.clear();
      return IdReused(command);
    }
    result->deduplicated = true;
    // Only the firm sees stream versions in an answer; the actor's side decides, as it did for
    // the first attempt.
    std::shared_ptr<const WorkspaceState> ws;
    s = workspace.Current(log_, WorkspaceStream(command.workspace), &ws);
    const MemberState* actor = s.ok() ? ws->FindMember(command.actor) : nullptr;
    result->firm_side = actor != nullptr && actor->client_id.empty();
    return s;
  }

  Status ReadBack(const AppendResult& appended, std::vector<RecordedEvent>* events) {
    events->clear();
    for (uint64_t p = appended.first_position; p <= appended.last_position; p++) {
      RecordedEvent e;
      Status s = log_->Get(p, &e);
      if (!s.ok()) return s;
      events->push_back(std::move(e));
    }
    return Status::OK();
  }

  // Checks who may, against the workspace, and lets the command decide on the states it
  // read; `project` is set when the command names a project.
  Status Decide(const Command& command, const std::string& fingerprint,
                const WorkspaceState& workspace, const ProjectState* project, Decision* decision) {
    const bool creating = command.type == CommandType::kCreateWorkspace;
    const MemberState* actor = workspace.FindMember(command.actor);
    static const MemberState kNewcomer;
    if (creating) {
      actor = &kNewcomer;
    } else if (!workspace.exists || actor == nullptr) {
      // The same answer whether or not the workspace exists: outsiders learn nothing.
      return Status::PermissionDenied(
          "actor.not_member",
          "'" + command.actor + "' is not a member of workspace '" + command.workspace + "'");
    }
    const std::string& project_id = command.args.Str("project_id");
    const schema::Role role = actor->RoleOn(project_id);
    if (!RoleMayIssue(command.type, role)) {
      return Status::PermissionDenied(
          "role.forbidden", "the role " + std::string(RoleName(role)) + " of '" + command.actor +
                                "' may not " + std::string(CommandTypeName(command.type)));
    }
    if (project != nullptr) {
      Status s = CheckProjectScope(command, *actor, *project);
      if (!s.ok()) return s;
    }
    CommandContext ctx{command,
                       workspace,
                       project,
                       *actor,
                       role,
                       options_.now_us(),
                       blobs_,
                       [&](const std::string& id, const ProjectVisitor& visit) {
                         return ReadProject(command.workspace, id, project_id, project, visit);
                       },
                       fingerprint};
    decision->firm_side = !ctx.client_side();
    Status s = DeciderFor(command.type)(ctx, decision);
    // After the decision: a creation refused for its taken id (or anything else) answers as it
    // did, and a creation that would succeed names a thing that was not there. Only when a number
    // was given: comment.post, the commonest command, builds no message for nothing.
    if (s.ok() && command.expected_version.value_or(0) != 0 &&
        command_spec::CreatesOnly(command.type)) {
      s = CheckExpectedNew(ctx, "what " + std::string(CommandTypeName(command.type)) + " creates");
    }
    return s;
  }

  // Shows `visit` the current state of another project of the workspace, under that project's
  // lock (taken after the workspace's, as everywhere), or `held` when it is the command's own.
  Status ReadProject(const std::string& workspace, const std::string& project_id,
                     const std::string& held_id, const ProjectState* held,
                     const ProjectVisitor& visit) {
    const StreamId stream = ProjectStream(workspace, project_id);
    Status s = stream.Validate();
    if (!s.ok()) return s;
    if (held != nullptr && project_id == held_id) {
      visit(*held);
      return Status::OK();
    }
    std::shared_ptr<ProjectEntry> entry = projects_.Pin(stream.ToString());
    {
      std::lock_guard<std::mutex> lock(entry->mu);
      s = CatchUp(log_, stream, &entry->state);
      if (s.ok()) {
        entry->loaded = true;
        visit(entry->state);
      }
    }
    projects_.Release(stream.ToString(), entry, entry->state.stream_version > 0);
    return s;
  }

  static Status CheckProjectScope(const Command& command, const MemberState& actor,
                                  const ProjectState& project) {
    const std::string what = "project '" + command.args.Str("project_id") + "'";
    if (!actor.client_id.empty() && (!project.exists || project.client_id != actor.client_id)) {
      return NotVisible(what);
    }
    if (!project.exists && command.type != CommandType::kCreateProject) {
      return Status::NotFound("project.not_found",
                              what + " does not exist in workspace '" + command.workspace + "'");
    }
    return Status::OK();
  }

  CommandHandlerOptions options_;
  EventLog* log_;
  BlobStore* blobs_;
  CommandMetrics metrics_;
  LruMap<WorkspaceEntry> workspaces_;
  LruMap<ProjectEntry> projects_;
};

}  // namespace

Status CommandHandler::Open(const CommandHandlerOptions& options, EventLog* log, BlobStore* blobs,
                            std::unique_ptr<CommandHandler>* handler) {
  if (log == nullptr || blobs == nullptr) {
    return Status::InvalidArgument("a command handler needs an event log and a blob store");
  }
  handler->reset(new CommandHandlerImpl(options, log, blobs));
  return Status::OK();
}

}  // namespace tandem
