// CommandHandler: the one path by which commands become events, shared by every entry point.
//
// Contract:
//  - Execute loads the state the command's rules need (the workspace and, for project
//    commands, the project), checks authorisation, then the command's rules, and appends the
//    resulting events with the stream's exact expected version and the command id as the
//    idempotency key. A refused command writes nothing.
//  - Refusals: PermissionDenied (who may not), NotFound (the thing does not exist),
//    WrongExpectedVersion (the thing changed since the caller looked), Rejected (a rule, e.g.
//    completing a completed milestone), InvalidArgument (a malformed command). Each carries a
//    stable `reason()` such as "milestone.already_completed".
//  - A client-side member cannot tell an internal thing from a missing one: for every id it
//    names, the answer is the same whether an internal thing holds it or nothing does (what it
//    creates lives in its client's id namespace, "client:<client_id>:<id>"; what it refers to
//    is PermissionDenied "scope.not_visible" when it may not see it or it does not exist).
//  - A member without a workspace role can do nothing, whatever its project roles.
//  - A command id belongs to its actor. Retrying a command with the same command id returns the
//    first attempt's events, flagged deduplicated, without checking rules again (they may no
//    longer hold), also when the retry races the first attempt. Another actor's command with the
//    same id is their own command. Reusing an id on another stream is refused
//    (command.id_reused) without naming the stream.
//  - A command commits only if the states it was authorised and decided on are still current
//    (the append is conditioned on the workspace's and the project's versions); otherwise it is
//    decided again.
//  - Cost: folded states are kept per stream (least recently used evicted) and caught up with
//    the events appended since; commands on one stream are decided one at a time, commands on
//    different streams in parallel. A command's cost does not grow with its project's history.
//  - Tenant isolation: the workspace named by the command is the tenant of every read and
//    write; an actor is looked up only among that workspace's members.
//  - Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "tandem/domain/blob_store.h"
#include "tandem/domain/command.h"
#include "tandem/log/event_log.h"

namespace prometheus {
class Registry;
}

namespace tandem {

struct CommandHandlerOptions {
  CommandLimits limits;
  // When set, the handler registers tandem_commands_total{type,result} and
  // tandem_command_seconds{type} here. Must outlive the handler.
  prometheus::Registry* metrics = nullptr;
  // The clock report-link expiry is checked against; the system clock when unset.
  std::function<int64_t()> now_us;
  // Folded workspace and project states kept in memory (each), least recently used evicted.
  size_t max_cached_streams = 10000;
};

struct CommandResult {
  StreamId stream;
  std::vector<RecordedEvent> events;
  bool deduplicated = false;
  // The version of the thing the command created or changed: the caller's next
  // expected_version for it. 0 when the command was deduplicated.
  uint64_t entity_version = 0;
  // The actor is a person of the firm. Answers to anyone else (client-side members, and
  // retries, whose actor is not looked up) carry no stream versions (CommandResultToJson): a
  // stream version would tell a client of internal work. No answer carries a global position,
  // which would tell anyone of other tenants' work.
  bool firm_side = false;
};

// The stream a workspace's own events (clients, members, branding) go to, and a project's.
StreamId WorkspaceStream(const std::string& workspace);
StreamId ProjectStream(const std::string& workspace, const std::string& project_id);

class CommandHandler {
 public:
  // `log` and `blobs` must outlive the handler.
  static Status Open(const CommandHandlerOptions& options, EventLog* log, BlobStore* blobs,
                     std::unique_ptr<CommandHandler>* handler);
  virtual ~CommandHandler() = default;

  virtual Status Execute(const Command& command, CommandResult* result) = 0;
  // Parses (ParseCommand) and executes one JSON command.
  virtual Status ExecuteJson(std::string_view json, CommandResult* result) = 0;
};

}  // namespace tandem
