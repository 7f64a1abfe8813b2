// Child process of event_log_crash_test: appends concurrently until killed, and prints one line
// per acknowledged append: "ack <first_position> <last_position> <stream> <token>". A line is
// printed only once the log acknowledged the append, so every printed line is a promise the log
// must keep after SIGKILL.
//
// Mode "threads": WRITERS threads blocked in Append. Mode "async": WRITERS chains of
// AppendAsync, each appending its next event from the callback acknowledging the previous one.
// An optional JOURNAL_BYTES sets the log's journal size (small ones wrap while being killed).
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tandem/basics/logger.h"
#include "tandem/log/event_log.h"

namespace {

struct Writer {
  tandem::StreamId stream;
  std::string run;
  int index = 0;

  std::string Token(long i) const {
    return run + "-" + std::to_string(index) + "-" + std::to_string(i);
  }
};

// Every third append carries two events: both or neither must survive.
std::vector<tandem::NewEvent> EventsFor(const std::string& token, long i) {
  std::vector<tandem::NewEvent> events(i % 3 == 0 ? 2 : 1);
  for (auto& e : events) {
    tandem::schema::CommentPostedT c;
    c.body = token;
    e.payload.Set(std::move(c));
  }
  return events;
}

void PrintAckOrDie(const tandem::Status& s, const tandem::AppendResult& r, const Writer& w,
                   const std::string& token) {
  if (!s.ok()) {
    fprintf(stderr, "append: %s\n", s.ToString().c_str());
    _exit(1);
  }
  char line[256];
  int n = snprintf(
      line, sizeof line, "ack %llu %llu %s %s\n", static_cast<unsigned long long>(r.first_position),
      static_cast<unsigned long long>(r.last_position), w.stream.name.c_str(), token.c_str());
  // One write(2) per line (< PIPE_BUF), so lines from threads never interleave.
  if (write(STDOUT_FILENO, line, n) != n) _exit(1);
}

void RunThreads(tandem::EventLog* log, const std::vector<Writer>& writers) {
  std::vector<std::thread> pool;
  for (const Writer& w : writers) {
    pool.emplace_back([log, &w] {
      for (long i = 0;; i++) {
        const std::string token = w.Token(i);
        tandem::AppendResult r;
        tandem::Status s =
            log->Append(w.stream, tandem::ExpectedVersion::Any(), EventsFor(token, i), "", &r);
        PrintAckOrDie(s, r, w, token);
      }
    });
  }
  for (auto& t : pool) t.join();
}

void AppendNextAsync(tandem::EventLog* log, const Writer& w, long i) {
  const std::string token = w.Token(i);
  log->AppendAsync(w.stream, tandem::ExpectedVersion::Any(), EventsFor(token, i), "",
                   [log, &w, i, token](const tandem::Status& s, const tandem::AppendResult& r) {
                     PrintAckOrDie(s, r, w, token);
                     AppendNextAsync(log, w, i + 1);
                   });
}

void RunAsync(tandem::EventLog* log, const std::vector<Writer>& writers) {
  for (const Writer& w : writers) AppendNextAsync(log, w, 0);
  // The chains run until the process is killed.
  std::mutex mu;
  std::unique_lock<std::mutex> lock(mu);
  std::condition_variable().wait(lock);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: crash_appender DATA_DIR WRITERS threads|async [JOURNAL_BYTES]\n");
    return 2;
  }
  tandem::SetLogLevel(tandem::LogLevel::kWarn);
  tandem::EventLogOptions options;
  if (argc > 4) options.journal_bytes = std::stoull(argv[4]);
  std::unique_ptr<tandem::EventLog> log;
  tandem::Status s = tandem::EventLog::Open(options, argv[1], &log);
  if (!s.ok()) {
    fprintf(stderr, "open: %s\n", s.ToString().c_str());
    return 1;
  }
  std::vector<Writer> writers(std::stoi(argv[2]));
  for (size_t t = 0; t < writers.size(); t++) {
    writers[t] = {{"tenant-" + std::to_string(t % 2), "stream-" + std::to_string(t)},
                  std::to_string(getpid()),
                  static_cast<int>(t)};
  }
  const std::string mode = argv[3];
  if (mode == "threads") {
    RunThreads(log.get(), writers);
  } else if (mode == "async") {
    RunAsync(log.get(), writers);
  } else {
    fprintf(stderr, "unknown mode '%s'\n", mode.c_str());
    return 2;
  }
}
