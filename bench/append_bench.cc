#include "append_bench.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <prometheus/registry.h>
#include <boost/program_options.hpp>

#include "bench_options.h"
#include "rocks_floor.h"
#include "tandem/basics/logger.h"
#include "tandem/log/event_log.h"

namespace tandem::bench {
namespace {

namespace po = boost::program_options;

// A comment event whose encoded record is about `target_bytes` long.
NewEvent SizedEvent(size_t body_bytes) {
  schema::CommentPostedT c;
  c.project_id = "project-1";
  c.thread_id = "thread-1";
  c.comment_id = "comment";
  c.thread_audience = schema::Audience::Client;
  c.body = std::string(body_bytes, 'b');
  NewEvent e;
  e.event_id = "00000000-0000-0000-0000-000000000000";
  e.actor = "member:bench";
  e.audience = schema::Audience::Client;
  e.payload.Set(std::move(c));
  return e;
}

size_t EncodedSize(const std::string& dir, const NewEvent& e) {
  std::unique_ptr<EventLog> log;
  EventLogOptions o;
  o.durability = Durability::kBuffered;
  if (!EventLog::Open(o, dir, &log).ok()) return 0;
  AppendResult r;
  RecordedEvent got;
  if (!log->Append({"tenant", "stream-0"}, ExpectedVersion::Any(), {e}, "", &r).ok() ||
      !log->Get(r.first_position, &got).ok()) {
    return 0;
  }
  return got.bytes().size();
}

// How the benchmark's writers wait for their acknowledgements.
enum class WriterModel {
  // One thread per writer, blocked in Append: how the command handler calls the log today.
  kBlockingThreads,
  // Each writer is a chain of AppendAsync calls, the next event appended from the callback
  // acknowledging the previous one: how a server on an event loop calls the log.
  kAsyncCallbacks,
};

struct LogRun {
  std::string dir;
  uint64_t events = 0;
  int writers = 1;
  int streams = 1000;
  size_t body_bytes = 0;
  bool sync = true;
};

// What one log measurement saw: throughput, and how its group commits were shaped.
struct LogFigures {
  double events_per_s = 0;
  double events_per_sync = 0;
  double sync_us = 0;
};

// Mean of the histogram `name` in `registry`, or 0 if it recorded nothing.
double HistogramMean(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name || family.metric.empty()) continue;
    const auto& h = family.metric.front().histogram;
    return h.sample_count > 0 ? h.sample_sum / static_cast<double>(h.sample_count) : 0;
  }
  return 0;
}

StreamId BenchStream(const LogRun& run, uint64_t i) {
  return {"tenant", "stream-" + std::to_string(i % run.streams)};
}

// Appends run.events events from run.writers threads; false if any append failed.
bool RunBlockingThreads(EventLog* log, const LogRun& run, const std::vector<NewEvent>& batch) {
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < run.writers; t++) {
    pool.emplace_back([&] {
      for (uint64_t i; (i = next.fetch_add(1)) < run.events;) {
        AppendResult r;
        if (!log->Append(BenchStream(run, i), ExpectedVersion::Any(), batch, "", &r).ok()) {
          failed = true;
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  return !failed;
}

// Appends run.events events from run.writers callback chains; false if any append failed.
bool RunAsyncCallbacks(EventLog* log, const LogRun& run, const std::vector<NewEvent>& batch) {
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::condition_variable cv;
  int finished = 0;
  std::function<void()> append_next = [&] {
    const uint64_t i = next.fetch_add(1);
    if (i >= run.events) {
      std::lock_guard<std::mutex> lock(mu);
      if (++finished == run.writers) cv.notify_one();
      return;
    }
    log->AppendAsync(BenchStream(run, i), ExpectedVersion::Any(), batch, "",
                     [&](const Status& s, const AppendResult&) {
                       if (!s.ok()) failed = true;
                       append_next();
                     });
  };
  for (int t = 0; t < run.writers; t++) append_next();
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished == run.writers; });
  return !failed;
}

LogFigures MeasureLog(const LogRun& run, WriterModel model) {
  std::filesystem::remove_all(run.dir);
  prometheus::Registry registry;
  EventLogOptions o;
  o.durability = run.sync ? Durability::kSynced : Durability::kBuffered;
  o.metrics = &registry;
  std::unique_ptr<EventLog> log;
  Status s = EventLog::Open(o, run.dir, &log);
  if (!s.ok()) {
    std::cerr << "bench: " << s.ToString() << "\n";
    return {};
  }
  const std::vector<NewEvent> batch{SizedEvent(run.body_bytes)};
  auto start = std::chrono::steady_clock::now();
  const bool ok = model == WriterModel::kBlockingThreads ? RunBlockingThreads(log.get(), run, batch)
                                                         : RunAsyncCallbacks(log.get(), run, batch);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log.reset();
  std::filesystem::remove_all(run.dir);
  if (!ok) {
    std::cerr << "bench: an append failed\n";
    return {};
  }
  return {static_cast<double>(run.events) / seconds,
          HistogramMean(registry, "tandem_log_group_commit_events"),
          HistogramMean(registry, "tandem_log_write_seconds") * 1e6};
}

// Prints one writer model's figures under `prefix` and its ratios to both floors under
// `ratio_prefix`.
void PrintLog(const char* prefix, const char* ratio_prefix, int w, const LogFigures& f, bool sync,
              double per_writer, double batched) {
  std::printf("%sevents_per_s_w%d=%.0f\n", prefix, w, f.events_per_s);
  if (sync) {
    std::printf("%sevents_per_sync_w%d=%.1f\n", prefix, w, f.events_per_sync);
    std::printf("%ssync_us_w%d=%.0f\n", prefix, w, f.sync_us);
  }
  std::printf("%sratio_to_per_writer_floor_w%d=%.3f\n", ratio_prefix, w,
              per_writer > 0 ? f.events_per_s / per_writer : 0);
  std::printf("%sratio_to_batched_floor_w%d=%.3f\n", ratio_prefix, w,
              batched > 0 ? f.events_per_s / batched : 0);
}

std::vector<int> ParseWriters(const std::string& list) {
  std::vector<int> out;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(std::stoi(item));
  return out;
}

}  // namespace

int RunAppendBench(const std::vector<std::string>& args) {
  po::options_description desc("tandem-bench append options");
  desc.add_options()("help,h", "show this help")(
      "events", po::value<uint64_t>()->default_value(50000), "events per measurement")(
      "writers", po::value<std::string>()->default_value("1,8,64"),
      "comma-separated concurrent writer counts")("streams", po::value<int>()->default_value(1000),
                                                  "streams the events are spread over")(
      "event-bytes", po::value<size_t>()->default_value(300), "approximate encoded event size")(
      "no-sync", "measure without syncing the WAL (log and floors alike)")(
      "dir", po::value<std::string>()->default_value("bench-data"), "scratch folder");
  po::variables_map vm;
  if (int exit_code = ParseBenchOptions("append", desc, args, &vm); exit_code >= 0)
    return exit_code;
  SetLogLevel(LogLevel::kWarn);
  const std::string dir = vm["dir"].as<std::string>();
  std::filesystem::create_directories(dir);
  const uint64_t events = vm["events"].as<uint64_t>();
  const int streams = vm["streams"].as<int>();
  const bool sync = !vm.count("no-sync");
  const size_t target = vm["event-bytes"].as<size_t>();

  // Size the body so the stored record is about `target` bytes; the floors then write
  // values of exactly the record's size.
  const size_t overhead = EncodedSize(dir + "/probe", SizedEvent(0));
  std::filesystem::remove_all(dir + "/probe");
  const size_t body = target > overhead ? target - overhead : 0;
  const size_t record = EncodedSize(dir + "/probe", SizedEvent(body));
  std::filesystem::remove_all(dir + "/probe");

  std::printf("bench=append\nevents=%llu\nstreams=%d\nevent_bytes=%zu\nsync=%d\n",
              static_cast<unsigned long long>(events), streams, record, sync ? 1 : 0);
  FloorOptions floor{dir + "/floor", events, record, sync};
  for (int w : ParseWriters(vm["writers"].as<std::string>())) {
    const double per_writer = PerWriterFloor(floor, w);
    const double batched = BatchedFloor(floor, w);
    const LogRun run{dir + "/log", events, w, streams, body, sync};
    const LogFigures async = MeasureLog(run, WriterModel::kAsyncCallbacks);
    const LogFigures blocking = MeasureLog(run, WriterModel::kBlockingThreads);
    std::printf("per_writer_floor_events_per_s_w%d=%.0f\n", w, per_writer);
    std::printf("batched_floor_events_per_s_w%d=%.0f\n", w, batched);
    // The unprefixed ratios are the asynchronous writers', the way a server calls the log.
    PrintLog("log_", "", w, async, sync, per_writer, batched);
    PrintLog("log_blocking_", "blocking_", w, blocking, sync, per_writer, batched);
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace tandem::bench
