// ProjectionRunner: folds the log into a set of views and keeps them current.
//
// Contract:
//  - Each view advances from its own checkpoint. A batch of events is folded into every view
//    that has not seen it, and each view's rows are committed with its checkpoint in one write,
//    so a crash at any moment neither loses an event nor applies one twice: the next run resumes
//    each view from the checkpoint that survived with its rows. Views are folded on up to
//    `fold_threads` threads, a whole view each, and commit independently; views readers check
//    access in (Projection::gates_reads: the directory, report links) are committed first, all
//    in one write, so no other view is ever read ahead of them nor one of them ahead of another
//    (a link revoked in a round read with the directory of the round's end; when one cannot
//    fold, those before it are committed without it, and readers refuse gates standing apart),
//    and none is stored ahead of the directory except while the directory is folded again from
//    the start (unserved until it reaches the log's head as it was). A gate that cannot fold or
//    be written holds every view back; any other view that cannot is set aside: the rounds go on
//    without it, and it is folded again from its checkpoint a second later (then less often, up
//    to every 64 s, while it keeps failing; LiveStatus names it meanwhile), in rounds of at
//    most ten live batches between the others' live rounds, until it reaches them and goes on
//    with them. A view dropped for damage while following live comes back the same way. A
//    catch-up goes on without it to the head and then returns its failure
//    (CaughtUpButForViewsSetAside); the next CatchUp or Rebuild tries it again.
//  - Open checks each view's stored version: a view folded by another version of its
//    projection, or ahead of the log (a log restored from an older copy), is dropped and
//    rebuilt; a view is never served in an old shape.
//  - CatchUp folds everything the log had acknowledged when it was called, reporting progress.
//    Rebuild drops the named views first. Start follows the log live on a thread of its own,
//    gathering up to `max_batch_events` or `max_batch_delay` per batch.
//  - A view whose batch cannot be committed forgets it and folds it again from its checkpoint;
//    the other views keep what they committed. A view is never folded past a hole: events are
//    applied only right after its checkpoint (the live thread resumes from the checkpoints when a
//    failed rebuild left the views behind it).
//  - A damaged checkpoint is treated like another version: the view is dropped and rebuilt.
//  - With metrics set: tandem_projection_checkpoint{projection} and
//    tandem_projection_lag_events{projection} (the log's last position minus the checkpoint);
//    tandem_projection_fold_seconds_total{projection} and
//    tandem_projection_commit_seconds_total{projection} (a view's time folding and writing);
//    tandem_projection_round_seconds{mode} and tandem_projection_round_events{mode}
//    (histograms per round, mode live or catch_up).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tandem/basics/status.h"
#include "tandem/log/event_log.h"
#include "tandem/projections/projection.h"
#include "tandem/projections/view_store.h"

namespace prometheus {
class Registry;
}

namespace tandem {

struct CatchUpProgress {
  uint64_t done = 0;   // events folded so far in this catch-up
  uint64_t total = 0;  // events this catch-up has to fold
  double events_per_second = 0;
  double seconds_left = 0;
  bool finished = false;
};

struct ProjectionRunnerOptions {
  // Live: a batch closes at this many events, or this long after its first event, or as soon
  // as no further event is waiting.
  size_t max_batch_events = 1000;
  std::chrono::milliseconds max_batch_delay{5};
  // Catching up: events folded between commits. Larger rounds write a row many events change
  // (a thread, a counter) fewer times; the round's events are held in memory, and the next
  // round's are read meanwhile.
  size_t catch_up_batch_events = 200000;
  // Threads folding a batch (each takes whole views, dearest first): 1 or 2.
  int fold_threads = 2;
  // Above 0 (at most 99): the thread following the log live, and the fold threads it starts,
  // run at this real-time priority (SCHED_FIFO), so that a round starts when its events are
  // durable instead of waiting for the scheduler to give its thread a turn behind the log's
  // and others' (milliseconds on a host that queues runnable threads on a busy CPU). The
  // views are then often folded before the append's acknowledgement is delivered, which comes
  // later by up to a round. Such threads preempt every normal one on their CPU, of this
  // process and others; the kernel's real-time throttling (sched_rt_runtime_us) keeps 5% of
  // each CPU for those by default, nothing where it is turned off. Needs CAP_SYS_NICE or
  // RLIMIT_RTPRIO of at least the priority (and real-time runtime in the process's cgroup
  // where the kernel has RT_GROUP_SCHED): without, the runner says so in the log once and
  // follows at the normal priority. Catch-ups are not raised: CatchUp and Rebuild run at the
  // caller's priority, and the live thread folds a view set aside back at SCHED_OTHER.
  int realtime_priority = 0;
  // Called during catch-up: as each view finishes a round (a round's events count as done in
  // the share of its views that folded them), at most a few times a second between rounds,
  // and once when finished. One call at a time, but possibly from a fold thread.
  std::function<void(const CatchUpProgress&)> progress;
  // Called after each committed batch with the position every view has now folded (live
  // pushes, latency measurements): readers see it, and with a store writing behind
  // (ViewStoreOptions::write_behind) RocksDB has it within the store's interval. Runs on the
  // folding thread: keep it quick.
  std::function<void(uint64_t position)> on_advance;
  prometheus::Registry* metrics = nullptr;
};

class ProjectionRunner {
 public:
  // `log` and `store` must outlive the runner.
  static Status Open(const ProjectionRunnerOptions& options, EventLog* log, ViewStore* store,
                     std::vector<std::unique_ptr<Projection>> projections,
                     std::unique_ptr<ProjectionRunner>* runner);
  virtual ~ProjectionRunner() = default;

  virtual Status CatchUp() = 0;
  // Drops the named views (every view when empty) and folds them again from the log.
  // InvalidArgument (view.unknown), dropping nothing, when a name is not one of the runner's;
  // Corruption (log.damaged) or IOError, dropping nothing, when the tables holding the log's
  // events do not read whole (EventLog::CheckEventTables, run first). A record that passes
  // that check but not its own verification still stops the rebuild part-way, its views
  // unserved until the log is repaired (`tandem verify` finds such records first).
  virtual Status Rebuild(const std::vector<std::string>& views) = 0;
  virtual Status Start() = 0;
  // Stops following: the batch in progress is committed first.
  virtual void Stop() = 0;
  // Waits until every view has folded `position`. TimedOut otherwise.
  virtual Status WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) = 0;
  // The lowest checkpoint among the views.
  virtual uint64_t Position() const = 0;
  // The views set aside (their fold or commit failed, or they are folding their way back to
  // the others), folded again while following live, and by the next CatchUp or Rebuild.
  virtual std::vector<std::string> ViewsSetAside() const = 0;
  // Whether the last CatchUp or Rebuild folded every view to the head but those set aside: its
  // failure is theirs alone, and following live is worth starting.
  virtual bool CaughtUpButForViewsSetAside() const = 0;
  // The error the live thread is retrying after (a round that could not be committed), else
  // the failure of a view set aside; OK once a batch commits and no view set aside failed.
  virtual Status LiveStatus() const = 0;
};

}  // namespace tandem
