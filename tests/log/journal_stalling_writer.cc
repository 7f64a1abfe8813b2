// A writer whose journal write stalls, for the tests of what other processes see. Usage:
//   journal_stalling_writer <log folder>
// Appends e1 and e2 to acme/s (idempotency keys k1, k2), then holds every write to the journal's
// file in the kernel (a seccomp user-notification filter: the call waits for this process to
// answer it, as a slow or failing device makes it wait) and appends e3 (key k3) from another
// thread. The log's writer inserts a group into RocksDB while its journal write is under way, so
// RocksDB then holds e3 although it is not acknowledged. Prints "stalled" once there, then obeys
// one line of stdin: "fail" answers the journal write (and every later one) with EIO, "continue"
// lets them through. Prints "e3: <status>", then "done", and exits when stdin closes. Every
// check of its own reads that does not hold is printed as "fail: <what>"; "skip: <why>" if the
// filter cannot be installed.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "tandem/log/event_log.h"
#include "test_util.h"

namespace {

using tandem::AppendResult;
using tandem::ExpectedVersion;
using tandem::ReadOptions;
using tandem::RecordedEvent;
using tandem::Status;

const tandem::StreamId kStream{"acme", "s"};

int JournalFd() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (!ec && target.filename() == "tandem.journal") {
      return std::stoi(entry.path().filename().string());
    }
  }
  return -1;
}

// Makes every thread's writing and syncing calls on `fd` wait for an answer on the returned
// listener; -1 (and `why`) if the kernel refuses the filter.
int HoldWritesTo(int fd, std::string* why) {
  const std::vector<uint32_t> calls = {__NR_write,   __NR_pwrite64,       __NR_writev,
                                       __NR_pwritev, __NR_pwritev2,       __NR_fdatasync,
                                       __NR_fsync,   __NR_sync_file_range};
  const auto n = static_cast<uint8_t>(calls.size());
  std::vector<sock_filter> program;
  program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (uint8_t i = 0; i < n; i++) {
    // A match jumps past the remaining comparisons and the allow, to the fd check.
    program.push_back(
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, calls[i], static_cast<uint8_t>(n - i), 0));
  }
  program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
  program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(fd), 0, 1));
  program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
  program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  sock_fprog prog{static_cast<unsigned short>(program.size()), program.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    *why = "prctl(PR_SET_NO_NEW_PRIVS) failed";
    return -1;
  }
  long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                          SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
                              SECCOMP_FILTER_FLAG_NEW_LISTENER,
                          &prog);
  if (listener < 0) *why = std::string("seccomp failed: ") + std::strerror(errno);
  return static_cast<int>(listener);
}

// Waits for the next held call; false if the listener failed.
bool Receive(int listener, seccomp_notif* call) {
  for (;;) {
    std::memset(call, 0, sizeof(*call));
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, call) == 0) return true;
    if (errno != EINTR) return false;
  }
}

void Answer(int listener, const seccomp_notif& call, bool fail) {
  seccomp_notif_resp resp{};
  resp.id = call.id;
  if (fail) {
    resp.error = -EIO;
  } else {
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  }
  ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

void Check(bool ok, const std::string& what) {
  if (!ok) std::cout << "fail: " << what << std::endl;
}

// The writing process's own reads stop at the last acknowledged position, `last`.
void CheckReadsStopAt(tandem::EventLog* log, uint64_t last) {
  const std::string at = " (expected to stop at " + std::to_string(last) + ")";
  Check(log->LastPosition() == last, "LastPosition " + std::to_string(log->LastPosition()) + at);
  RecordedEvent e;
  Check(log->Get(last + 1, &e).IsNotFound(), "Get found the unacknowledged event" + at);
  std::vector<RecordedEvent> events;
  ReadOptions all;
  Check(log->ReadAll(1, all, &events).ok() && events.size() == last, "ReadAll" + at);
  Check(log->ReadTenant("acme", 1, all, &events).ok() && events.size() == last, "ReadTenant" + at);
  Check(log->ReadStreamForward(kStream, 1, all, &events).ok() && events.size() == last,
        "ReadStreamForward" + at);
  Check(log->ReadStreamBackward(kStream, tandem::EventLog::kEndOfStream, all, &events).ok() &&
            events.size() == last && events[0].stream_version() == last,
        "ReadStreamBackward" + at);
  uint64_t head = 0;
  Check(log->StreamHead(kStream, &head).ok() && head == last, "StreamHead" + at);
  std::string name;
  AppendResult r;
  Check(log->FindIdempotentAppend("acme", "k" + std::to_string(last + 1), &name, &r).IsNotFound(),
        "FindIdempotentAppend" + at);
  uint64_t position = 0;
  Check(log->PositionAtTime(LLONG_MAX, &position).ok() && position == last, "PositionAtTime" + at);
  std::unique_ptr<tandem::Subscription> sub;
  Check(log->Subscribe(tandem::SubscriptionOptions{last, "", 512}, &sub).ok() &&
            sub->Next(&e, std::chrono::milliseconds(20)).IsTimedOut(),
        "a subscription delivered an unacknowledged event" + at);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: journal_stalling_writer <log folder>\n";
    return 2;
  }
  auto log = tandem::test::OpenLogOrDie(argv[1]);
  for (int i = 1; i <= 2; i++) {
    AppendResult r;
    Status s = log->Append(kStream, ExpectedVersion::Any(),
                           {tandem::test::CommentEvent("e" + std::to_string(i))},
                           "k" + std::to_string(i), &r);
    Check(s.ok(), "append e" + std::to_string(i) + ": " + s.ToString());
  }
  std::string why;
  const int fd = JournalFd();
  const int listener = fd < 0 ? -1 : HoldWritesTo(fd, &why);
  if (listener < 0) {
    std::cout << "skip: " << (fd < 0 ? "no journal file open" : why) << std::endl;
    _exit(0);
  }
  Status e3;
  std::thread appender([&] {
    AppendResult r;
    e3 = log->Append(kStream, ExpectedVersion::Any(), {tandem::test::CommentEvent("e3")}, "k3", &r);
  });
  seccomp_notif held;
  if (!Receive(listener, &held)) {
    std::cout << "skip: no journal write arrived" << std::endl;
    _exit(0);
  }
  // The writer's insert into RocksDB runs alongside the held journal write; let it finish.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CheckReadsStopAt(log.get(), 2);
  std::cout << "stalled" << std::endl;

  std::string command;
  std::getline(std::cin, command);
  const bool fail = command == "fail";
  Answer(listener, held, fail);
  // Later journal writes, if any, get the same answer.
  std::thread answerer([&] {
    seccomp_notif next;
    while (Receive(listener, &next)) Answer(listener, next, fail);
  });
  answerer.detach();
  appender.join();
  std::cout << "e3: " << (e3.ok() ? std::string("ok") : e3.ToString()) << std::endl;
  CheckReadsStopAt(log.get(), fail ? 2 : 3);
  std::cout << "done" << std::endl;
  // Stay open, as a live writer would, until the test has read the log from its own process.
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
  _exit(0);
}
