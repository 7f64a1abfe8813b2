// Crash tests run the code under test in a child process that reports on stdout, one line per
// write(2), and kill it with SIGKILL at a moment of their choosing.
#pragma once
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace tandem::test {

// For the child: one line on stdout in one write (a line is never split by a kill), and an
// "error WHAT STATUS" line then exit 1 for anything that is not the test's doing.
inline void ChildSay(const std::string& line) {
  const std::string out = line + "\n";
  if (write(STDOUT_FILENO, out.data(), out.size()) != static_cast<ssize_t>(out.size())) _exit(1);
}

template <typename StatusT>
void ChildDieIf(const StatusT& s, const std::string& what) {
  if (s.ok()) return;
  ChildSay("error " + what + " " + s.ToString());
  _exit(1);
}

struct ChildOutcome {
  bool killed = false;   // by us, with SIGKILL
  bool gave_up = false;  // killed because `kill_now` never said so in time
  int status = 0;        // waitpid's
};

// Runs `argv` (argv[0] is the program's path) with its stdout on a pipe, hands every line to
// `on_line`, asks `kill_now` about once a millisecond and SIGKILLs the child when it says so (or
// after `give_up`). Returns once the child is gone and its output drained; lines written after
// the kill are dropped.
inline ChildOutcome RunChildUntilKilled(const std::vector<std::string>& argv,
                                        const std::function<void(const std::string&)>& on_line,
                                        const std::function<bool()>& kill_now,
                                        std::chrono::seconds give_up) {
  ChildOutcome outcome;
  int fds[2];
  if (pipe(fds) != 0) return outcome;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  std::string pending;
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    if (!outcome.killed) {
      outcome.gave_up = std::chrono::steady_clock::now() - started > give_up;
      if (outcome.gave_up || kill_now()) {
        kill(pid, SIGKILL);
        outcome.killed = true;
      }
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 1) == 0) continue;
    char buf[4096];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF: the child is gone and the pipe drained
    if (outcome.killed) continue;
    pending.append(buf, static_cast<size_t>(n));
    for (size_t end; (end = pending.find('\n')) != std::string::npos;) {
      on_line(pending.substr(0, end));
      pending.erase(0, end + 1);
    }
  }
  close(fds[0]);
  waitpid(pid, &outcome.status, 0);
  return outcome;
}

}  // namespace tandem::test
