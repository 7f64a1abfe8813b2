// Child process of relay_crash_test: the one writer of the log, appending events continuously
// while its relay publishes them to the embedded cluster of the parent, until it is killed.
//
// usage: crash_relay DATA_DIR BOOTSTRAP RUN EVENTS BACKLOG [STORE_MS MAX_IN_FLIGHT]
//   appends BACKLOG events before the relay starts (for it to catch up), then EVENTS more while
//   it runs (a few per append, over several tenants), then keeps the relay going. The relay
//   stores its position every STORE_MS (3) with at most MAX_IN_FLIGHT (64) events in flight.
// Lines on stdout, each in one write(2):
//   "open head=H published=P"              the relay is started
//   "at head=H published=P appended=N"     every 2 ms
//   "error WHAT STATUS"                     then exit 1
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "child_process.h"
#include "tandem/basics/logger.h"
#include "tandem/kafka/event_relay.h"
#include "test_util.h"

namespace tandem::test {
namespace {

// Appends `count` events with ids from `run` and `*next`, `per_append` at most in each append.
void AppendEvents(EventLog* log, const std::string& run, int count, int per_append, int* next) {
  for (int end = *next + count; *next < end;) {
    const std::string tenant = "tenant-" + std::to_string(*next % 6);
    const std::string stream = "project:p" + std::to_string(*next % 4);
    std::vector<NewEvent> batch;
    for (int k = 0; k < 1 + *next % per_append && *next < end; k++, ++*next) {
      batch.push_back(CommentEvent(run + "-" + std::to_string(*next)));
    }
    AppendResult result;
    ChildDieIf(log->Append({tenant, stream}, ExpectedVersion::Any(), batch, "", &result), "append");
  }
}

int Run(const std::string& dir, const std::string& bootstrap, const std::string& run, int events,
        int backlog, int store_ms, int max_in_flight) {
  std::unique_ptr<EventLog> log;
  ChildDieIf(EventLog::Open(EventLogOptions(), dir + "/log", &log), "log");
  int next = 0;
  AppendEvents(log.get(), run, backlog, 50, &next);
  EventRelayOptions options;
  options.kafka.bootstrap = bootstrap;
  options.position_file = dir + "/relay.position";
  // Stores often and keeps few events in flight, so that kills land between and during both.
  options.store_interval = std::chrono::milliseconds(store_ms);
  options.max_in_flight = static_cast<size_t>(max_in_flight);
  std::unique_ptr<EventRelay> relay;
  ChildDieIf(EventRelay::Open(options, log.get(), &relay), "open");
  ChildDieIf(relay->Start(), "start");
  ChildSay("open head=" + std::to_string(log->LastPosition()) +
           " published=" + std::to_string(relay->PublishedPosition()));
  std::atomic<int> appended{0};
  std::thread([&] {
    for (;;) {
      ChildSay("at head=" + std::to_string(log->LastPosition()) +
               " published=" + std::to_string(relay->PublishedPosition()) +
               " appended=" + std::to_string(appended.load()));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }).detach();
  for (int i = 0; i < events; i += 3) {
    AppendEvents(log.get(), run, std::min(3, events - i), 3, &next);
    appended = i + 3;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (;;) pause();
}

}  // namespace
}  // namespace tandem::test

int main(int argc, char** argv) {
  if (argc != 6 && argc != 8) {
    fprintf(stderr,
            "usage: crash_relay DATA_DIR BOOTSTRAP RUN EVENTS BACKLOG [STORE_MS MAX_IN_FLIGHT]\n");
    return 2;
  }
  tandem::SetLogLevel(tandem::LogLevel::kError);
  return tandem::test::Run(argv[1], argv[2], argv[3], std::stoi(argv[4]), std::stoi(argv[5]),
                           argc == 8 ? std::stoi(argv[6]) : 3, argc == 8 ? std::stoi(argv[7]) : 64);
}
