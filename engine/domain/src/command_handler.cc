#include "tandem/domain/command_handler.h"

#include <array>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "command_context.h"
#include "command_metrics.h"
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

// Attempts of one command when another writer (another process on the same log) appends to
// its stream between the load and the append.
constexpr int kMaxAttempts = 4;
// Folded states kept in memory; the cache is dropped when it grows past this.
constexpr size_t kMaxCachedStates = 10000;

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

// Folded states by stream, caught up from the log on every use.
template <typename State>
class StateCache {
 public:
  Status Load(EventLog* log, const StreamId& stream, State* state) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = states_.find(stream.ToString());
      *state = it == states_.end() ? State() : it->second;
    }
    std::vector<RecordedEvent> events;
    const ReadOptions page;
    do {
      Status s = log->ReadStreamForward(stream, state->stream_version + 1, page, &events);
      if (s.IsNotFound()) break;  // no stream yet: the empty state is current
      if (!s.ok()) return s;
      for (const auto& e : events) state->Apply(e.event());
    } while (events.size() == page.max_count);
    std::lock_guard<std::mutex> lock(mu_);
    if (states_.size() >= kMaxCachedStates) states_.clear();
    State& cached = states_[stream.ToString()];
    if (cached.stream_version < state->stream_version) cached = *state;
    return Status::OK();
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, State> states_;
};

class CommandHandlerImpl : public CommandHandler {
 public:
  CommandHandlerImpl(const CommandHandlerOptions& options, EventLog* log, BlobStore* blobs)
      : options_(options), log_(log), blobs_(blobs), metrics_(options.metrics) {
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
  Status Handle(const Command& command, CommandResult* result) {
    result->stream = ScopeOf(command.type) == CommandScope::kWorkspace
                         ? WorkspaceStream(command.workspace)
                         : ProjectStream(command.workspace, command.args.Str("project_id"));
    Status s = AnswerRetry(command, result);
    if (!s.IsNotFound()) return s;

    std::lock_guard<std::mutex> lock(StripeOf(result->stream));
    for (int attempt = 0; attempt < kMaxAttempts; attempt++) {
      Decision decision;
      uint64_t stream_version = 0;
      s = Decide(command, &decision, &stream_version);
      if (!s.ok()) return s;
      AppendResult appended;
      s = log_->Append(result->stream, ExpectedVersion::Exact(stream_version), decision.events,
                       command.command_id, &appended);
      if (s.IsWrongExpectedVersion()) continue;  // another writer got in first: decide again
      if (!s.ok()) return s;
      result->deduplicated = appended.deduplicated;
      result->entity_version = appended.deduplicated ? 0 : decision.entity_version;
      result->firm_side = decision.firm_side;
      return ReadBack(appended, &result->events);
    }
    return Status::WrongExpectedVersion("stream " + result->stream.ToString() +
                                        " kept changing while the command was decided; retry");
  }

  // A command id that was committed before: answer with what it wrote, provided it is the same
  // actor's command on the same stream. NotFound when the id is new.
  Status AnswerRetry(const Command& command, CommandResult* result) {
    std::string stream_name;
    AppendResult first;
    Status s =
        log_->FindIdempotentAppend(command.workspace, command.command_id, &stream_name, &first);
    if (!s.ok()) return s;
    s = ReadBack(first, &result->events);
    if (!s.ok()) return s;
    if (stream_name != result->stream.name || result->events.empty() ||
        result->events.front().event().actor() == nullptr ||
        result->events.front().event().actor()->str() != command.actor) {
      result->events.clear();
      return Status::InvalidArgument("command.id_reused", "command id '" + command.command_id +
                                                              "' was already used by another "
                                                              "command; use a new id");
    }
    result->deduplicated = true;
    return Status::OK();
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

  // Loads what the command's rules need, checks who may, and lets the command decide.
  Status Decide(const Command& command, Decision* decision, uint64_t* stream_version) {
    WorkspaceState workspace;
    Status s = workspaces_.Load(log_, WorkspaceStream(command.workspace), &workspace);
    if (!s.ok()) return s;
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
    ProjectState project;
    if (!project_id.empty()) {
      s = projects_.Load(log_, ProjectStream(command.workspace, project_id), &project);
      if (!s.ok()) return s;
      s = CheckProjectScope(command, *actor, project);
      if (!s.ok()) return s;
    }
    CommandContext ctx{command,
                       workspace,
                       project_id.empty() ? nullptr : &project,
                       *actor,
                       role,
                       options_.now_us(),
                       blobs_,
                       [&](const std::string& id, ProjectState* p) {
                         return projects_.Load(log_, ProjectStream(command.workspace, id), p);
                       }};
    decision->firm_side = !ctx.client_side();
    s = DeciderFor(command.type)(ctx, decision);
    *stream_version = ScopeOf(command.type) == CommandScope::kWorkspace ? workspace.stream_version
                                                                        : project.stream_version;
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

  // Commands on one stream are decided one at a time in this process, so they do not race
  // each other to the append; different streams proceed in parallel.
  std::mutex& StripeOf(const StreamId& stream) {
    return stripes_[std::hash<std::string>()(stream.ToString()) % stripes_.size()];
  }

  CommandHandlerOptions options_;
  EventLog* log_;
  BlobStore* blobs_;
  CommandMetrics metrics_;
  StateCache<WorkspaceState> workspaces_;
  StateCache<ProjectState> projects_;
  std::array<std::mutex, 64> stripes_;
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
