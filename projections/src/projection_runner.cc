#include "tandem/projections/projection_runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "log_page_reader.h"
#include "tandem/basics/logger.h"

namespace tandem {
namespace {

using Clock = std::chrono::steady_clock;

struct View {
  std::unique_ptr<Projection> projection;
  std::string name;
  uint64_t checkpoint = 0;
  prometheus::Gauge* checkpoint_gauge = nullptr;
  prometheus::Gauge* lag_gauge = nullptr;
  bool dropped_for_damage = false;  // during the current catch-up
};

class Runner : public ProjectionRunner {
 public:
  Runner(const ProjectionRunnerOptions& options, EventLog* log, ViewStore* store)
      : options_(options), log_(log), store_(store) {}

  ~Runner() override { Stop(); }

  Status Init(std::vector<std::unique_ptr<Projection>> projections) {
    prometheus::Family<prometheus::Gauge>* checkpoints = nullptr;
    prometheus::Family<prometheus::Gauge>* lags = nullptr;
    if (options_.metrics != nullptr) {
      checkpoints = &prometheus::BuildGauge()
                         .Name("tandem_projection_checkpoint")
                         .Help("Last global position folded into the view")
                         .Register(*options_.metrics);
      lags = &prometheus::BuildGauge()
                  .Name("tandem_projection_lag_events")
                  .Help("Events acknowledged by the log and not yet folded into the view")
                  .Register(*options_.metrics);
    }
    for (auto& p : projections) {
      View v;
      v.name = std::string(p->name());
      v.projection = std::move(p);
      Status s = Load(&v);
      if (!s.ok()) return s;
      if (checkpoints != nullptr) {
        v.checkpoint_gauge = &checkpoints->Add({{"projection", v.name}});
        v.lag_gauge = &lags->Add({{"projection", v.name}});
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
    std::lock_guard<std::mutex> fold(fold_mu_);
    // Every name is checked before anything is dropped: a misspelt view rebuilds nothing.
    for (const std::string& name : names) {
      if (std::none_of(views_.begin(), views_.end(),
                       [&](const View& v) { return v.name == name; })) {
        return Status::InvalidArgument("view.unknown", "unknown stored view '" + name + "'");
      }
    }
    for (View& v : views_) {
      if (!names.empty() && std::find(names.begin(), names.end(), v.name) == names.end()) continue;
      Status s = store_->Drop(v.name);
      if (!s.ok()) return s;
      v.projection->Forget();
      SetCheckpoint(&v, 0);
      LogInfo("projections", "view dropped for rebuild view=" + v.name);
    }
    return CatchUpAgainAfterDrops();
  }

  Status Start() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (thread_.joinable()) return Status::InvalidArgument("the runner is already following");
    stop_ = false;
    thread_ = std::thread([this] { Follow(); });
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

  Status LiveStatus() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return live_status_;
  }

 private:
  Status Load(View* v) {
    ViewCheckpoint c;
    Status s = store_->GetCheckpoint(v->name, &c);
    // A damaged checkpoint cannot say what the rows hold; the view is derived data, so it is
    // rebuilt rather than left to block every open (and with it `tandem rebuild`).
    const bool damaged = s.IsCorruption();
    if (!s.ok() && !damaged) return s;
    const bool other_version = c.version != 0 && c.version != v->projection->version();
    const bool ahead = c.position > log_->LastPosition();
    // A view fed from Kafka holds some partitions' events only: its checkpoint is not a prefix
    // of the log to resume from.
    std::vector<SourceOffset> offsets;
    Status offsets_status = store_->GetSourceOffsets(v->name, &offsets);
    if (!offsets_status.ok() && !offsets_status.IsCorruption()) return offsets_status;
    const bool from_kafka = !offsets_status.ok() || !offsets.empty();
    if (damaged || other_version || ahead || from_kafka) {
      LogWarn("projections", "view dropped for rebuild view=" + v->name +
                                 (damaged         ? " damaged_checkpoint"
                                  : other_version ? " stored_version=" + std::to_string(c.version)
                                  : ahead         ? " ahead_of_log=" + std::to_string(c.position)
                                                  : " fed_from_kafka"));
      s = store_->Drop(v->name);
      if (!s.ok()) return s;
      c = ViewCheckpoint();
    }
    v->checkpoint = c.position;
    return Status::OK();
  }

  uint64_t MinCheckpoint() const {
    uint64_t min = UINT64_MAX;
    for (const View& v : views_) min = std::min(min, v.checkpoint);
    return views_.empty() ? log_->LastPosition() : min;
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

  // Folds `events` (ascending positions) into every view that has not seen them, keeping the
  // changes in the folds until Commit.
  Status Apply(const std::vector<RecordedEvent>& events) {
    if (events.empty()) return Status::OK();
    if (pending_ == nullptr) pending_ = store_->NewBatch();
    const uint64_t last = events.back().global_position();
    struct Work {
      View* view;
      ViewRows* rows;
      Status status;
    };
    std::vector<Work> work;
    for (View& v : views_) {
      if (v.checkpoint >= last) continue;
      // Folded so far: the checkpoint, or the uncommitted pages beyond it.
      const uint64_t folded = std::max(v.checkpoint, pending_last_);
      if (events.front().global_position() > folded + 1) {
        return Abandon(Status::InvalidArgument(
            "projections.hole", "events from " + std::to_string(events.front().global_position()) +
                                    " would leave a hole after " + v.name + "'s position " +
                                    std::to_string(folded)));
      }
      work.push_back({&v, pending_->Rows(v.name), Status::OK()});
    }
    // Views fold independently (each its own rows, reads through the store's thread-safe Get):
    // a large page is split between this thread and one more.
    auto fold = [&](size_t first, size_t step) {
      for (size_t i = first; i < work.size(); i += step) {
        for (const RecordedEvent& e : events) {
          if (e.global_position() <= work[i].view->checkpoint) continue;
          work[i].status = work[i].view->projection->Apply(e.event(), work[i].rows);
          if (!work[i].status.ok()) break;
        }
      }
    };
    if (options_.fold_threads > 1 && work.size() > 1 && events.size() >= 64) {
      std::thread helper(fold, 1, 2);
      fold(0, 2);
      helper.join();
    } else {
      fold(0, 1);
    }
    for (Work& w : work) {
      if (!w.status.ok()) return Abandon(ViewFailed(w.view, w.status));
    }
    pending_last_ = last;
    return Status::OK();
  }

  // Writes every view's changes and checkpoint in one atomic write.
  Status Commit() {
    if (pending_ == nullptr) return Status::OK();
    const uint64_t last = pending_last_;
    for (View& v : views_) {
      if (v.checkpoint >= last) continue;
      ViewRows* rows = pending_->Rows(v.name);
      Status s = v.projection->Flush(rows);
      if (!s.ok()) return Abandon(ViewFailed(&v, s));
      pending_->SetCheckpoint(v.name, {last, v.projection->version()});
    }
    Status s = store_->Commit(pending_.get());
    if (!s.ok()) return Abandon(s);
    pending_.reset();
    pending_last_ = 0;
    for (View& v : views_) {
      if (v.checkpoint < last) SetCheckpoint(&v, last);
    }
    PublishMetrics();
    if (options_.on_advance) options_.on_advance(Position());
    return Status::OK();
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
    Status d = store_->Drop(v->name);
    if (!d.ok()) return named;
    v->dropped_for_damage = true;
    v->projection->Forget();
    SetCheckpoint(v, 0);
    return Status::Corruption("projections.view_dropped", named.message());
  }

  // Every fold forgets what was not committed; the next fold resumes from the checkpoints.
  Status Abandon(const Status& s) {
    pending_.reset();
    pending_last_ = 0;
    for (View& v : views_) v.projection->Forget();
    return s;
  }

  Status Fold(const std::vector<RecordedEvent>& events) {
    Status s = Apply(events);
    return s.ok() ? Commit() : s;
  }

  // Catches up; a view dropped for damage on the way is folded again from the start.
  Status CatchUpAgainAfterDrops() {
    for (View& v : views_) v.dropped_for_damage = false;
    Status s;
    do {
      s = CatchUpLocked();
    } while (s.reason() == "projections.view_dropped");
    return s;
  }

  Status CatchUpLocked() {
    const uint64_t head = log_->LastPosition();
    uint64_t from = MinCheckpoint();
    const uint64_t start = from;
    const auto began = Clock::now();
    auto last_report = began;
    auto report = [&](bool finished) {
      if (!options_.progress) return;
      CatchUpProgress p;
      p.total = head - start;
      p.done = from - start;
      const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
      p.events_per_second = seconds > 0 ? p.done / seconds : 0;
      p.seconds_left = p.events_per_second > 0 ? (p.total - p.done) / p.events_per_second : 0;
      p.finished = finished;
      options_.progress(p);
    };
    // Pages end where a batch may, so a commit holds about `catch_up_batch_events`.
    const size_t batch_events = std::max<size_t>(1, options_.catch_up_batch_events);
    LogPageReader reader(log_, from, head, std::min<size_t>(1000, batch_events));
    std::vector<RecordedEvent> page;
    size_t folded = 0;
    while (from < head) {
      Status s = reader.Next(&page);
      if (s.ok() && page.empty()) s = Status::Corruption("the log ended before its last position");
      if (s.ok()) s = Apply(page);
      if (!s.ok()) return Abandon(s);
      from = page.back().global_position();
      folded += page.size();
      if (folded >= batch_events || from >= head) {
        s = Commit();
        if (!s.ok()) return s;
        folded = 0;
        if (Clock::now() - last_report > std::chrono::milliseconds(250)) {
          last_report = Clock::now();
          report(false);
        }
      }
    }
    report(true);
    return Status::OK();
  }

  void Follow() {
    std::unique_ptr<Subscription> sub;
    std::vector<RecordedEvent> batch;
    auto stopping = [&] {
      std::lock_guard<std::mutex> lock(mu_);
      return stop_;
    };
    while (!stopping()) {
      if (sub == nullptr) {
        SubscriptionOptions so;
        {
          std::lock_guard<std::mutex> lock(mu_);
          so.after_position = MinCheckpoint();
        }
        Status s = log_->Subscribe(so, &sub);
        if (!s.ok()) {
          Pause(s);
          continue;
        }
      }
      RecordedEvent e;
      Status s = sub->Next(&e, std::chrono::milliseconds(100));
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
      if (batch.front().global_position() > MinCheckpoint() + 1) {
        // The views fell behind the subscription (a rebuild failed part-way after dropping
        // them): folding on would leave a hole. Resume from their checkpoints.
        sub.reset();
        batch.clear();
        continue;
      }
      s = Fold(batch);
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
  std::unique_ptr<ViewBatch> pending_;  // changes folded and not yet committed
  uint64_t pending_last_ = 0;
  std::mutex fold_mu_;  // one batch at a time, live or catch-up
  mutable std::mutex mu_;
  std::condition_variable advanced_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  Status live_status_;
  std::thread thread_;
};

}  // namespace

Status ProjectionRunner::Open(const ProjectionRunnerOptions& options, EventLog* log,
                              ViewStore* store,
                              std::vector<std::unique_ptr<Projection>> projections,
                              std::unique_ptr<ProjectionRunner>* runner) {
  auto r = std::make_unique<Runner>(options, log, store);
  Status s = r->Init(std::move(projections));
  if (s.ok()) *runner = std::move(r);
  return s;
}

}  // namespace tandem
