// Child process of relay_crash_test: the one writer of the log, appending events continuously
// while its relay publishes them to the embedded cluster of the parent, until it is killed.
//
// usage: crash_relay DATA_DIR BOOTSTRAP RUN EVENTS
//   appends EVENTS events (a few per append, over several tenants), then keeps the relay going.
// Lines on stdout, each in one write(2):
//   "open head=H published=P"              the relay is started
//   "at head=H published=P appended=N"     every 2 ms
//   "error WHAT STATUS"                     then exit 1
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "tandem/basics/logger.h"
#include "tandem/kafka/event_relay.h"
#include "test_util.h"

namespace tandem::test {
namespace {

void Say(const std::string& line) {
  const std::string out = line + "\n";
  if (write(STDOUT_FILENO, out.data(), out.size()) != static_cast<ssize_t>(out.size())) _exit(1);
}

void DieIf(const Status& s, const std::string& what) {
  if (s.ok()) return;
  Say("error " + what + " " + s.ToString());
  _exit(1);
}

int Run(const std::string& dir, const std::string& bootstrap, const std::string& run, int events) {
  std::unique_ptr<EventLog> log;
  DieIf(EventLog::Open(EventLogOptions(), dir + "/log", &log), "log");
  EventRelayOptions options;
  options.kafka.bootstrap = bootstrap;
  options.position_file = dir + "/relay.position";
  // Stores often and keeps few events in flight, so that kills land between and during both.
  options.store_interval = std::chrono::milliseconds(3);
  options.max_in_flight = 64;
  std::unique_ptr<EventRelay> relay;
  DieIf(EventRelay::Open(options, log.get(), &relay), "open");
  DieIf(relay->Start(), "start");
  Say("open head=" + std::to_string(log->LastPosition()) +
      " published=" + std::to_string(relay->PublishedPosition()));
  std::atomic<int> appended{0};
  std::thread([&] {
    for (;;) {
      Say("at head=" + std::to_string(log->LastPosition()) +
          " published=" + std::to_string(relay->PublishedPosition()) +
          " appended=" + std::to_string(appended.load()));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }).detach();
  for (int i = 0; i < events;) {
    const std::string tenant = "tenant-" + std::to_string(i % 6);
    std::vector<NewEvent> batch;
    for (int k = 0; k < 1 + i % 3 && i < events; k++, i++) {
      batch.push_back(CommentEvent(run + "-" + std::to_string(i)));
    }
    AppendResult result;
    DieIf(log->Append({tenant, "project:p" + std::to_string(i % 4)}, ExpectedVersion::Any(), batch,
                      "", &result),
          "append");
    appended += static_cast<int>(batch.size());
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  for (;;) pause();
}

}  // namespace
}  // namespace tandem::test

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: crash_relay DATA_DIR BOOTSTRAP RUN EVENTS\n");
    return 2;
  }
  tandem::SetLogLevel(tandem::LogLevel::kError);
  return tandem::test::Run(argv[1], argv[2], argv[3], std::stoi(argv[4]));
}
