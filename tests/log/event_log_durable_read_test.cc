// Readers see only what is durable: a read-only open in another process caps its view at the
// position the writing process has acknowledged, whatever RocksDB already holds.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::BodyOf;
using test::CommentEvent;

// The journal_failing_writer helper running in its own process, talked to through pipes.
class FailingWriter {
 public:
  explicit FailingWriter(const std::string& dir) {
    int out[2], in[2];
    EXPECT_EQ(pipe(out), 0);
    EXPECT_EQ(pipe(in), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(in[0], STDIN_FILENO);
      close(out[0]);
      close(out[1]);
      close(in[0]);
      close(in[1]);
      execl(JOURNAL_FAILING_WRITER_PATH, "journal_failing_writer", dir.c_str(), nullptr);
      _exit(127);
    }
    close(out[1]);
    close(in[0]);
    from_child_ = out[0];
    to_child_ = in[1];
  }
  ~FailingWriter() {
    close(to_child_);  // the writer exits when its stdin closes
    close(from_child_);
    int status = 0;
    waitpid(pid_, &status, 0);
  }

  // Everything the writer printed up to and including its "ready" line.
  std::string WaitUntilReady() {
    std::string output;
    char buf[512];
    while (output.find("ready\n") == std::string::npos) {
      ssize_t n = read(from_child_, buf, sizeof(buf));
      if (n <= 0) break;
      output.append(buf, static_cast<size_t>(n));
    }
    return output;
  }

 private:
  pid_t pid_ = -1;
  int from_child_ = -1, to_child_ = -1;
};

std::unique_ptr<EventLog> OpenReadOnly(const std::string& dir) {
  EventLogOptions options;
  options.read_only = true;
  return test::OpenLogOrDie(dir, options);
}

TEST(EventLogDurableReadTest, AnotherProcessDoesNotSeeAnAppendWhoseJournalWriteFailed) {
  test::ScratchDir dir;
  FailingWriter writer(dir.path());
  const std::string output = writer.WaitUntilReady();
  if (output.find("skip: ") != std::string::npos) GTEST_SKIP() << output;
  ASSERT_NE(output.find("ready"), std::string::npos) << output;
  // The writer's own reads did not show e3 either.
  EXPECT_EQ(output.find("fail: "), std::string::npos) << output;

  // The writer is still running, with e3 in RocksDB but never acknowledged.
  auto reader = OpenReadOnly(dir.path());
  EXPECT_EQ(reader->LastPosition(), 2u);
  std::vector<RecordedEvent> events;
  ASSERT_TRUE(reader->ReadAll(1, ReadOptions(), &events).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(BodyOf(events[1]), "e2");
  RecordedEvent e;
  EXPECT_TRUE(reader->Get(3, &e).IsNotFound());
  ASSERT_TRUE(reader->ReadStreamForward({"acme", "s"}, 1, ReadOptions(), &events).ok());
  EXPECT_EQ(events.size(), 2u);
  uint64_t head = 0;
  ASSERT_TRUE(reader->StreamHead({"acme", "s"}, &head).ok());
  EXPECT_EQ(head, 2u);
  std::string stream;
  AppendResult r;
  EXPECT_TRUE(reader->FindIdempotentAppend("acme", "k3", &stream, &r).IsNotFound());
  EXPECT_TRUE(reader->FindIdempotentAppend("acme", "k2", &stream, &r).ok());
}

TEST(EventLogDurableReadTest, ReadOnlyOpenOfAFolderWithoutTheDurablePositionFailsClosed) {
  test::ScratchDir dir;
  {
    auto log = test::OpenLogOrDie(dir.path());
    AppendResult r;
    ASSERT_TRUE(
        log->Append({"acme", "s"}, ExpectedVersion::Any(), {CommentEvent("e1")}, "", &r).ok());
  }
  // As a folder written before the file existed would be.
  ASSERT_TRUE(std::filesystem::remove(dir.Sub("tandem.durable")));
  EventLogOptions options;
  options.read_only = true;
  std::unique_ptr<EventLog> reader;
  Status s = EventLog::Open(options, dir.path(), &reader);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("tandem.durable"), std::string::npos) << s.message();
  // A read-write open writes it again.
  test::OpenLogOrDie(dir.path()).reset();
  EXPECT_EQ(OpenReadOnly(dir.path())->LastPosition(), 1u);
}

TEST(EventLogDurableReadTest, ReadOnlyOpenOfADamagedDurablePositionIsCorruption) {
  test::ScratchDir dir;
  test::OpenLogOrDie(dir.path()).reset();
  {
    std::ofstream damaged(dir.Sub("tandem.durable"), std::ios::binary | std::ios::trunc);
    damaged << "garbage, not a position file";
  }
  EventLogOptions options;
  options.read_only = true;
  std::unique_ptr<EventLog> reader;
  EXPECT_TRUE(EventLog::Open(options, dir.path(), &reader).IsCorruption());
}

}  // namespace
}  // namespace tandem
