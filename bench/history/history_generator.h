// A deterministic generator of a realistic collaboration history, for benchmarks and tests of
// what reads the log (projections, reports, as-of reads).
//
// Contract:
//  - Every change goes through the real CommandHandler as a JSON command, so every event is one
//    the domain's rules accept. A refusal is a bug of the generator: GenerateHistory stops and
//    returns it, with the refused command in HistoryStats::refused_command.
//  - One seed, one history: the same options give the same commands in the same order, hence
//    the same events (payloads, actors, audiences, correlation ids, streams and versions, and
//    global positions). Only what the log assigns from its own clock or ids differs between
//    runs: `event_id` and `recorded_at_us`. With `threads` > 1, every stream (each project's and
//    the workspace's) is still exactly the same as with one thread; only how the projects'
//    events interleave in the global order varies.
//  - The history: a workspace with an owner, project managers, staff and an auditor; clients,
//    each with a client admin and client members; projects spread over clients (unevenly, some
//    clients have many) and managers. Each project is created, gets a client board (Inbound,
//    Assigned, In Progress, Staged, Approved) and an internal board, and then lives: milestones
//    planned, started, rescheduled with reasons, blocked and unblocked, completed; comments in
//    client and internal threads anchored on milestones (client questions answered by the firm,
//    replies); document requests answered by uploads from the client, firm files shared or
//    internal, new versions; cards created (also by the client, in Inbound), moved and linked;
//    approvals requested and granted or rejected; now and then a report link. Roughly: comments
//    55%, milestone changes 15%, cards 15%, uploads 8%, approvals 5%, the rest 2%.
//  - Projects are interleaved in the log as they would be in life: each project has a simulated
//    start, length and pace, and commands are issued in simulated-time order across projects.
//    Simulated dates appear only in command fields (planned, new and completed dates); the
//    events' recorded_at_us is the log's own clock.
//  - The event count is exact: `events` in total, workspace set-up included.
//
// Use (e.g. from a benchmark):
//
//   EventLogOptions lo;
//   lo.durability = Durability::kBuffered;         // the history is rebuilt, never precious
//   EventLog::Open(lo, dir + "/log", &log);
//   BlobStore::Open(BlobStoreOptions(), dir + "/blobs", &blobs);
//   HistoryOptions ho;                              // 1M events, 2,000 projects, 50 clients
//   CommandHandlerOptions co;
//   co.now_us = [&] { return ho.link_now_us; };     // report links expire after this clock
//   CommandHandler::Open(co, log.get(), blobs.get(), &handler);
//   HistoryStats stats;
//   Status s = GenerateHistory(ho, handler.get(), &stats,
//                              [](uint64_t done) { fprintf(stderr, "%llu\n", done); });
//
// (all in namespace tandem::history). The handler's `max_cached_streams` should hold every
// project (the default, 10,000, does), or project states are folded again from the log when they
// come back.
//
// Cost: one command per event, and about 95% of the time is the handler's (its idempotency
// look-up, the append, reading the events back); the generator's own work is about 3%. On the
// 2-core development machine, busy with other builds, one thread wrote 200k events at 7-14k
// events/s and 1M at 4.5k/s (84 s of CPU, 400 MB peak RSS). A benchmark should generate once
// into a folder and reuse it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "tandem/basics/status.h"
#include "tandem/domain/command_handler.h"

namespace tandem::history {

struct HistoryOptions {
  uint64_t seed = 1;
  // Events in the log when done, the workspace's set-up included. Must leave at least
  // kMinProjectEvents per project after the set-up.
  uint64_t events = 1'000'000;
  int clients = 50;
  int projects = 2000;
  // People of the firm.
  int managers = 20;
  int staff = 40;
  // Client members per client, besides its client admin.
  int client_members = 2;
  std::string workspace = "bench";
  // Simulated time: projects start within `start_window_days` of start_us (2026-01-05 00:00 UTC)
  // and run between `min_project_days` and `max_project_days`.
  int64_t start_us = 1'767'571'200'000'000;
  int start_window_days = 300;
  int min_project_days = 60;
  int max_project_days = 360;
  // The handler's clock (CommandHandlerOptions::now_us) while generating: report links are
  // issued to expire 30 to 360 days after it, which the handler checks against its clock. Give
  // the handler a clock returning this value (any from 6 days before to 29 days after it works;
  // the system clock does not, and would make the history depend on the day it is made).
  int64_t link_now_us = 1'767'571'200'000'000;
  // Uploaded contents come from a pool of this many distinct small documents (200 B to 4 KiB),
  // so that the blob store's synced writes stay few whatever the number of uploads.
  int distinct_contents = 64;
  // Threads issuing commands, each for a different project at any time. The handler decides
  // commands on different streams in parallel and the log groups concurrent appends, so a few
  // threads write faster than one; see the contract for what stays deterministic.
  int threads = 1;
};

// A project's share of events is at least this (its creation, its two boards and first
// milestones, and a little life).
constexpr uint64_t kMinProjectEvents = 10;

struct HistoryStats {
  uint64_t events = 0;    // events written
  uint64_t commands = 0;  // commands executed
  int projects = 0;
  int clients = 0;
  int members = 0;
  // Events per payload type, by the schema's name ("CommentPosted", ...).
  std::map<std::string, uint64_t> events_by_type;
  // The command the handler refused, when GenerateHistory failed on one.
  std::string refused_command;
};

// Writes the history described by `options` through `handler` into a workspace that must not
// exist yet. `progress`, when set, is called with the number of events written every 10,000
// events and once at the end (from the generating threads, one call at a time). Returns
// InvalidArgument for options that cannot make a history,
// or the first refusal or error of the handler.
Status GenerateHistory(const HistoryOptions& options, CommandHandler* handler, HistoryStats* stats,
                       const std::function<void(uint64_t done)>& progress = {});

}  // namespace tandem::history
