// Creating the journal makes its name durable: a journal that only exists in the page cache's
// copy of the folder would vanish in a power loss with every append it acknowledged.
#include <mutex>
#include <set>
#include <string>

#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "journal.h"
#include "test_util.h"

namespace {

std::mutex synced_mu;
std::set<std::string> synced;  // what every fsync of this process named

}  // namespace

// This test's binary interposes fsync for everything linked into it: note the path, then sync.
extern "C" int fsync(int fd) {
  char link[64], target[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, target, sizeof target - 1);
  if (n > 0) {
    std::lock_guard<std::mutex> lock(synced_mu);
    synced.insert(std::string(target, static_cast<size_t>(n)));
  }
  return static_cast<int>(syscall(SYS_fsync, fd));
}

namespace tandem {
namespace {

TEST(JournalLifecycleTest, CreatingTheJournalSyncsTheFolderThatNamesIt) {
  test::ScratchDir dir;
  const std::string folder = std::filesystem::canonical(dir.path()).string();
  std::unique_ptr<Journal> journal;
  ASSERT_TRUE(Journal::Create(folder + "/tandem.journal", 64 << 10, &journal).ok());
  std::lock_guard<std::mutex> lock(synced_mu);
  EXPECT_EQ(synced.count(folder), 1u) << "the folder " << folder << " was not synced";
}

}  // namespace
}  // namespace tandem
