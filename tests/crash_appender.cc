// Child process of event_log_crash_test: appends from several threads until killed, and prints
// one line per acknowledged append: "ack <first_position> <last_position> <stream> <token>".
// A line is printed only after Append returned OK, so every printed line is a promise the log
// must keep after SIGKILL.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "tandem/event_log.h"
#include "tandem/logger.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: crash_appender DATA_DIR THREADS\n");
    return 2;
  }
  tandem::SetLogLevel(tandem::LogLevel::kWarn);
  std::unique_ptr<tandem::EventLog> log;
  tandem::Status s = tandem::EventLog::Open(tandem::EventLogOptions(), argv[1], &log);
  if (!s.ok()) {
    fprintf(stderr, "open: %s\n", s.ToString().c_str());
    return 1;
  }
  const int threads = std::stoi(argv[2]);
  const std::string run = std::to_string(getpid());
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; t++) {
    pool.emplace_back([&, t] {
      const tandem::StreamId stream{"tenant-" + std::to_string(t % 2),
                                    "stream-" + std::to_string(t)};
      for (long i = 0;; i++) {
        const std::string token = run + "-" + std::to_string(t) + "-" + std::to_string(i);
        // Every third append carries two events: both or neither must survive.
        std::vector<tandem::NewEvent> events(i % 3 == 0 ? 2 : 1);
        for (auto& e : events) {
          tandem::schema::CommentPostedT c;
          c.body = token;
          e.payload.Set(std::move(c));
        }
        tandem::AppendResult r;
        s = log->Append(stream, tandem::ExpectedVersion::Any(), events, "", &r);
        if (!s.ok()) {
          fprintf(stderr, "append: %s\n", s.ToString().c_str());
          _exit(1);
        }
        char line[256];
        int n = snprintf(line, sizeof line, "ack %llu %llu %s %s\n",
                         static_cast<unsigned long long>(r.first_position),
                         static_cast<unsigned long long>(r.last_position), stream.name.c_str(),
                         token.c_str());
        // One write(2) per line (< PIPE_BUF), so lines from threads never interleave.
        if (write(STDOUT_FILENO, line, n) != n) _exit(1);
      }
    });
  }
  for (auto& t : pool) t.join();
}
