// A writer whose journal writes fail, for the tests of what other processes see. Usage:
//   journal_failing_writer <log folder>
// Appends e1 and e2 to acme/s (idempotency keys k1, k2), then makes every write and sync of the
// journal's file fail with EIO (a seccomp filter: the kernel refuses the calls, as a failing
// device would) and appends e3 (key k3), which must be refused. RocksDB is still written: the
// writer inserts a group while its journal write is under way. Checks that its own reads do
// not show e3, prints "fail: <what>" for each check that did not hold, then "ready" (or
// "skip: <why>" if the filter cannot be installed), and waits for stdin to close.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

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

// Makes the writing and syncing calls on `fd` fail with EIO in every thread of the process.
bool FailWritesTo(int fd, std::string* why) {
  const std::vector<uint32_t> calls = {__NR_write,   __NR_pwrite64,       __NR_writev,
                                       __NR_pwritev, __NR_pwritev2,       __NR_fdatasync,
                                       __NR_fsync,   __NR_sync_file_range};
  const auto n = static_cast<uint8_t>(calls.size());
  std::vector<sock_filter> program;
  program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (uint8_t i = 0; i < n; i++) {
    // A match jumps past the remaining comparisons and the allow to the fd check.
    program.push_back(
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, calls[i], static_cast<uint8_t>(n - i), 0));
  }
  program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
  program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(fd), 0, 1));
  program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EIO & SECCOMP_RET_DATA)));
  program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  sock_fprog prog{static_cast<unsigned short>(program.size()), program.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    *why = "prctl(PR_SET_NO_NEW_PRIVS) failed";
    return false;
  }
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
    *why = std::string("seccomp failed: ") + std::strerror(errno);
    return false;
  }
  return true;
}

void Check(bool ok, const std::string& what) {
  if (!ok) std::cout << "fail: " << what << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: journal_failing_writer <log folder>\n";
    return 2;
  }
  auto log = tandem::test::OpenLogOrDie(argv[1]);
  const tandem::StreamId stream{"acme", "s"};
  for (int i = 1; i <= 2; i++) {
    AppendResult r;
    Status s = log->Append(stream, ExpectedVersion::Any(),
                           {tandem::test::CommentEvent("e" + std::to_string(i))},
                           "k" + std::to_string(i), &r);
    Check(s.ok(), "append e" + std::to_string(i) + ": " + s.ToString());
  }
  std::string why;
  const int fd = JournalFd();
  if (fd < 0 || !FailWritesTo(fd, &why)) {
    std::cout << "skip: " << (fd < 0 ? "no journal file open" : why) << std::endl;
  } else {
    AppendResult r;
    Status s =
        log->Append(stream, ExpectedVersion::Any(), {tandem::test::CommentEvent("e3")}, "k3", &r);
    Check(s.IsIOError(), "append e3 with the journal failing: " + s.ToString());
    // The writer inserts e3 into RocksDB alongside the failed journal write; let it finish.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    // The writing process's own reads stop at the last acknowledged position.
    Check(log->LastPosition() == 2, "LastPosition " + std::to_string(log->LastPosition()));
    RecordedEvent e;
    Check(log->Get(3, &e).IsNotFound(), "Get(3) found the unacknowledged event");
    std::vector<RecordedEvent> events;
    ReadOptions all;
    Check(log->ReadAll(1, all, &events).ok() && events.size() == 2, "ReadAll");
    Check(log->ReadTenant("acme", 1, all, &events).ok() && events.size() == 2, "ReadTenant");
    Check(log->ReadStreamForward(stream, 1, all, &events).ok() && events.size() == 2,
          "ReadStreamForward");
    Check(log->ReadStreamBackward(stream, tandem::EventLog::kEndOfStream, all, &events).ok() &&
              events.size() == 2 && events[0].stream_version() == 2,
          "ReadStreamBackward");
    uint64_t head = 0;
    Check(log->StreamHead(stream, &head).ok() && head == 2, "StreamHead " + std::to_string(head));
    std::string name;
    Check(log->FindIdempotentAppend("acme", "k3", &name, &r).IsNotFound(),
          "FindIdempotentAppend(k3)");
    uint64_t position = 0;
    Check(log->PositionAtTime(LLONG_MAX, &position).ok() && position == 2, "PositionAtTime");
    std::unique_ptr<tandem::Subscription> sub;
    Check(log->Subscribe(tandem::SubscriptionOptions{2, "", 512}, &sub).ok() &&
              sub->Next(&e, std::chrono::milliseconds(50)).IsTimedOut(),
          "a subscription after position 2 delivered something");
  }
  std::cout << "ready" << std::endl;
  // Stay open, as a live writer would, until the test has read the log from its own process.
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
  _exit(0);
}
