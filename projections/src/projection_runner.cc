#include "tandem/projections/projection_runner.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "log_page_reader.h"
#include "record_digest.h"
#include "round_events.h"
#include "tandem/basics/logger.h"
#include "tandem/basics/named_thread.h"
#include "tandem/domain/client_visibility.h"

namespace tandem {
namespace {

using Clock = std::chrono::steady_clock;

// `s` with `context` before its message, for the failures a fold or a commit returns.
Status Named(const Status& s, const std::string& context) {
  const std::string message = context + ": " + s.message();
  switch (s.code()) {
    case Status::Code::kIOError:
      return Status::IOError(message);
    case Status::Code::kCorruption:
      return Status::Corruption(s.reason(), message);
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(s.reason(), message);
    default:
      return s;
  }
}

// Where a round ends: the position every view folding it reaches, and the digest of the log's
// record there, written with each view's checkpoint (ViewCheckpoint::record_sha256).
struct RoundEnd {
  uint64_t position = 0;
  std::string record_sha256;
};

struct EventKind {
  schema::Payload type;
  bool shared_with_client;
};

// A round's events in the order one view folds them, with what each view's filter asks of
// each event (read once per round rather than by every view: a round does not fit in the cache).
struct RoundOrder {
  const std::vector<const schema::Event*>* events = nullptr;
  std::vector<EventKind> kinds;

  explicit RoundOrder(const std::vector<const schema::Event*>& in) : events(&in) {
    kinds.reserve(in.size());
    for (const schema::Event* e : in) kinds.push_back({e->payload_type(), SharedWithClient(*e)});
  }
};

// Where a runner's time goes, per kind of round: a live runner busy most of the time is what
// makes its lag's tail (a long round gathers a large next one).
enum class RoundKind { kCatchUp, kLive };
struct RoundMetrics {
  prometheus::Histogram* seconds = nullptr;
  prometheus::Histogram* events = nullptr;
};

struct View {
  std::unique_ptr<Projection> projection;
  std::string name;
  EventFilter filter;  // the projection's, asked once
  uint64_t checkpoint = 0;
  uint64_t ready_at = 0;  // ViewCheckpoint::ready_at, written with every commit until reached
  prometheus::Gauge* checkpoint_gauge = nullptr;
  prometheus::Gauge* lag_gauge = nullptr;
  prometheus::Counter* fold_seconds = nullptr;    // folding its events and building its rows
  prometheus::Counter* commit_seconds = nullptr;  // writing them with its checkpoint
  bool dropped_for_damage = false;                // during the current catch-up
  // The rounds go on without it (SetAside). Changed under fold_mu_ and mu_, read under either.
  bool set_aside = false;
  Status set_aside_status;     // why: OK while it folds its way back to the others
  Clock::time_point retry_at;  // when RetrySetAsideWhenDue folds it again
  int failures = 0;            // in a row, for the retries' back-off
  bool retrying = false;       // folded by RetrySetAsideWhenDue now: still set aside to readers
  double cost = 0;             // seconds the view's part of the last round took
  double bytes_per_event = 0;  // its batch's bytes per event in its last large round
};

class Runner : public ProjectionRunner {
 public:
  Runner(const ProjectionRunnerOptions& options, EventLog* log, ViewStore* store)
      : options_(options), log_(log), store_(store) {}

  ~Runner() override { Stop(); }

  Status Init(std::vector<std::unique_ptr<Projection>> projections) {
    prometheus::Family<prometheus::Gauge>* checkpoints = nullptr;
    prometheus::Family<prometheus::Gauge>* lags = nullptr;
    prometheus::Family<prometheus::Counter>* fold_seconds = nullptr;
    prometheus::Family<prometheus::Counter>* commit_seconds = nullptr;
    if (options_.metrics != nullptr) {
      checkpoints = &prometheus::BuildGauge()
                         .Name("tandem_projection_checkpoint")
                         .Help("Last global position folded into the view")
                         .Register(*options_.metrics);
      lags = &prometheus::BuildGauge()
                  .Name("tandem_projection_lag_events")
                  .Help("Events acknowledged by the log and not yet folded into the view")
                  .Register(*options_.metrics);
      fold_seconds = &prometheus::BuildCounter()
                          .Name("tandem_projection_fold_seconds_total")
                          .Help("Seconds spent folding events into the view and building its rows")
                          .Register(*options_.metrics);
      commit_seconds = &prometheus::BuildCounter()
                            .Name("tandem_projection_commit_seconds_total")
                            .Help("Seconds spent writing the view's rows with its checkpoint")
                            .Register(*options_.metrics);
      RegisterRoundMetrics();
    }
    LogDigests digests;  // views share positions: each record is read once
    for (auto& p : projections) {
      View v;
      v.name = std::string(p->name());
      v.filter = p->filter();
      v.projection = std::move(p);
      Status s = Load(&v, &digests);
      if (!s.ok()) return s;
      if (checkpoints != nullptr) {
        v.checkpoint_gauge = &checkpoints->Add({{"projection", v.name}});
        v.lag_gauge = &lags->Add({{"projection", v.name}});
        v.fold_seconds = &fold_seconds->Add({{"projection", v.name}});
        v.commit_seconds = &commit_seconds->Add({{"projection", v.name}});
      }
      views_.push_back(std::move(v));
    }
    PublishMetrics();
    return Status::OK();
  }

  Status CatchUp() override {
    std::lock_guard<std::mutex> fold(fold_mu_);
    return CatchUpAgainAfterDrops();
  }

  Status Rebuild(const std::vector<std::string>& names) override {
    // Every name is checked before anything is dropped: a misspelt view rebuilds nothing.
    for (const std::string& name : names) {
      if (std::none_of(views_.begin(), views_.end(),
                       [&](const View& v) { return v.name == name; })) {
        return Status::InvalidArgument("view.unknown", "unknown stored view '" + name + "'");
      }
    }
    // Dropped views are not served again before they are folded to the head: a log that stops
    // reading half-way (a damaged table) would leave none, where the old ones still read.
    // Outside the fold lock: a runner following live goes on meanwhile.
    {
      std::lock_guard<std::mutex> lock(mu_);
      caught_up_but_set_aside_ = false;
    }
    Status checked = CheckLogBeforeDropping();
    if (!checked.ok()) return checked;
    std::lock_guard<std::mutex> fold(fold_mu_);
    // The views readers check access in (the directory) are dropped last, and among them in
    // the reverse of the order they fold in (the directory last of all): a crash between two
    // drops then leaves no view ahead of them, nor a gate ahead of the directory.
    std::vector<View*> order;
    for (View& v : views_) {
      if (!v.projection->gates_reads()) order.push_back(&v);
    }
    for (auto v = views_.rbegin(); v != views_.rend(); ++v) {
      if (v->projection->gates_reads()) order.push_back(&*v);
    }
    for (View* v : order) {
      if (!names.empty() && std::find(names.begin(), names.end(), v->name) == names.end()) {
        continue;
      }
      Status s = DropToFoldAgain(v);
      if (!s.ok()) return s;
      LogInfo("projections", "view dropped for rebuild view=" + v->name);
    }
    return CatchUpAgainAfterDrops();
  }

  Status CheckLogBeforeDropping() {
    const auto start = std::chrono::steady_clock::now();
    Status s = log_->CheckEventTables();
    if (!s.ok()) {
      const char* reason = s.IsCorruption() ? "log.damaged" : "log.unreadable";
      const std::string message =
          std::string(
              "the log's events do not read whole, so no view was dropped (the views "
              "are still served; run `tandem verify` and restore the damaged table "
              "from a copy): ") +
          s.message();
      LogError("projections", "rebuild refused reason=" + std::string(reason) + ": " + message);
      return s.IsCorruption() ? Status::Corruption(reason, message) : Status::IOError(message);
    }
    LogInfo(
        "projections",
        "the events' tables read whole seconds=" +
            std::to_string(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    return Status::OK();
  }

  Status Start() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (thread_.joinable()) return Status::InvalidArgument("the runner is already following");
    stop_ = false;
    thread_ = NamedThread("tandem-runner", [this] { Follow(); });
    return Status::OK();
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  Status WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (!advanced_.wait_for(lock, timeout, [&] { return MinCheckpoint() >= position; })) {
      return Status::TimedOut("views have not reached position " + std::to_string(position));
    }
    return Status::OK();
  }

  uint64_t Position() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return MinCheckpoint();
  }

  std::vector<std::string> ViewsSetAside() const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> names;
    for (const View& v : views_) {
      if (v.set_aside || v.retrying) names.push_back(v.name);
    }
    return names;
  }

  Status LiveStatus() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return live_status_.ok() ? SetAsideStatus() : live_status_;
  }

  bool CaughtUpButForViewsSetAside() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return caught_up_but_set_aside_;
  }

 private:
  // The digest of the log's record at each position looked at by Load.
  using LogDigests = std::map<uint64_t, std::string>;

  Status Load(View* v, LogDigests* digests) {
    ViewCheckpoint c;
    Status s = store_->GetCheckpoint(v->name, &c);
    // A damaged checkpoint cannot say what the rows hold; the view is derived data, so it is
    // rebuilt rather than left to block every open (and with it `tandem rebuild`).
    const bool damaged = s.IsCorruption();
    if (!s.ok() && !damaged) return s;
    const bool other_version = c.version != 0 && c.version != v->projection->version();
    // A log that went back (restored from a backup) behind a view, or behind the position a
    // view folded again must reach before it is served, which would then never come.
    const bool ahead = std::max(c.position, c.ready_at) > log_->LastPosition();
    // A view fed from Kafka holds some partitions' events only: its checkpoint is not a prefix
    // of the log to resume from.
    std::vector<SourceOffset> offsets;
    Status offsets_status = store_->GetSourceOffsets(v->name, &offsets);
    if (!offsets_status.ok() && !offsets_status.IsCorruption()) return offsets_status;
    const bool from_kafka = !offsets_status.ok() || !offsets.empty();
    const bool other_log =
        !damaged && !other_version && !ahead && !from_kafka && FoldedFromAnotherLog(c, digests);
    if (damaged || other_version || ahead || other_log || from_kafka) {
      LogWarn(
          "projections",
          "view dropped for rebuild view=" + v->name +
              (damaged         ? " damaged_checkpoint"
               : other_version ? " stored_version=" + std::to_string(c.version)
               : from_kafka    ? " fed_from_kafka"
               : other_log     ? " other_record_at=" + std::to_string(c.position)
                           : " ahead_of_log=" + std::to_string(std::max(c.position, c.ready_at))));
      return DropToFoldAgain(v);
    }
    // Never built: the first catch-up is a fold from the start like a rebuild's.
    if (c.version == 0 && log_->LastPosition() > 0) return DropToFoldAgain(v);
    v->checkpoint = c.position;
    v->ready_at = c.ready_at;  // a rebuild the process was killed in goes on unserved
    return Status::OK();
  }

  // Whether the log's record at the view's checkpoint is not the one the view folded last (a
  // log restored from an older copy, then appended to past the view). A checkpoint without a
  // digest cannot tell and is taken as it is, and so is one whose record cannot be read (a
  // damaged log leaves the views served, as it does a rebuild: `tandem verify` names the damage).
  bool FoldedFromAnotherLog(const ViewCheckpoint& c, LogDigests* digests) {
    if (c.record_sha256.empty() || c.position == 0) return false;
    auto [it, added] = digests->try_emplace(c.position);
    if (added) {
      Status s = RecordDigestAt(log_, c.position, &it->second);
      if (!s.ok()) {
        LogWarn("projections", "views not checked against the log's record position=" +
                                   std::to_string(c.position) + " error=" + s.ToString());
      }
    }
    return !it->second.empty() && it->second != c.record_sha256;
  }

  // Empties the view to fold it again from the log's start, unserved until it reaches the
  // log's head as it is now: the mark is committed with the drop's empty checkpoint, so a
  // process killed during the fold leaves it unserved too.
  Status DropToFoldAgain(View* v) {
    Status s = store_->Drop(v->name);
    if (!s.ok()) return s;
    v->projection->Forget();
    v->bytes_per_event = 0;
    SetCheckpoint(v, 0);
    v->ready_at = log_->LastPosition();
    if (v->ready_at == 0) return Status::OK();
    std::unique_ptr<ViewBatch> batch = store_->NewBatch();
    batch->SetCheckpoint(v->name, {0, v->projection->version(), v->ready_at});
    return store_->Commit(batch.get());
  }

  uint64_t MinCheckpoint() const {
    uint64_t min = UINT64_MAX;
    for (const View& v : views_) min = std::min(min, v.checkpoint);
    return views_.empty() ? log_->LastPosition() : min;
  }

  // Where the views the rounds fold stand: the least checkpoint of those not set aside (of all
  // when every one is). Under mu_ or fold_mu_.
  uint64_t FollowFrom() const {
    uint64_t min = UINT64_MAX;
    for (const View& v : views_) {
      if (!v.set_aside) min = std::min(min, v.checkpoint);
    }
    return min == UINT64_MAX ? MinCheckpoint() : min;
  }

  bool AllSetAside() const {  // under mu_ or fold_mu_
    return std::all_of(views_.begin(), views_.end(), [](const View& v) { return v.set_aside; });
  }

  // Whether a view not set aside has yet to fold `position`. Under mu_ or fold_mu_.
  bool AnyBehind(uint64_t position) const {
    return std::any_of(views_.begin(), views_.end(),
                       [&](const View& v) { return !v.set_aside && v.checkpoint < position; });
  }

  // A view (not a gate) the rounds go on without: its fold or commit failed (`why`), and one
  // view that cannot fold an event, or be written, must keep no other view (nor tenant) from
  // the log; or (`why` OK) it is folding its way back to the others. RetrySetAsideWhenDue
  // folds it again from its checkpoint, a second after a failure. Under fold_mu_.
  void SetAside(View* v, const Status& why) {
    // A view that keeps failing is tried less often (1, 2, 4 ... 64 s): each try folds a round
    // that the others' live rounds wait for.
    const int failures = why.ok() ? 0 : std::min(v->failures + 1, 7);
    const Clock::duration delay =
        why.ok() ? Clock::duration::zero() : kRetryInterval * (1 << (failures - 1));
    if (!why.ok()) {
      LogError("projections", "view set aside, the others go on without it (tried again in " +
                                  std::to_string(kRetryInterval.count() << (failures - 1)) +
                                  " s) view=" + v->name + " error=" + why.ToString());
    }
    std::lock_guard<std::mutex> lock(mu_);
    v->set_aside = true;
    v->retrying = false;
    const std::string named = "view " + v->name;
    v->set_aside_status = why.ok() || why.message().rfind(named + ":", 0) == 0
                              ? why
                              : Named(why, named + " set aside");
    v->failures = failures;
    v->retry_at = Clock::now() + delay;
  }

  // The first failure among the views set aside, named; OK when none failed. Under mu_ or
  // fold_mu_.
  Status SetAsideStatus() const {
    for (const View& v : views_) {
      if ((v.set_aside || v.retrying) && !v.set_aside_status.ok()) return v.set_aside_status;
    }
    return Status::OK();
  }

  void SetCheckpoint(View* v, uint64_t position) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      v->checkpoint = position;
    }
    advanced_.notify_all();
  }

  void PublishMetrics() {
    const uint64_t head = log_->LastPosition();
    // The live thread publishes between batches, while a CatchUp or Rebuild may be folding.
    std::lock_guard<std::mutex> lock(mu_);
    for (View& v : views_) {
      if (v.checkpoint_gauge == nullptr) continue;
      v.checkpoint_gauge->Set(static_cast<double>(v.checkpoint));
      v.lag_gauge->Set(static_cast<double>(head > v.checkpoint ? head - v.checkpoint : 0));
    }
  }

  void RegisterRoundMetrics() {
    auto& seconds = prometheus::BuildHistogram()
                        .Name("tandem_projection_round_seconds")
                        .Help("Time from a round's start to the commit of its last view")
                        .Register(*options_.metrics);
    auto& events = prometheus::BuildHistogram()
                       .Name("tandem_projection_round_events")
                       .Help("Events folded in a round")
                       .Register(*options_.metrics);
    const prometheus::Histogram::BucketBoundaries second_bounds{
        0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 30};
    const prometheus::Histogram::BucketBoundaries event_bounds{
        1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10000, 100000, 1000000};
    for (auto [kind, name] :
         {std::pair{RoundKind::kCatchUp, "catch_up"}, std::pair{RoundKind::kLive, "live"}}) {
      RoundMetrics& m = round_metrics_[static_cast<int>(kind)];
      m.seconds = &seconds.Add({{"mode", name}}, second_bounds);
      m.events = &events.Add({{"mode", name}}, event_bounds);
    }
  }

  // Folds `pages` (contiguous, ascending positions) into every view that has not seen them.
  // Each view's rows are written with its checkpoint in a write of its own (the views that gate
  // reads share one), so views advance independently: one failing view leaves the others' work
  // committed (a failing gate holds the other views back, see FoldGates). Views are handed out
  // to the fold threads dearest first (by the last round's cost), each thread folding, flushing
  // and committing a whole view. A view whose projects fold apart gets the events grouped by
  // project (round_events.h).
  Status FoldRound(std::vector<std::vector<RecordedEvent>> pages, RoundKind kind) {
    const auto began = Clock::now();
    size_t events = 0;
    for (const auto& page : pages) events += page.size();
    if (events == 0) return Status::OK();
    const uint64_t first = pages.front().front().global_position();
    const uint64_t last = pages.back().back().global_position();
    std::vector<View*> behind;  // the views that have not folded the whole round
    for (View& v : views_) {
      if (v.set_aside || v.checkpoint >= last) continue;
      if (first > v.checkpoint + 1) {
        return Status::InvalidArgument("projections.hole", "events from " + std::to_string(first) +
                                                               " would leave a hole after " +
                                                               v.name + "'s position " +
                                                               std::to_string(v.checkpoint));
      }
      behind.push_back(&v);
    }
    if (behind.empty()) return Status::OK();  // a range only views set aside have to fold
    const RoundEnd end{last, RecordDigest(pages.back().back())};
    // The views readers check access in (the directory, then report links) are folded first,
    // on this thread, in the order the runner was given them whatever each cost the round
    // before, and committed in one write (FoldGates): the others never get ahead of them, and
    // wait for the next round when one fails, and no gate gets ahead of the directory.
    const size_t gates =
        std::stable_partition(behind.begin(), behind.end(),
                              [](const View* v) { return v->projection->gates_reads(); }) -
        behind.begin();
    std::stable_sort(behind.begin() + static_cast<ptrdiff_t>(gates), behind.end(),
                     [](const View* a, const View* b) { return a->cost > b->cost; });
    const bool grouped = std::any_of(behind.begin(), behind.end(), [](const View* v) {
      return v->projection->projects_fold_apart();
    });
    const RoundEvents round(std::move(pages), grouped, &round_arena_);
    const RoundOrder in_log(round.in_log());
    const std::optional<RoundOrder> by_project =
        grouped ? std::optional<RoundOrder>(round.by_project()) : std::nullopt;
    std::vector<Status> results(behind.size());
    std::vector<char> committed(behind.size(), 0);  // not vector<bool>: two threads set it
    auto order_of = [&](const View* v) -> const RoundOrder& {
      return v->projection->projects_fold_apart() ? *by_project : in_log;
    };
    // Each view folds the whole round: the share of them done is the round's progress.
    std::mutex progress_mu;
    size_t views_done = 0;
    auto view_done = [&] {
      if (!round_progress_) return;
      std::lock_guard<std::mutex> lock(progress_mu);
      ++views_done;
      round_progress_(static_cast<double>(views_done) / static_cast<double>(behind.size()));
    };
    auto fold = [&](size_t i) {
      View* v = behind[i];
      bool wrote = false;
      results[i] = FoldView(v, order_of(v), end, &wrote);
      committed[i] = wrote;
      if (results[i].ok()) view_done();  // a view that failed folds the round again later
    };
    const bool gates_ok = FoldGates(behind, gates, order_of, end, &results, &committed);
    for (size_t i = 0; i < gates && gates_ok; ++i) view_done();
    std::atomic<size_t> next{gates};
    auto work = [&] {
      for (size_t i; (i = next++) < behind.size();) fold(i);
    };
    if (gates_ok && options_.fold_threads > 1 && behind.size() - gates > 1 && events >= 16) {
      std::thread helper = NamedThread("tandem-fold", work);
      work();
      helper.join();
    } else if (gates_ok) {
      work();
    }
    for (size_t i = gates; i < behind.size(); ++i) {
      if (results[i].ok()) continue;
      if (results[i].reason() != "projections.view_dropped") {
        SetAside(behind[i], results[i]);
      } else if (kind == RoundKind::kLive) {
        // Folded again from the start in catch-up rounds beside the live ones, rather than
        // holding every view until live rounds have walked the whole log again.
        SetAside(behind[i], Status::OK());
      }
    }
    // The views' commits were buffered: their log records reach the operating system together
    // here, and only then is the round reported as folded (a killed process loses what was
    // not written, and folds it again from the checkpoints it reported). A store writing
    // behind writes them itself: the round is reported once its readers see it.
    Status flushed = store_->writes_behind() ? Status::OK() : store_->FlushCommits();
    for (size_t i = 0; i < behind.size(); ++i) {
      if (!committed[i]) continue;
      if (flushed.ok()) {
        SetCheckpoint(behind[i], last);
        if (last >= behind[i]->ready_at) behind[i]->ready_at = 0;
      } else {
        behind[i]->projection->Forget();
        results[i] = flushed;
      }
    }
    const RoundMetrics& metrics = round_metrics_[static_cast<int>(kind)];
    if (metrics.seconds != nullptr) {
      metrics.seconds->Observe(std::chrono::duration<double>(Clock::now() - began).count());
      metrics.events->Observe(static_cast<double>(events));
    }
    PublishMetrics();
    if (options_.on_advance) options_.on_advance(Position());
    // A real failure wins over a view dropped for damage (which CatchUp folds again). A view
    // set aside fails only itself.
    Status out;
    for (size_t i = 0; i < behind.size(); ++i) {
      const Status& r = results[i];
      if (behind[i]->set_aside) continue;
      if (r.ok() || (!out.ok() && r.reason() == "projections.view_dropped")) continue;
      if (out.ok() || out.reason() == "projections.view_dropped") out = r;
    }
    return out;
  }

  // One view's part of a round: every event past its checkpoint, then its rows and checkpoint
  // in one write, buffered (`*committed`; FoldRound flushes the round's writes and then
  // advances the view). A failure makes the fold forget what it did not commit.
  Status FoldView(View* v, const RoundOrder& round, const RoundEnd& end, bool* committed) {
    std::unique_ptr<ViewBatch> batch = store_->NewBatch(SizedFor(*v, round));
    Status s = FoldInto(v, round, end, batch.get());
    if (!s.ok()) return s;
    // From large rounds only: a live round's few events weigh its checkpoint's bytes as much.
    if (round.kinds.size() >= kMeasuredRoundEvents) {
      v->bytes_per_event =
          static_cast<double>(batch->ApproximateBytes()) / static_cast<double>(round.kinds.size());
    }
    View* views[] = {v};
    return CommitFolded(views, batch.get(), committed);
  }

  // Room for what the view's last batch wrote per event, for this round's events; only for a
  // large round (a catch-up's), where a batch grown as rows come costs its copies. The views
  // that gate reads write a few bytes per event: theirs grow.
  static BatchOptions SizedFor(const View& v, const RoundOrder& round) {
    constexpr double kLeast = 1 << 20, kMost = 256 << 20;
    const double bytes = 1.1 * v.bytes_per_event * static_cast<double>(round.kinds.size());
    BatchOptions options;
    if (bytes >= kLeast) options.reserve_bytes = static_cast<size_t>(std::min(bytes, kMost));
    return options;
  }

  // The views that gate reads, [0, gates) of `behind`, folded into one write: a reader between
  // two commits would pair the directory with report links a round older, and read a link
  // revoked in the round with what the directory learnt after. A gate whose fold fails does
  // not hold back the round of those before it: they are folded again without it and committed
  // (a directory held back by report links that cannot fold would not enforce the round's
  // revocations), and readers refuse gates at different positions (view_source.cc). A failed
  // commit fails them all. False when one failed: the round's other views then wait, and
  // `results` says why.
  template <class OrderOf>
  bool FoldGates(const std::vector<View*>& behind, size_t gates, const OrderOf& order_of,
                 const RoundEnd& end, std::vector<Status>* results, std::vector<char>* committed) {
    if (gates == 0) return true;
    bool all = true;
    for (size_t count = gates; count > 0;) {
      std::unique_ptr<ViewBatch> batch = store_->NewBatch();
      size_t failed = count;
      for (size_t i = 0; i < count && failed == count; ++i) {
        Status s = FoldInto(behind[i], order_of(behind[i]), end, batch.get());
        if (!s.ok()) {
          (*results)[i] = s;
          failed = i;
        }
      }
      if (failed == count) {
        const std::span<View* const> folded(behind.data(), count);
        bool wrote = false;
        Status s = CommitFolded(folded, batch.get(), &wrote);
        for (size_t i = 0; i < count; ++i) {
          (*results)[i] = s;
          (*committed)[i] = wrote;
        }
        return all && s.ok();
      }
      // The batch holds part of the failed gate's fold: it is not written, and what the gates
      // before it folded into it is forgotten and folded again.
      for (size_t j = 0; j < failed; ++j) behind[j]->projection->Forget();
      all = false;
      count = failed;
    }
    return false;
  }

  // Folds the round's events past the view's checkpoint into `batch`, then its rows and its
  // checkpoint. A failure makes the fold forget what it did, and the batch must not be written.
  Status FoldInto(View* v, const RoundOrder& round, const RoundEnd& end, ViewBatch* batch) {
    const auto began = Clock::now();
    ViewRows* rows = batch->Rows(v->name);
    Status s;
    for (size_t i = 0; i < round.kinds.size() && s.ok(); ++i) {
      const EventKind& k = round.kinds[i];
      if (!v->filter.Passes(k.type, k.shared_with_client)) continue;
      const schema::Event& e = *(*round.events)[i];
      if (e.global_position() <= v->checkpoint) continue;
      s = v->projection->Apply(e, rows);
    }
    if (s.ok()) s = v->projection->Flush(rows);
    if (!s.ok()) {
      v->projection->Forget();
      return ViewFailed(v, s);
    }
    // The mark goes once a commit reaching it is flushed (FoldRound): a failed one keeps it.
    const uint64_t ready_at = end.position >= v->ready_at ? 0 : v->ready_at;
    batch->SetCheckpoint(v->name,
                         {end.position, v->projection->version(), ready_at, end.record_sha256});
    const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
    if (v->fold_seconds != nullptr) v->fold_seconds->Increment(seconds);
    v->cost = seconds;
    return Status::OK();
  }

  // Writes the views folded into `batch`, buffered; a failure makes their folds forget.
  Status CommitFolded(std::span<View* const> views, ViewBatch* batch, bool* committed) {
    const auto began = Clock::now();
    CommitOptions buffered;
    buffered.buffered = true;
    Status s = store_->Commit(batch, buffered);
    // A write of several views is counted to each in equal parts.
    const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
    for (View* v : views) {
      if (v->commit_seconds != nullptr) v->commit_seconds->Increment(seconds / views.size());
      v->cost += seconds / views.size();
      if (!s.ok()) v->projection->Forget();
    }
    if (s.ok()) *committed = true;
    return s;
  }

  // A view whose stored rows are damaged is derived data: it is dropped, to be folded again
  // from the log, rather than holding every other view (and tenant) back. The error names it.
  // A view is dropped this way once per catch-up, so a fold that keeps failing stops there.
  Status ViewFailed(View* v, const Status& s) {
    Status named =
        s.IsCorruption() ? Status::Corruption("view " + v->name + ": " + s.message()) : s;
    if (!s.IsCorruption() || v->dropped_for_damage) return named;
    LogError("projections",
             "view damaged, dropped to be rebuilt view=" + v->name + " error=" + s.message());
    Status d = DropToFoldAgain(v);
    if (!d.ok()) return named;
    v->dropped_for_damage = true;
    return Status::Corruption("projections.view_dropped", named.message());
  }

  // Catches up; a view dropped for damage on the way is folded again from the start. Views set
  // aside are tried again; one that still fails is set aside again, the others go on to the
  // head, and its failure is returned.
  Status CatchUpAgainAfterDrops() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      caught_up_but_set_aside_ = false;
      for (View& v : views_) {
        v.dropped_for_damage = false;
        v.set_aside = false;
        v.failures = 0;
      }
    }
    Status s;
    do {
      s = CatchUpLocked();
    } while (s.reason() == "projections.view_dropped");
    return s;
  }

  Status CatchUpLocked() {
    Status s = CatchUpRange(MinCheckpoint(), log_->LastPosition());
    std::lock_guard<std::mutex> lock(mu_);
    caught_up_but_set_aside_ = s.ok() && !SetAsideStatus().ok();
    return s.ok() ? SetAsideStatus() : s;
  }

  // Folds the log's events after `from` up to `head` into the views behind, in rounds, until
  // none is behind `head` but those set aside; reports progress when `report_progress`.
  Status CatchUpRange(uint64_t from, uint64_t head, bool report_progress = true) {
    // A round of a catch-up copies its 200,000 events; live rounds hold a few.
    struct ReleaseArena {
      std::vector<uint64_t>* arena;
      ~ReleaseArena() { *arena = {}; }
    } release{&round_arena_};
    const uint64_t start = from;
    const auto began = Clock::now();
    auto last_report = began;
    // `at`: the position folded up to, by every view behind.
    auto report = [&](uint64_t at, bool finished) {
      if (!options_.progress || !report_progress) return;
      CatchUpProgress p;
      p.total = head - start;
      p.done = std::min(at, head) - start;
      const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
      p.events_per_second = seconds > 0 ? p.done / seconds : 0;
      p.seconds_left = p.events_per_second > 0 ? (p.total - p.done) / p.events_per_second : 0;
      p.finished = finished;
      options_.progress(p);
    };
    // A round (the events between commits) is about `catch_up_batch_events`, read in pages of
    // up to 1,000; the reader keeps a round ahead, so reading overlaps folding.
    const size_t batch_events = std::max<size_t>(1, options_.catch_up_batch_events);
    const size_t page_size = std::min<size_t>(1000, batch_events);
    const size_t pages_ahead = batch_events / page_size + 2;
    auto reader = std::make_unique<LogPageReader>(log_, from, head, page_size, pages_ahead);
    std::vector<std::vector<RecordedEvent>> round;
    size_t in_round = 0;
    while (from < head) {
      std::vector<RecordedEvent> page;
      Status s = reader->Next(&page);
      if (s.ok() && page.empty()) s = Status::Corruption("the log ended before its last position");
      if (!s.ok()) return s;
      from = page.back().global_position();
      in_round += page.size();
      round.push_back(std::move(page));
      if (in_round < batch_events && from < head) continue;
      // A round of a rebuild is many seconds: its progress as its views finish, not at its end
      // only (a log of one round would otherwise show nothing until it is done).
      const uint64_t round_first = from - in_round;
      if (options_.progress && report_progress) {
        round_progress_ = [&](double share) {
          report(round_first + static_cast<uint64_t>(share * static_cast<double>(in_round)), false);
        };
      }
      s = FoldRound(std::move(round), RoundKind::kCatchUp);
      round_progress_ = nullptr;
      if (!s.ok()) return s;
      round.clear();
      in_round = 0;
      if (!AnyBehind(head)) break;  // what is left is for views set aside
      // A view set aside far behind the others leaves rounds none would fold: read from them.
      if (const uint64_t ahead = FollowFrom(); ahead > from + batch_events) {
        from = ahead;
        reader = std::make_unique<LogPageReader>(log_, from, head, page_size, pages_ahead);
      }
      if (Clock::now() - last_report > std::chrono::milliseconds(250)) {
        last_report = Clock::now();
        report(from, false);
      }
    }
    report(from, true);
    return Status::OK();
  }

  // The live thread at ProjectionRunnerOptions::realtime_priority, when asked and allowed; the
  // fold threads it starts inherit its policy (threads are created with PTHREAD_INHERIT_SCHED).
  void RaisePriority() {
    raised_ = false;
    if (options_.realtime_priority == 0) return;
    sched_param param{};
    param.sched_priority = options_.realtime_priority;
    const int error = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
    const std::string priority = std::to_string(options_.realtime_priority);
    if (error == 0) {
      raised_ = true;
      LogInfo("projections", "views follow the log at real-time priority " + priority);
    } else {
      LogWarn("projections", "views follow the log at the normal priority: real-time priority " +
                                 priority + " refused (" + std::strerror(error) +
                                 "; needs CAP_SYS_NICE or RLIMIT_RTPRIO of at least " + priority +
                                 ")");
    }
  }

  // The live thread back at the normal priority while it lives, then raised again: a view
  // coming back from far behind (dropped for damage: from the start) is a catch-up, and at a
  // real-time priority it would hold every other thread of the machine off a CPU for as long;
  // the log reader it starts takes the thread's policy.
  class NormalPriorityWhile {
   public:
    explicit NormalPriorityWhile(const Runner& runner) : runner_(runner) {
      if (runner_.raised_) Set(SCHED_OTHER, 0);
    }
    ~NormalPriorityWhile() {
      if (runner_.raised_) Set(SCHED_FIFO, runner_.options_.realtime_priority);
    }

   private:
    static void Set(int policy, int priority) {
      sched_param param{};
      param.sched_priority = priority;
      pthread_setschedparam(pthread_self(), policy, &param);
    }
    const Runner& runner_;
  };

  void Follow() {
    RaisePriority();
    std::unique_ptr<Subscription> sub;
    std::vector<RecordedEvent> batch;
    auto stopping = [&] {
      std::lock_guard<std::mutex> lock(mu_);
      return stop_;
    };
    while (!stopping()) {
      RetrySetAsideWhenDue();
      std::chrono::milliseconds wait(100);  // for the next event: less when a retry is due
      {
        std::unique_lock<std::mutex> lock(mu_);
        for (const View& v : views_) {
          if (!v.set_aside) continue;
          const auto until =
              std::chrono::ceil<std::chrono::milliseconds>(v.retry_at - Clock::now());
          wait = std::clamp(until, std::chrono::milliseconds(0), wait);
        }
        if (AllSetAside()) {  // nothing to follow until one is back (a runner without gates)
          stop_cv_.wait_for(lock, wait, [&] { return stop_; });
          continue;
        }
      }
      if (sub == nullptr) {
        SubscriptionOptions so;
        {
          std::lock_guard<std::mutex> lock(mu_);
          so.after_position = FollowFrom();
        }
        Status s = log_->Subscribe(so, &sub);
        if (!s.ok()) {
          Pause(s);
          continue;
        }
      }
      RecordedEvent e;
      Status s = sub->Next(&e, wait);
      if (s.IsTimedOut()) {
        PublishMetrics();
        continue;
      }
      if (s.IsShutdown()) break;
      if (!s.ok()) {
        Pause(s);
        continue;
      }
      batch.push_back(std::move(e));
      const auto deadline = Clock::now() + options_.max_batch_delay;
      while (batch.size() < options_.max_batch_events && Clock::now() < deadline) {
        s = sub->Next(&e, std::chrono::milliseconds(0));
        if (!s.ok()) break;
        batch.push_back(std::move(e));
      }
      std::lock_guard<std::mutex> fold(fold_mu_);
      if (batch.front().global_position() > FollowFrom() + 1) {
        // The views fell behind the subscription (a rebuild failed part-way after dropping
        // them, a view set aside could not be brought back to the others): folding on would
        // leave a hole. Resume from their checkpoints.
        sub.reset();
        batch.clear();
        continue;
      }
      s = FoldRound({std::move(batch)}, RoundKind::kLive);
      batch.clear();
      if (!s.ok()) {
        sub.reset();  // resume from the checkpoints that were committed
        Pause(s);
      } else {
        std::lock_guard<std::mutex> lock(mu_);
        live_status_ = Status::OK();
      }
    }
  }

  // Folds the views set aside whose retry is due further, at most ten live batches (the live
  // rounds of the others wait for it), towards where the others stand (the log's head when
  // every view is set aside). Those that reach the others go on with them from the next round;
  // those still behind go on at the next call; one that fails again is set aside for longer.
  void RetrySetAsideWhenDue() {
    std::lock_guard<std::mutex> fold(fold_mu_);
    std::vector<std::pair<View*, uint64_t>> due;  // with its checkpoint before the retry
    uint64_t from = UINT64_MAX, others = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const auto now = Clock::now();
      for (View& v : views_) {
        if (v.set_aside && v.retry_at <= now) due.emplace_back(&v, v.checkpoint);
      }
      if (due.empty()) return;
      others = AllSetAside() ? log_->LastPosition() : FollowFrom();
      for (auto [v, checkpoint] : due) {
        v->set_aside = false;
        v->retrying = true;
        from = std::min(from, checkpoint);
      }
    }
    const uint64_t to =
        std::min(others, from + 10 * std::max<uint64_t>(1, options_.max_batch_events));
    Status s;
    if (from < to) {
      NormalPriorityWhile catching_up(*this);
      s = CatchUpRange(from, to, /*report_progress=*/false);
    }
    // A view dropped for damage on the way comes back from the start like one behind.
    if (s.reason() == "projections.view_dropped") s = Status::OK();
    for (auto [v, before] : due) {
      if (v->set_aside) continue;  // failed again: SetAside said why
      if (v->checkpoint >= others) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          v->retrying = false;
        }
        v->failures = 0;
        v->dropped_for_damage = false;  // may be dropped again if damaged again
        LogInfo("projections", "view back with the others view=" + v->name +
                                   " position=" + std::to_string(v->checkpoint));
      } else if (v->checkpoint > before || !s.ok()) {
        SetAside(v, s);  // on its way back, or the round failed
      } else {
        // Not reached in this round (a view further behind went first): as it was.
        std::lock_guard<std::mutex> lock(mu_);
        v->set_aside = true;
        v->retrying = false;
      }
    }
  }

  void Pause(const Status& s) {
    LogError("projections", "live fold stopped, retrying: " + s.ToString());
    std::unique_lock<std::mutex> lock(mu_);
    live_status_ = s;
    stop_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
  }

  ProjectionRunnerOptions options_;
  EventLog* log_;
  ViewStore* store_;
  std::vector<View> views_;
  RoundMetrics round_metrics_[2];  // by RoundKind; empty without a registry
  std::mutex fold_mu_;             // one batch at a time, live or catch-up
  // The buffer each round's events are copied into (RoundEvents), kept while a catch-up lasts.
  std::vector<uint64_t> round_arena_;
  // While a catch-up's round folds: told the share of its views done (one call at a time).
  std::function<void(double)> round_progress_;
  mutable std::mutex mu_;
  std::condition_variable advanced_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  Status live_status_;  // of the last live round; LiveStatus adds the views set aside
  bool caught_up_but_set_aside_ = false;  // under mu_
  static constexpr std::chrono::seconds kRetryInterval{1};
  static constexpr size_t kMeasuredRoundEvents = 10000;  // rounds a batch is sized from
  bool raised_ = false;  // the live thread runs at options_.realtime_priority (touched by it alone)
  std::thread thread_;
};

}  // namespace

Status ProjectionRunner::Open(const ProjectionRunnerOptions& options, EventLog* log,
                              ViewStore* store,
                              std::vector<std::unique_ptr<Projection>> projections,
                              std::unique_ptr<ProjectionRunner>* runner) {
  if (options.realtime_priority < 0 || options.realtime_priority > 99) {
    return Status::InvalidArgument(
        "projections.realtime_priority",
        "a real-time priority is 1 to 99 (0: the normal priority), not " +
            std::to_string(options.realtime_priority));
  }
  auto r = std::make_unique<Runner>(options, log, store);
  Status s = r->Init(std::move(projections));
  if (s.ok()) *runner = std::move(r);
  return s;
}

}  // namespace tandem
