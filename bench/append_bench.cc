#include "append_bench.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>

#include "rocks_floor.h"
#include "tandem/event_log.h"
#include "tandem/logger.h"

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

double LogThroughput(const std::string& dir, uint64_t events, int writers, int streams,
                     size_t body_bytes, bool sync) {
  std::filesystem::remove_all(dir);
  std::unique_ptr<EventLog> log;
  EventLogOptions o;
  o.durability = sync ? Durability::kSynced : Durability::kBuffered;
  Status s = EventLog::Open(o, dir, &log);
  if (!s.ok()) {
    std::cerr << "bench: " << s.ToString() << "\n";
    return 0;
  }
  const NewEvent event = SizedEvent(body_bytes);
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < writers; t++) {
    pool.emplace_back([&] {
      for (uint64_t i; (i = next.fetch_add(1)) < events;) {
        AppendResult r;
        StreamId stream{"tenant", "stream-" + std::to_string(i % streams)};
        if (!log->Append(stream, ExpectedVersion::Any(), {event}, "", &r).ok()) failed = true;
      }
    });
  }
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log.reset();
  std::filesystem::remove_all(dir);
  return failed ? 0 : static_cast<double>(events) / seconds;
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
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "tandem-bench append: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
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
    const double log = LogThroughput(dir + "/log", events, w, streams, body, sync);
    std::printf("per_writer_floor_events_per_s_w%d=%.0f\n", w, per_writer);
    std::printf("batched_floor_events_per_s_w%d=%.0f\n", w, batched);
    std::printf("log_events_per_s_w%d=%.0f\n", w, log);
    std::printf("ratio_to_per_writer_floor_w%d=%.3f\n", w, per_writer > 0 ? log / per_writer : 0);
    std::printf("ratio_to_batched_floor_w%d=%.3f\n", w, batched > 0 ? log / batched : 0);
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace tandem::bench
