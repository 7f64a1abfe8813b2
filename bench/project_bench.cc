#include "project_bench.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <prometheus/registry.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <boost/program_options.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include "bench_options.h"
#include "history/history_generator.h"
#include "round_events.h"
#include "tandem/basics/clock.h"
#include "tandem/basics/logger.h"
#include "tandem/domain/blob_store.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/view_snapshots.h"
#include "tandem/projections/views.h"

namespace tandem::bench {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double Milliseconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(v.size() * p))];
}

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "tandem-bench project: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// The generator's project ids: p0001, p0002, ...
std::string ProjectId(uint64_t k) {
  char id[32];
  std::snprintf(id, sizeof id, "p%04llu", static_cast<unsigned long long>(k + 1));
  return id;
}

// Reads the whole log in pages, handing each page to `visit`.
void ForEachPage(EventLog* log,
                 const std::function<void(const std::vector<RecordedEvent>&)>& visit) {
  ReadOptions options;
  options.max_count = 1000;
  std::vector<RecordedEvent> page;
  for (uint64_t next = 1;;) {
    Check(log->ReadAll(next, options, &page), "read the log");
    if (page.empty()) return;
    visit(page);
    next = page.back().global_position() + 1;
  }
}

void EnsureHistory(const po::variables_map& vm, const std::string& dir) {
  const uint64_t events = vm["events"].as<uint64_t>();
  {
    EventLogOptions ro;
    ro.read_only = true;
    std::unique_ptr<EventLog> existing;
    const Status opened = EventLog::Open(ro, dir + "/log", &existing);
    // A log waiting for its journal's recovery is a history, not a missing one.
    if (opened.reason() == "log.recovery_pending") Check(opened, "open the history");
    if (opened.ok() && existing->LastPosition() >= events) {
      std::printf("history=reused events=%llu\n", static_cast<unsigned long long>(events));
      return;
    }
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  EventLogOptions lo;
  lo.durability = Durability::kBuffered;  // a generated history is rebuilt, never precious
  std::unique_ptr<EventLog> log;
  Check(EventLog::Open(lo, dir + "/log", &log), "open the log");
  std::unique_ptr<BlobStore> blobs;
  Check(BlobStore::Open(BlobStoreOptions(), dir + "/blobs", &blobs), "open the blob store");
  history::HistoryOptions ho;
  ho.seed = vm["seed"].as<uint64_t>();
  ho.events = events;
  ho.projects = vm["projects"].as<int>();
  ho.clients = vm["clients"].as<int>();
  CommandHandlerOptions co;
  co.now_us = [&] { return ho.link_now_us; };
  std::unique_ptr<CommandHandler> handler;
  Check(CommandHandler::Open(co, log.get(), blobs.get(), &handler), "open the handler");
  history::HistoryStats stats;
  const auto start = Clock::now();
  uint64_t next_report = events / 10;
  Check(history::GenerateHistory(ho, handler.get(), &stats,
                                 [&](uint64_t done) {
                                   if (done < next_report) return;
                                   next_report += events / 10;
                                   std::fprintf(stderr, "generated %llu/%llu events\n",
                                                static_cast<unsigned long long>(done),
                                                static_cast<unsigned long long>(events));
                                 }),
        "generate the history");
  std::printf("history=generated events=%llu generate_events_per_s=%.0f\n",
              static_cast<unsigned long long>(log->LastPosition()),
              log->LastPosition() / Seconds(start));
}

std::unique_ptr<EventLog> OpenLogReadOnly(const std::string& dir) {
  EventLogOptions ro;
  ro.read_only = true;
  std::unique_ptr<EventLog> log;
  Check(EventLog::Open(ro, dir + "/log", &log), "open the log");
  return log;
}

// One thread folding the log's events into one projection, its rows in memory: the fold's own
// cost, without the log's reads or RocksDB. The fold flushes every catch-up round, as in a
// rebuild (its caches stay the size they have there).
struct FoldResult {
  double events_per_s = 0;
  // Per event folded: rows looked up, rows written (puts and appends), bytes written. What a
  // view writes per event is what its rebuild costs in RocksDB, whatever the fold's speed.
  double reads = 0, writes = 0, bytes = 0;
};

FoldResult FoldRate(EventLog* log, const std::string& view) {
  const uint64_t round = ProjectionRunnerOptions().catch_up_batch_events;
  std::vector<std::unique_ptr<Projection>> projections;
  Check(MakeProjections({view}, &projections), "make the projection");
  // Rows in a hash map: what a fold reads back is what it wrote, without RocksDB (folds only
  // Get; Scan serves readers). Looked up by the key as given, never copied for a lookup: the
  // stand-in must cost little next to the fold it measures.
  struct MapRows : ViewRows {
    Status Get(std::string_view key, std::string* value) const override {
      ++reads;
      auto it = map.find(key);
      if (it == map.end()) return Status::NotFound("");
      *value = it->second;
      return Status::OK();
    }
    Status Scan(std::string_view,
                const std::function<bool(std::string_view, std::string_view)>&) const override {
      return Status::InvalidArgument("bench.scan", "the fold benchmark's rows are not ordered");
    }
    void Put(std::string_view key, std::string_view value) override {
      Wrote(key.size() + value.size());
      Row(key).assign(value);
    }
    void Delete(std::string_view key) override {
      if (auto it = map.find(key); it != map.end()) map.erase(it);
    }
    void Append(std::string_view key, std::string_view bytes) override {
      Wrote(key.size() + bytes.size());
      Row(key).append(bytes);
    }
    std::string& Row(std::string_view key) {
      auto it = map.find(key);
      if (it == map.end()) it = map.emplace(std::string(key), std::string()).first;
      return it->second;
    }
    void Wrote(size_t size) {
      ++writes;
      written += size;
    }
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
    };
    boost::unordered_flat_map<std::string, std::string, Hash, std::equal_to<>> map;
    mutable uint64_t reads = 0;
    uint64_t writes = 0, written = 0;
  } rows;
  double seconds = 0;
  uint64_t events = 0;
  // Rounds as the runner folds them: copied into one buffer, grouped by project for a view
  // whose projects fold apart (the copy is the runner's, not the fold's: not timed).
  std::vector<std::vector<RecordedEvent>> pages;
  size_t in_round = 0;
  std::vector<uint64_t> arena;
  auto fold_round = [&] {
    const RoundEvents round(std::move(pages), projections[0]->projects_fold_apart(), &arena);
    pages.clear();
    in_round = 0;
    const auto start = Clock::now();
    for (const schema::Event* e : round.by_project())
      Check(projections[0]->Apply(*e, &rows), "fold");
    Check(projections[0]->Flush(&rows), "flush");
    seconds += Seconds(start);
    events += round.size();
  };
  ForEachPage(log, [&](const std::vector<RecordedEvent>& page) {
    pages.push_back(page);
    in_round += page.size();
    if (in_round >= round) fold_round();
  });
  if (in_round > 0) fold_round();
  FoldResult r;
  r.events_per_s = events / seconds;
  r.reads = static_cast<double>(rows.reads) / events;
  r.writes = static_cast<double>(rows.writes) / events;
  r.bytes = static_cast<double>(rows.written) / events;
  return r;
}

// The raw fold floor: every event of the log read, and one 200-byte row per event written in
// WriteBatches of 1,000 with a checkpoint key, unsynced.
double FloorRate(EventLog* log, const std::string& dir) {
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 20;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) Check(Status::IOError(dir), "open the floor");
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string value(200, 'v');
  rocksdb::WriteBatch batch;
  uint64_t events = 0;
  const auto start = Clock::now();
  auto commit = [&](uint64_t position) {
    char key[8];
    for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(position >> (56 - 8 * i));
    batch.Put("checkpoint", rocksdb::Slice(key, 8));
    db->Write(rocksdb::WriteOptions(), &batch);
    batch.Clear();
  };
  ForEachPage(log, [&](const std::vector<RecordedEvent>& page) {
    for (const RecordedEvent& e : page) {
      const uint64_t p = e.global_position();
      char key[8];
      for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(p >> (56 - 8 * i));
      batch.Put(rocksdb::Slice(key, 8), value);
      if (++events % 1000 == 0) commit(p);
    }
  });
  commit(events);
  const double rate = events / Seconds(start);
  db->Close();
  db.reset();
  std::filesystem::remove_all(dir);
  return rate;
}

// The rebuild runs in a process of its own, so that its peak RSS is its own.
struct RebuildResult {
  double events_per_s = 0;
  double peak_rss_mb = 0;
  double views_mb = 0;
};

RebuildResult RebuildInChild(const std::string& dir, size_t row_cache_mb) {
  const std::string cache_mb = std::to_string(row_cache_mb);
  int fds[2];
  if (pipe(fds) != 0) Check(Status::IOError("pipe"), "start the rebuild");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    execl("/proc/self/exe", "tandem-bench", "project", "--phase", "rebuild", "--dir", dir.c_str(),
          "--row-cache-mb", cache_mb.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Check(Status::IOError("the rebuild process failed: " + out), "rebuild");
  }
  RebuildResult r;
  std::sscanf(out.c_str(), "rebuild_events_per_s=%lf views_mb=%lf", &r.events_per_s, &r.views_mb);
  r.peak_rss_mb = usage.ru_maxrss / 1024.0;
  return r;
}

void PrintFoldRates(EventLog* log, const std::string& only = "") {
  for (const std::string& view : StoredViewNames()) {
    if (!only.empty() && view != only) continue;
    const FoldResult r = FoldRate(log, view);
    std::printf(
        "fold_events_per_s_%s=%.0f fold_row_reads_per_event=%.3f fold_row_writes_per_event=%.3f "
        "fold_bytes_written_per_event=%.1f\n",
        view.c_str(), r.events_per_s, r.reads, r.writes, r.bytes);
    std::fflush(stdout);
  }
}

int FoldPhase(const std::string& dir, const std::string& view) {
  SetLogLevel(LogLevel::kWarn);
  std::unique_ptr<EventLog> log = OpenLogReadOnly(dir);
  PrintFoldRates(log.get(), view);
  return 0;
}

// One append of the live phase.
struct LiveAppend {
  StreamId stream;
  NewEvent event;
};

// The live mix "comments": client comments, each on the one client thread of one of 100
// projects of this run's own (created here, before the clock starts). Every append then folds
// into rows that exist: the cheapest live load, kept to compare with earlier measurements.
std::vector<LiveAppend> LiveComments(EventLog* log, uint64_t count) {
  std::vector<std::string> projects;
  const std::string run = std::to_string(SystemNowMicros());
  for (int i = 0; i < 100; ++i) {
    const std::string id = "live-" + run + "-" + std::to_string(i);
    schema::ProjectCreatedT p;
    p.project_id = id;
    p.client_id = "c01";
    p.name = "Live " + std::to_string(i);
    NewEvent e;
    e.actor = "owner";
    e.audience = schema::Audience::Client;
    e.payload.Set(std::move(p));
    AppendResult result;
    Check(log->Append({"bench", "project:" + id}, ExpectedVersion::NoStream(), {std::move(e)}, "",
                      &result),
          "create a live project");
    projects.push_back(id);
  }
  std::vector<LiveAppend> appends(count);
  for (uint64_t i = 0; i < count; ++i) {
    schema::CommentPostedT c;
    const std::string& project = projects[i % projects.size()];
    c.project_id = project;
    c.thread_id = "live";
    c.comment_id = "live-" + std::to_string(i);
    c.thread_audience = schema::Audience::Client;
    c.body = "A live comment of a realistic length, asking about the next milestone.";
    appends[i].stream = {"bench", "project:" + project};
    appends[i].event.actor = "bench-pm";
    appends[i].event.audience = schema::Audience::Client;
    appends[i].event.payload.Set(std::move(c));
  }
  return appends;
}

// The live mix "history": the generated history's first `count` events again, in their order,
// as a workspace of this run's own. A workspace's life as it comes (projects, boards and
// milestones created, threads opened, cards moved, files uploaded, comments), so that folds
// also create rows and look up rows that do not exist yet; and the generated workspace stays as
// generated for the next run's as-of reads.
std::vector<LiveAppend> LiveHistory(EventLog* log, uint64_t count) {
  const std::string tenant = "live-" + std::to_string(SystemNowMicros());
  std::vector<LiveAppend> appends;
  appends.reserve(count);
  ReadOptions options;
  options.max_count = 1000;
  std::vector<RecordedEvent> page;
  for (uint64_t next = 1; appends.size() < count;) {
    Check(log->ReadAll(next, options, &page), "read the history to replay");
    if (page.empty())
      Check(Status::InvalidArgument("the history is shorter than the live phase"),
            "replay the history");
    for (const RecordedEvent& recorded : page) {
      if (appends.size() == count) break;
      const schema::Event& e = recorded.event();
      LiveAppend a;
      a.stream = {tenant, e.stream_id()->str()};
      a.event.actor = e.actor() == nullptr ? "" : e.actor()->str();
      a.event.audience = e.audience();
      a.event.payload.type = e.payload_type();
      a.event.payload.value = schema::PayloadUnion::UnPack(e.payload(), e.payload_type(), nullptr);
      if (auto* created = a.event.payload.AsWorkspaceCreated()) created->workspace_id = tenant;
      appends.push_back(std::move(a));
    }
    next = page.back().global_position() + 1;
  }
  return appends;
}

// The payload types making up at least 1% of `appends`, most common first.
void PrintLiveMix(const std::string& mix, const std::vector<LiveAppend>& appends) {
  std::map<std::string, uint64_t> by_type;
  for (const LiveAppend& a : appends) ++by_type[schema::EnumNamePayload(a.event.payload.type)];
  std::vector<std::pair<uint64_t, std::string>> sorted;
  for (const auto& [type, n] : by_type) sorted.emplace_back(n, type);
  std::sort(sorted.rbegin(), sorted.rend());
  std::printf("live_mix=%s", mix.c_str());
  for (const auto& [n, type] : sorted) {
    const double share = static_cast<double>(n) / appends.size();
    if (share >= 0.01) std::printf(" live_mix_%s=%.2f", type.c_str(), share);
  }
  std::printf("\n");
}

// A metric's samples summed over its label sets: a counter's value, or a histogram's sample
// count and sum; only the label sets carrying `label` when it is given.
struct MetricTotal {
  double value = 0, count = 0, sum = 0;
};
MetricTotal SumMetric(prometheus::Registry& registry, const std::string& name,
                      const std::string& label = "") {
  MetricTotal total;
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      if (!label.empty() && std::none_of(m.label.begin(), m.label.end(),
                                         [&](const auto& l) { return l.value == label; })) {
        continue;
      }
      total.value += m.counter.value;
      total.count += static_cast<double>(m.histogram.sample_count);
      total.sum += m.histogram.sample_sum;
    }
  }
  return total;
}

double ProcessCpuSeconds();

// What the live runner and the process have spent so far; the live phase reports the difference
// over its measured window (after the warm-up), the window its lag samples come from.
struct LiveCounters {
  MetricTotal rounds, round_events;
  double folding = 0, committing = 0, cpu_s = 0;
  std::map<std::string, double> view_seconds;  // each view's folding and committing
  Clock::time_point at;
};
LiveCounters ReadLiveCounters(prometheus::Registry& registry) {
  LiveCounters c;
  c.rounds = SumMetric(registry, "tandem_projection_round_seconds", "live");
  c.round_events = SumMetric(registry, "tandem_projection_round_events", "live");
  c.folding = SumMetric(registry, "tandem_projection_fold_seconds_total").value;
  c.committing = SumMetric(registry, "tandem_projection_commit_seconds_total").value;
  for (const std::string& view : StoredViewNames()) {
    c.view_seconds[view] =
        SumMetric(registry, "tandem_projection_fold_seconds_total", view).value +
        SumMetric(registry, "tandem_projection_commit_seconds_total", view).value;
  }
  c.cpu_s = ProcessCpuSeconds();
  c.at = Clock::now();
  return c;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// A rebuild of every view, or of `view` alone (empty: all).
int RebuildPhase(const std::string& dir, size_t row_cache_mb, const std::string& view) {
  SetLogLevel(LogLevel::kWarn);
  std::unique_ptr<EventLog> log = OpenLogReadOnly(dir);
  std::filesystem::remove_all(dir + "/views");
  std::unique_ptr<ViewStore> store;
  Check(ViewStore::Open(ViewStoreOptions(), dir + "/views", &store), "open the views");
  std::vector<std::unique_ptr<Projection>> projections;
  ProjectionOptions projection_options;
  projection_options.row_cache_bytes = row_cache_mb << 20;
  std::vector<std::string> views;
  if (!view.empty()) views.push_back(view);
  Check(MakeProjections(views, &projections, projection_options), "make the projections");
  prometheus::Registry registry;
  ProjectionRunnerOptions runner_options;
  runner_options.metrics = &registry;
  std::unique_ptr<ProjectionRunner> runner;
  Check(ProjectionRunner::Open(runner_options, log.get(), store.get(), std::move(projections),
                               &runner),
        "open the runner");
  const double cpu_before = ProcessCpuSeconds();
  const auto start = Clock::now();
  Check(runner->Rebuild({}), "rebuild");
  const double wall = Seconds(start), cpu = ProcessCpuSeconds() - cpu_before;
  uint64_t bytes = 0;
  for (const std::string& name : StoredViewNames()) bytes += store->ApproximateSize(name);
  std::printf("rebuild_events_per_s=%.0f views_mb=%.1f\n", log->LastPosition() / wall,
              bytes / 1048576.0);
  // How well the rebuild keeps the cores busy: the views' folds and commits (on the fold
  // threads) and the whole process (with reading the log and RocksDB's background work), in
  // cores used over the rebuild's wall time.
  const double folding = SumMetric(registry, "tandem_projection_fold_seconds_total").value;
  const double committing = SumMetric(registry, "tandem_projection_commit_seconds_total").value;
  std::printf(
      "rebuild_rounds=%.0f rebuild_wall_s=%.2f rebuild_fold_cores=%.2f rebuild_commit_cores=%.2f "
      "rebuild_process_cores=%.2f rebuild_cpu_us_per_event=%.2f\n",
      SumMetric(registry, "tandem_projection_round_seconds", "catch_up").count, wall,
      folding / wall, committing / wall, cpu / wall, cpu * 1e6 / log->LastPosition());
  return 0;
}

// The views database as `tandem serve` opens it for following the log: written behind by
// --write-behind-ms, so that the lag measured is the one its readers see.
ViewStoreOptions LiveStoreOptions(const po::variables_map& vm) {
  ViewStoreOptions options;
  options.write_behind = std::chrono::milliseconds(vm["write-behind-ms"].as<uint64_t>());
  options.write_behind_at_lowest_priority = true;  // as tandem serve runs it
  std::printf("live_write_behind_ms=%llu\n",
              static_cast<unsigned long long>(options.write_behind.count()));
  return options;
}

struct LiveRun {
  double rate = 10000;          // appends per second
  double warmup = 2;            // seconds of appends before the measured ones
  double seconds = 5;           // measured
  std::string only_view;        // empty: every view follows
  std::string mix;              // history or comments
  int realtime_priority = 0;    // ProjectionRunnerOptions::realtime_priority
  uint64_t snapshot_every = 0;  // ViewSnapshotOptions::every_events (0: none), as serve's
  std::string snapshot_dir;
};

LiveRun LiveRunFrom(const po::variables_map& vm, const std::string& only_view) {
  LiveRun run;
  run.rate = vm["live-rate"].as<double>();
  run.warmup = vm["live-warmup"].as<double>();
  run.seconds = vm["live-seconds"].as<double>();
  run.only_view = only_view;
  run.mix = vm["live-mix"].as<std::string>();
  run.realtime_priority = vm["realtime-priority"].as<int>();
  run.snapshot_every = vm["live-snapshot-every"].as<uint64_t>();
  run.snapshot_dir = vm["dir"].as<std::string>() + "/live-snapshots";
  return run;
}

// Appends the live mix at its rate for the warm-up and the measured seconds while the runner
// follows live; the lag of an event appended after the warm-up is from its append's
// acknowledgement to the commit of the batch that folded it (visible to the process's readers). The
// warm-up lets the process reach its steady state first (the rows the appends touch cached, the
// views' compaction after the open done).
void MeasureLiveLag(EventLog* log, ViewStore* store, const LiveRun& run) {
  const double rate = run.rate, warmup = run.warmup;
  const std::string& only_view = run.only_view;
  const std::string& mix = run.mix;
  const uint64_t warm = static_cast<uint64_t>(rate * warmup);
  const uint64_t total = warm + static_cast<uint64_t>(rate * run.seconds);
  std::vector<LiveAppend> appends;
  if (mix == "comments") {
    appends = LiveComments(log, total);
  } else if (mix == "history") {
    appends = LiveHistory(log, total);
  } else {
    Check(Status::InvalidArgument("unknown live mix " + mix + " (history or comments)"),
          "the live mix");
  }
  PrintLiveMix(mix, appends);
  std::mutex mu;
  struct Appended {
    Clock::time_point submitted, acknowledged;
  };
  std::map<uint64_t, Appended> acked;  // position -> when
  // Acknowledged -> in the views (the lag), submitted -> acknowledged (the append's own time),
  // and submitted -> in the views (what a client that appends and then reads waits for): a
  // runner that folds before the acknowledgement is delivered shows a lag of 0 and a longer
  // append.
  std::vector<double> lag_ms, append_ms, submit_to_view_ms;
  uint64_t folded = 0;
  prometheus::Registry registry;
  ProjectionRunnerOptions options;
  options.metrics = &registry;
  options.max_batch_events = 1000;
  options.max_batch_delay = std::chrono::milliseconds(1);
  options.realtime_priority = run.realtime_priority;
  std::printf("live_realtime_priority=%d\n", run.realtime_priority);
  options.on_advance = [&](uint64_t position) {
    std::lock_guard<std::mutex> lock(mu);
    const auto now = Clock::now();
    for (auto it = acked.begin(); it != acked.end() && it->first <= position;) {
      lag_ms.push_back(Milliseconds(it->second.acknowledged, now));
      submit_to_view_ms.push_back(Milliseconds(it->second.submitted, now));
      it = acked.erase(it);
    }
    folded = std::max(folded, position);
    if (getenv("TANDEM_BENCH_TRACE")) {
      static auto last = Clock::now();
      fprintf(stderr, "advance position=%llu since_last_ms=%.2f\n", (unsigned long long)position,
              std::chrono::duration<double, std::milli>(now - last).count());
      last = now;
    }
  };
  std::vector<std::unique_ptr<Projection>> projections;
  Check(MakeProjections(
            only_view.empty() ? std::vector<std::string>{} : std::vector<std::string>{only_view},
            &projections),
        "make the projections");
  std::unique_ptr<ProjectionRunner> runner;
  Check(ProjectionRunner::Open(options, log, store, std::move(projections), &runner), "runner");
  Check(runner->CatchUp(), "catch up");
  // The lag of views following the log, not of the compaction of what the rebuild (or the last
  // run) left behind, which `tandem rebuild` does before it returns.
  const auto compact_start = Clock::now();
  Check(store->Compact({}), "compact the views");
  std::printf("live_views_compact_s=%.1f\n", Seconds(compact_start));
  std::fflush(stdout);
  Check(runner->Start(), "start");
  // Copies of the views taken beside the live rounds, as `tandem serve` takes them.
  std::unique_ptr<ViewSnapshotter> snapshotter;
  if (run.snapshot_every > 0) {
    std::filesystem::remove_all(run.snapshot_dir);
    ViewSnapshotOptions snapshots;
    snapshots.dir = run.snapshot_dir;
    snapshots.every_events = run.snapshot_every;
    ProjectionRunner* following = runner.get();
    Check(ViewSnapshotter::Start(
              snapshots, store, log, [following] { return following->Position(); }, &snapshotter),
          "take snapshots");
  }
  std::printf("live_snapshot_every=%llu\n", static_cast<unsigned long long>(run.snapshot_every));
  LiveCounters warmed;  // read when the measured appends begin
  std::atomic<uint64_t> done{0};
  const auto start = Clock::now();
  for (uint64_t i = 0; i < total; ++i) {
    // Timed from when it was due, not from when the appender woke to send it (a late wake-up
    // is part of what a client waits for).
    const auto due = start + std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / rate));
    std::this_thread::sleep_until(due);
    if (i == warm) warmed = ReadLiveCounters(registry);
    log->AppendAsync(
        appends[i].stream, ExpectedVersion::Any(), {std::move(appends[i].event)}, "",
        [&, measured = i >= warm, submitted = due](const Status& s, const AppendResult& r) {
          if (s.ok() && measured) {
            // Under the lock: the times and `folded` in one order with the advances.
            std::lock_guard<std::mutex> lock(mu);
            const auto now = Clock::now();
            append_ms.push_back(Milliseconds(submitted, now));
            if (r.last_position > folded) {
              acked[r.last_position] = {submitted, now};
            } else {
              lag_ms.push_back(0);
              submit_to_view_ms.push_back(Milliseconds(submitted, now));
            }
          }
          done++;
        });
  }
  while (done < total) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const Status caught_up = runner->WaitForPosition(log->LastPosition(), std::chrono::seconds(30));
  if (!caught_up.ok()) {
    std::fprintf(stderr, "the views did not reach the log's head: %s\n",
                 caught_up.ToString().c_str());
  }
  const LiveCounters end = ReadLiveCounters(registry);
  if (warm >= total) warmed = end;  // nothing measured
  const double achieved = total / Seconds(start);
  if (snapshotter != nullptr) {
    std::printf("live_snapshots_taken=%llu\n",
                static_cast<unsigned long long>(snapshotter->taken()));
    snapshotter.reset();
    std::filesystem::remove_all(run.snapshot_dir);
  }
  runner->Stop();  // its last on_advance has run
  size_t unfolded = 0;
  {
    // An event the views did not fold within the wait is at least that late: a sample, not one
    // left out (which would make the tail look better than it was).
    std::lock_guard<std::mutex> lock(mu);
    const auto now = Clock::now();
    for (const auto& [position, appended] : acked) {
      lag_ms.push_back(Milliseconds(appended.acknowledged, now));
      submit_to_view_ms.push_back(Milliseconds(appended.submitted, now));
    }
    unfolded = acked.size();
    acked.clear();
  }
  // Over the measured window. Everything the process spent while appends arrived (the
  // appender, the log, the runner, RocksDB's flushes and compactions) is steadier than the
  // lag's tail for comparing two builds; a runner busy most of the time lets a long round
  // gather a large next one (docs/projection-performance.md, "How the tail forms").
  const double window_s = std::chrono::duration<double>(end.at - warmed.at).count();
  const double measured = static_cast<double>(total - warm);
  const double rounds = end.rounds.count - warmed.rounds.count;
  const double folding = end.folding - warmed.folding;
  const double committing = end.committing - warmed.committing;
  std::printf(
      "live_rounds=%.0f live_events_per_round=%.1f live_busy_fraction=%.2f "
      "live_commit_share=%.2f live_process_cpu_us_per_event=%.1f\n",
      rounds, rounds > 0 ? (end.round_events.sum - warmed.round_events.sum) / rounds : 0,
      window_s > 0 ? (end.rounds.sum - warmed.rounds.sum) / window_s : 0,
      folding + committing > 0 ? committing / (folding + committing) : 0,
      measured > 0 ? (end.cpu_s - warmed.cpu_s) * 1e6 / measured : 0);
  // Which views the runner's time goes to (each view's share of the window, folding and
  // committing): the dearest are where fewer rows per event pay.
  const char* separator = "";
  for (const auto& [view, seconds] : end.view_seconds) {
    const double busy = window_s > 0 ? (seconds - warmed.view_seconds[view]) / window_s : 0;
    if (busy <= 0) continue;
    std::printf("%slive_view_busy_%s=%.3f", separator, view.c_str(), busy);
    separator = " ";
  }
  if (*separator != '\0') std::printf("\n");
  std::lock_guard<std::mutex> lock(mu);
  std::printf(
      "live_warmup_s=%.1f live_appends_per_s=%.0f live_lag_samples=%zu live_lag_unfolded=%zu "
      "live_lag_ms_p50=%.2f live_lag_ms_p99=%.2f live_lag_ms_max=%.2f\n",
      warmup, achieved, lag_ms.size(), unfolded, Percentile(lag_ms, 0.50), Percentile(lag_ms, 0.99),
      Percentile(lag_ms, 1.0));
  std::printf(
      "live_append_ms_p50=%.2f live_append_ms_p99=%.2f live_submit_to_view_ms_p50=%.2f "
      "live_submit_to_view_ms_p99=%.2f\n",
      Percentile(append_ms, 0.50), Percentile(append_ms, 0.99), Percentile(submit_to_view_ms, 0.50),
      Percentile(submit_to_view_ms, 0.99));
}

// The client timeline of a random project as of a random position: fold its streams in memory
// up to there, then read.
void MeasureAsOf(EventLog* log, int projects, int samples, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> ms;
  std::vector<std::string> stored;
  Check(ViewsNeeded("client-timeline", &stored), "views needed");
  int served = 0;
  for (int i = 0; i < samples; ++i) {
    ViewRequest request;
    request.view = "client-timeline";
    request.workspace = "bench";
    request.project = ProjectId(rng() % projects);
    AsOfScope scope;
    scope.tenant = request.workspace;
    scope.project = request.project;
    scope.position = 1 + rng() % log->LastPosition();
    scope.views = stored;
    const auto start = Clock::now();
    std::unique_ptr<ViewSource> source;
    Check(FoldAsOf(log, scope, &source), "as-of fold");
    std::string out;
    served += ReadView(request, source.get(), &out).ok() ? 1 : 0;  // not yet created: NotFound
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::printf("as_of_samples=%d as_of_served=%d as_of_ms_p50=%.2f as_of_ms_p99=%.2f\n", samples,
              served, Percentile(ms, 0.50), Percentile(ms, 0.99));
}

}  // namespace

int RunProjectBench(const std::vector<std::string>& args) {
  po::options_description desc("tandem-bench project options");
  desc.add_options()("help,h", "show this help")(
      "dir", po::value<std::string>()->default_value("/tmp/tandem-bench-project"),
      "scratch folder; a history of the same size found there is reused")(
      "events", po::value<uint64_t>()->default_value(1'000'000), "events in the history")(
      "projects", po::value<int>()->default_value(2000), "projects")(
      "clients", po::value<int>()->default_value(50), "clients")(
      "seed", po::value<uint64_t>()->default_value(1), "generator seed")(
      "live-rate", po::value<double>()->default_value(10000), "appends/s while measuring lag")(
      "live-seconds", po::value<double>()->default_value(5), "seconds of live appends measured")(
      "live-warmup", po::value<double>()->default_value(2),
      "seconds of live appends before the measured ones")(
      "write-behind-ms", po::value<uint64_t>()->default_value(50),
      "the live phase's views written behind by this much (ViewStoreOptions::write_behind, as "
      "tandem serve's --views-write-behind-ms); 0 writes every round at once")(
      "realtime-priority", po::value<int>()->default_value(0),
      "the live phase's runner at this real-time priority (ProjectionRunnerOptions::"
      "realtime_priority, as tandem serve's --views-realtime-priority); 0: the normal one")(
      "live-snapshot-every", po::value<uint64_t>()->default_value(0),
      "the live phase copies the views each time they have folded this many events more "
      "(ViewSnapshotOptions::every_events, as tandem serve's --views-snapshot-every); 0: none")(
      "live-mix", po::value<std::string>()->default_value("history"),
      "what the live phase appends: history (the generated history's beginning again, as a "
      "workspace of the run's own: creations, moves, uploads and comments) or comments (client "
      "comments on 100 threads that exist)")("as-of-samples", po::value<int>()->default_value(500),
                                             "as-of reads timed")(
      "row-cache-mb", po::value<size_t>()->default_value(ProjectionOptions().row_cache_bytes >> 20),
      "the rebuild's row-cache budget (ProjectionOptions::row_cache_bytes), in MB")(
      "view", po::value<std::string>()->default_value(""),
      "with --phase fold: only this view's fold rate; with --phase rebuild: a rebuild of this "
      "view alone; with --phase live: only this view following the log (the lag's floor with a "
      "cheap one)")(
      "phase", po::value<std::string>()->default_value("all"),
      "all, generate (the history alone), fold (the in-memory fold rates alone), as-of (the as-of "
      "reads alone), live (the lag alone), floor (the raw fold floor alone), rebuild (a rebuild "
      "of every view, or of --view, alone)");
  po::variables_map vm;
  int rc = ParseBenchOptions("project", desc, args, &vm);
  if (rc >= 0) return rc;
  const std::string dir = vm["dir"].as<std::string>();
  const size_t row_cache_mb = vm["row-cache-mb"].as<size_t>();
  if (vm["phase"].as<std::string>() == "rebuild")
    return RebuildPhase(dir, row_cache_mb, vm["view"].as<std::string>());
  if (vm["phase"].as<std::string>() == "floor") {  // the raw fold floor alone
    std::unique_ptr<EventLog> log = OpenLogReadOnly(dir);
    std::printf("floor_events_per_s=%.0f\n", FloorRate(log.get(), dir + "/floor"));
    return 0;
  }
  if (vm["phase"].as<std::string>() == "fold") return FoldPhase(dir, vm["view"].as<std::string>());
  if (vm["phase"].as<std::string>() == "as-of") {
    std::unique_ptr<EventLog> log = OpenLogReadOnly(dir);
    MeasureAsOf(log.get(), vm["projects"].as<int>(), vm["as-of-samples"].as<int>(),
                vm["seed"].as<uint64_t>());
    return 0;
  }
  SetLogLevel(LogLevel::kWarn);
  if (vm["phase"].as<std::string>() == "live") {  // the live lag alone, on the views as they are
    std::unique_ptr<EventLog> log;
    Check(EventLog::Open(EventLogOptions(), dir + "/log", &log), "open the log");
    std::unique_ptr<ViewStore> store;
    Check(ViewStore::Open(LiveStoreOptions(vm), dir + "/views", &store), "open the views");
    MeasureLiveLag(log.get(), store.get(), LiveRunFrom(vm, vm["view"].as<std::string>()));
    return 0;
  }

  EnsureHistory(vm, dir);
  if (vm["phase"].as<std::string>() == "generate") return 0;
  {
    std::unique_ptr<EventLog> log = OpenLogReadOnly(dir);
    std::printf("events=%llu\n", static_cast<unsigned long long>(log->LastPosition()));
    PrintFoldRates(log.get());
    // Floor, rebuild, floor: the machine's drift shows, and the ratio uses their mean.
    const double floor1 = FloorRate(log.get(), dir + "/floor");
    const RebuildResult rebuild = RebuildInChild(dir, row_cache_mb);
    const double floor2 = FloorRate(log.get(), dir + "/floor");
    std::printf("floor_events_per_s_before=%.0f floor_events_per_s_after=%.0f\n", floor1, floor2);
    std::printf("rebuild_events_per_s=%.0f rebuild_peak_rss_mb=%.0f views_mb=%.1f\n",
                rebuild.events_per_s, rebuild.peak_rss_mb, rebuild.views_mb);
    std::printf("ratio_rebuild_to_floor=%.2f\n", rebuild.events_per_s / ((floor1 + floor2) / 2));
    std::fflush(stdout);
    MeasureAsOf(log.get(), vm["projects"].as<int>(), vm["as-of-samples"].as<int>(),
                vm["seed"].as<uint64_t>());
    std::fflush(stdout);
  }
  // Live: the rebuilt views follow the log while appends arrive (synced, as in production).
  std::unique_ptr<EventLog> log;
  Check(EventLog::Open(EventLogOptions(), dir + "/log", &log), "open the log");
  std::unique_ptr<ViewStore> store;
  Check(ViewStore::Open(LiveStoreOptions(vm), dir + "/views", &store), "open the views");
  MeasureLiveLag(log.get(), store.get(), LiveRunFrom(vm, ""));
  std::printf("note=the live appends stay in %s; later runs reuse and fold them too\n",
              dir.c_str());
  return 0;
}

}  // namespace tandem::bench
