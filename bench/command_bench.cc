#include "command_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include <boost/program_options.hpp>

#include "bench_options.h"
#include "tandem/basics/logger.h"
#include "tandem/domain/command_handler.h"
#include "tandem/log/event_log.h"

namespace tandem::bench {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

constexpr char kWorkspace[] = "bench";

std::string CommentJson(const std::string& project, uint64_t n, const std::string& prefix) {
  const std::string id = project + "-" + prefix + std::to_string(n);
  return R"({"type":"comment.post","workspace":"bench","actor":"pm","command_id":")" + id +
         R"(","project_id":")" + project + R"(","thread_id":"t1","comment_id":")" + id +
         R"(","anchor":{"kind":"project","id":")" + project + R"("},"audience":"client",)" +
         R"("body":"A comment of about the size people write, with a question about the )" +
         R"(milestone and a request for the next document."})";
}

std::string ProjectJson(const std::string& project) {
  return R"({"type":"project.create","workspace":"bench","actor":"pm","command_id":"create-)" +
         project + R"(","project_id":")" + project + R"(","client_id":"acme","name":"Project )" +
         project + R"("})";
}

// A log, blob folder and handler in `dir`, with a workspace, a client and a project manager.
struct Engine {
  std::unique_ptr<EventLog> log;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<CommandHandler> handler;

  Status Open(const std::string& dir, Durability durability) {
    EventLogOptions lo;
    lo.durability = durability;
    std::filesystem::create_directories(dir);
    Status s = EventLog::Open(lo, dir + "/log", &log);
    if (s.ok()) s = BlobStore::Open(BlobStoreOptions(), dir + "/blobs", &blobs);
    if (s.ok()) s = CommandHandler::Open(CommandHandlerOptions(), log.get(), blobs.get(), &handler);
    for (
        const char* json :
        {R"({"type":"workspace.create","workspace":"bench","actor":"owner","command_id":"w1","name":"Bench"})",
         R"({"type":"member.invite","workspace":"bench","actor":"owner","command_id":"w2","member_id":"pm","email":"pm@b.io","display_name":"PM","role":"project_manager"})",
         R"({"type":"client.add","workspace":"bench","actor":"owner","command_id":"w3","client_id":"acme","name":"Acme"})"}) {
      if (s.ok()) s = Run(json);
    }
    return s;
  }

  Status Run(const std::string& json) {
    CommandResult r;
    return handler->ExecuteJson(json, &r);
  }
};

bool Check(const Status& s, const char* what) {
  if (s.ok()) return true;
  std::cerr << "tandem-bench command: " << what << ": " << s.ToString() << "\n";
  return false;
}

struct Costs {
  double mean_us = 0, p50_us = 0, p99_us = 0;
};

Costs Summarise(std::vector<double> us) {
  Costs c;
  if (us.empty()) return c;
  std::sort(us.begin(), us.end());
  for (double u : us) c.mean_us += u;
  c.mean_us /= us.size();
  c.p50_us = us[us.size() / 2];
  c.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  return c;
}

// Commands/s of `submitters` threads, each posting `per_submitter` comments to its own project.
double HandlerRate(Engine* engine, int submitters, uint64_t per_submitter) {
  std::atomic<bool> failed{false};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < submitters; t++) {
    threads.emplace_back([&, t] {
      const std::string project = "rate-" + std::to_string(t);
      for (uint64_t i = 0; i < per_submitter && !failed; i++) {
        if (!Check(engine->Run(CommentJson(project, i, project + "-c")), "comment.post")) {
          failed = true;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  return failed ? 0 : submitters * per_submitter / s;
}

// Appends/s of `writers` threads blocked in EventLog::Append, one event each, each to its own
// stream, with the event a comment.post writes: the log's own rate for the same work.
double LogRate(const std::string& dir, int writers, uint64_t per_writer, const NewEvent& event) {
  std::unique_ptr<EventLog> log;
  if (!Check(EventLog::Open(EventLogOptions(), dir, &log), "opening the floor log")) return 0;
  std::atomic<bool> failed{false};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; t++) {
    threads.emplace_back([&, t] {
      const StreamId stream{kWorkspace, "project:rate-" + std::to_string(t)};
      for (uint64_t i = 0; i < per_writer && !failed; i++) {
        AppendResult r;
        if (!Check(log->Append(stream, ExpectedVersion::Any(), {event}, "", &r), "append")) {
          failed = true;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  return failed ? 0 : writers * per_writer / s;
}

}  // namespace

int RunCommandBench(const std::vector<std::string>& args) {
  po::options_description desc("tandem-bench command options");
  desc.add_options()("help,h", "show this help")(
      "small", po::value<uint64_t>()->default_value(1000), "comments on the short project")(
      "large", po::value<uint64_t>()->default_value(100000), "comments on the long project")(
      "commands", po::value<uint64_t>()->default_value(2000),
      "commands timed on each project (alternating)")(
      "submitters", po::value<int>()->default_value(64), "concurrent submitters for the rate")(
      "per-submitter", po::value<uint64_t>()->default_value(200), "commands per submitter")(
      "dir", po::value<std::string>()->default_value("bench-data"), "scratch folder");
  po::variables_map vm;
  if (int exit_code = ParseBenchOptions("command", desc, args, &vm); exit_code >= 0)
    return exit_code;
  SetLogLevel(LogLevel::kWarn);
  const std::string dir = vm["dir"].as<std::string>();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const uint64_t small = vm["small"].as<uint64_t>(), large = vm["large"].as<uint64_t>();
  const uint64_t commands = vm["commands"].as<uint64_t>();
  const int submitters = vm["submitters"].as<int>();
  const uint64_t per_submitter = vm["per-submitter"].as<uint64_t>();
  std::printf("bench=command\nsmall_comments=%llu\nlarge_comments=%llu\ncommands=%llu\n",
              static_cast<unsigned long long>(small), static_cast<unsigned long long>(large),
              static_cast<unsigned long long>(commands));

  // Cost per command: a buffered log, so that the handler's own work is what is measured.
  {
    Engine engine;
    if (!Check(engine.Open(dir + "/cost", Durability::kBuffered), "opening")) return 1;
    for (const char* p : {"small", "large"}) {
      if (!Check(engine.Run(ProjectJson(p)), "project.create")) return 1;
    }
    const auto seed_start = Clock::now();
    for (uint64_t i = 0; i < std::max(small, large); i++) {
      if (i < small && !Check(engine.Run(CommentJson("small", i, "seed-")), "seeding")) return 1;
      if (i < large && !Check(engine.Run(CommentJson("large", i, "seed-")), "seeding")) return 1;
      if ((i + 1) % 20000 == 0) std::fprintf(stderr, "seeded %llu\n", (unsigned long long)i + 1);
    }
    std::printf("seed_commands_per_s=%.0f\n",
                (small + large) / std::chrono::duration<double>(Clock::now() - seed_start).count());
    std::vector<double> small_us, large_us;
    for (uint64_t i = 0; i < commands; i++) {
      for (const auto& [project, out] :
           {std::pair{"small", &small_us}, std::pair{"large", &large_us}}) {
        const auto start = Clock::now();
        if (!Check(engine.Run(CommentJson(project, i, "timed-")), "comment.post")) return 1;
        out->push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
      }
    }
    const Costs s = Summarise(small_us), l = Summarise(large_us);
    std::printf("cost_us_small_mean=%.1f\ncost_us_small_p50=%.1f\ncost_us_small_p99=%.1f\n",
                s.mean_us, s.p50_us, s.p99_us);
    std::printf("cost_us_large_mean=%.1f\ncost_us_large_p50=%.1f\ncost_us_large_p99=%.1f\n",
                l.mean_us, l.p50_us, l.p99_us);
    std::printf("ratio_cost_100k_to_1k=%.2f\n", l.mean_us / s.mean_us);

    // The first command after a restart folds the project's history once.
    engine.handler.reset();
    if (!Check(CommandHandler::Open(CommandHandlerOptions(), engine.log.get(), engine.blobs.get(),
                                    &engine.handler),
               "reopening the handler")) {
      return 1;
    }
    const auto cold = Clock::now();
    if (!Check(engine.Run(CommentJson("large", 0, "cold-")), "comment.post")) return 1;
    std::printf("cold_first_command_ms_large=%.1f\n",
                std::chrono::duration<double, std::milli>(Clock::now() - cold).count());
  }

  // Throughput, synced: the handler with many submitters against the log's own append rate.
  {
    Engine engine;
    if (!Check(engine.Open(dir + "/rate", Durability::kSynced), "opening")) return 1;
    for (int t = 0; t < submitters; t++) {
      if (!Check(engine.Run(ProjectJson("rate-" + std::to_string(t))), "project.create")) return 1;
      if (!Check(engine.Run(CommentJson("rate-" + std::to_string(t), 0, "open-")), "thread")) {
        return 1;
      }
    }
    std::vector<RecordedEvent> sample;
    if (!Check(engine.log->ReadStreamBackward({kWorkspace, "project:rate-0"},
                                              EventLog::kEndOfStream, ReadOptions(), &sample),
               "reading a sample event")) {
      return 1;
    }
    NewEvent event;
    event.actor = "pm";
    event.audience = schema::Audience::Client;
    std::unique_ptr<schema::CommentPostedT> comment(
        sample.front().event().payload_as_CommentPosted()->UnPack());
    event.payload.Set(std::move(*comment));
    const double handler_rate = HandlerRate(&engine, submitters, per_submitter);
    const double log_rate = LogRate(dir + "/floor", submitters, per_submitter, event);
    std::printf("handler_commands_per_s_w%d=%.0f\nlog_appends_per_s_w%d=%.0f\n", submitters,
                handler_rate, submitters, log_rate);
    std::printf("ratio_handler_to_log_w%d=%.2f\n", submitters,
                log_rate > 0 ? handler_rate / log_rate : 0.0);
  }
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace tandem::bench
