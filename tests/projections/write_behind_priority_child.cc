// Run by write_behind_test: drops the right to leave SCHED_IDLE (CAP_SYS_NICE, RLIMIT_NICE), as
// an unprivileged process or a container has it, and flushes a store writing behind. Exit code
// 0: the store's thread flushed at the normal priority; 1: at another; 2: the right could not
// be dropped.
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "write_behind_policy.h"

int main() {
  rlimit none{0, 0};
  setrlimit(RLIMIT_NICE, &none);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct caps[2] = {};
  syscall(SYS_capget, &header, caps);
  caps[CAP_TO_INDEX(CAP_SYS_NICE)].effective &= ~CAP_TO_MASK(CAP_SYS_NICE);
  caps[CAP_TO_INDEX(CAP_SYS_NICE)].permitted &= ~CAP_TO_MASK(CAP_SYS_NICE);
  syscall(SYS_capset, &header, caps);
  if (tandem::WriteBehind::CanComeBackFromIdle()) return 2;
  return tandem::test::PolicyOfAFlushAfter(std::chrono::milliseconds(0)) == SCHED_OTHER ? 0 : 1;
}
