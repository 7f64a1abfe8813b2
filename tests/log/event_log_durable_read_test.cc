// Readers see only what is durable: a read-only open in another process caps its view at the
// position the writing process has acknowledged, whatever RocksDB already holds.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

using test::BodyOf;
using test::CommentEvent;

// The journal_stalling_writer helper in its own process, talked to through pipes.
class StallingWriter {
 public:
  explicit StallingWriter(const std::string& dir) {
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
      execl(JOURNAL_STALLING_WRITER_PATH, "journal_stalling_writer", dir.c_str(), nullptr);
      _exit(127);
    }
    close(out[1]);
    close(in[0]);
    from_child_ = out[0];
    to_child_ = in[1];
  }
  ~StallingWriter() {
    close(to_child_);  // the writer exits when its stdin closes
    close(from_child_);
    int status = 0;
    waitpid(pid_, &status, 0);
  }

  // Everything the writer has printed, once it printed `line` (or "skip: ...", or exited).
  std::string WaitFor(const std::string& line) {
    while (output_.find(line + "\n") == std::string::npos &&
           output_.find("skip: ") == std::string::npos) {
      char buf[512];
      ssize_t n = read(from_child_, buf, sizeof(buf));
      if (n <= 0) break;
      output_.append(buf, static_cast<size_t>(n));
    }
    return output_;
  }

  void Tell(const std::string& command) {
    const std::string line = command + "\n";
    EXPECT_EQ(write(to_child_, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }

 private:
  pid_t pid_ = -1;
  int from_child_ = -1, to_child_ = -1;
  std::string output_;
};

// Whether RocksDB itself, read-only, holds an event at `position`.
bool RocksDbHolds(const std::string& dir, uint64_t position) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* n : {"default", "events", "streams", "tenants", "idempotency"}) {
    cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  EXPECT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, cfs, &handles, &db).ok());
  if (db == nullptr) return false;
  std::string key(8, '\0'), value;
  for (int i = 0; i < 8; i++) key[i] = static_cast<char>((position >> (56 - 8 * i)) & 0xff);
  bool held = db->Get(rocksdb::ReadOptions(), handles[1], key, &value).ok();
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  return held;
}

std::unique_ptr<EventLog> OpenReadOnly(const std::string& dir) {
  EventLogOptions options;
  options.read_only = true;
  return test::OpenLogOrDie(dir, options);
}

// What a read-only open in this process sees of the stalled writer's log: e1 and e2 only.
void ExpectOnlyTheAcknowledgedEvents(const std::string& dir) {
  auto reader = OpenReadOnly(dir);
  EXPECT_EQ(reader->LastPosition(), 2u);
  std::vector<RecordedEvent> events;
  ASSERT_TRUE(reader->ReadAll(1, ReadOptions(), &events).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(BodyOf(events[1]), "e2");
  RecordedEvent e;
  EXPECT_TRUE(reader->Get(3, &e).IsNotFound());
  ASSERT_TRUE(reader->ReadStreamForward({"acme", "s"}, 1, ReadOptions(), &events).ok());
  EXPECT_EQ(events.size(), 2u);
  ASSERT_TRUE(reader->ReadTenant("acme", 1, ReadOptions(), &events).ok());
  EXPECT_EQ(events.size(), 2u);
  uint64_t head = 0;
  ASSERT_TRUE(reader->StreamHead({"acme", "s"}, &head).ok());
  EXPECT_EQ(head, 2u);
  std::string stream;
  AppendResult r;
  EXPECT_TRUE(reader->FindIdempotentAppend("acme", "k3", &stream, &r).IsNotFound());
  EXPECT_TRUE(reader->FindIdempotentAppend("acme", "k2", &stream, &r).ok());
}

TEST(EventLogDurableReadTest, AnotherProcessDoesNotSeeAnAppendWhileItsJournalWriteIsUnderWay) {
  test::ScratchDir dir;
  StallingWriter writer(dir.path());
  std::string output = writer.WaitFor("stalled");
  if (output.find("skip: ") != std::string::npos) GTEST_SKIP() << output;
  ASSERT_NE(output.find("stalled"), std::string::npos) << output;
  // RocksDB already holds e3; neither the writer's own reads nor another process may show it.
  EXPECT_TRUE(RocksDbHolds(dir.path(), 3));
  ExpectOnlyTheAcknowledgedEvents(dir.path());

  writer.Tell("continue");
  output = writer.WaitFor("done");
  EXPECT_NE(output.find("e3: ok"), std::string::npos) << output;
  EXPECT_EQ(output.find("fail: "), std::string::npos) << output;
  // Acknowledged now, so visible to a new read-only open while the writer still runs.
  auto reader = OpenReadOnly(dir.path());
  EXPECT_EQ(reader->LastPosition(), 3u);
  RecordedEvent e;
  ASSERT_TRUE(reader->Get(3, &e).ok());
  EXPECT_EQ(BodyOf(e), "e3");
}

TEST(EventLogDurableReadTest, AnotherProcessDoesNotSeeAnAppendWhoseJournalWriteFailed) {
  test::ScratchDir dir;
  StallingWriter writer(dir.path());
  std::string output = writer.WaitFor("stalled");
  if (output.find("skip: ") != std::string::npos) GTEST_SKIP() << output;
  writer.Tell("fail");
  output = writer.WaitFor("done");
  EXPECT_NE(output.find("e3: io_error"), std::string::npos) << output;
  EXPECT_EQ(output.find("fail: "), std::string::npos) << output;
  EXPECT_TRUE(RocksDbHolds(dir.path(), 3));
  ExpectOnlyTheAcknowledgedEvents(dir.path());
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

TEST(EventLogDurableReadTest, ReadOnlyOpenOfADurablePositionDamagedAboveTheLogIsCorruption) {
  test::ScratchDir dir;
  {
    auto log = test::OpenLogOrDie(dir.path());
    AppendResult r;
    ASSERT_TRUE(
        log->Append({"acme", "s"}, ExpectedVersion::Any(), {CommentEvent("e1")}, "", &r).ok());
  }
  // Every byte after the magic damaged to ones: as a position, far above the log's last.
  const auto size = std::filesystem::file_size(dir.Sub("tandem.durable"));
  {
    std::fstream f(dir.Sub("tandem.durable"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8);
    const std::string ones(size - 8, '\xff');
    f.write(ones.data(), static_cast<std::streamsize>(ones.size()));
  }
  EventLogOptions options;
  options.read_only = true;
  std::unique_ptr<EventLog> reader;
  Status s = EventLog::Open(options, dir.path(), &reader);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("tandem.durable"), std::string::npos) << s.message();
}

TEST(EventLogDurableReadTest, AnOlderBuildsDurablePositionFailsClosedUntilAReadWriteOpen) {
  test::ScratchDir dir;
  test::OpenLogOrDie(dir.path()).reset();
  {
    // Format 1: the magic, then the position with nothing to check it by.
    std::ofstream old(dir.Sub("tandem.durable"), std::ios::binary | std::ios::trunc);
    old.write("TNDMDUR1\0\0\0\0\0\0\0\0", 16);
  }
  EventLogOptions options;
  options.read_only = true;
  std::unique_ptr<EventLog> reader;
  Status s = EventLog::Open(options, dir.path(), &reader);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("read-write"), std::string::npos) << s.message();
  test::OpenLogOrDie(dir.path()).reset();  // rewrites it
  EXPECT_EQ(OpenReadOnly(dir.path())->LastPosition(), 0u);
}

}  // namespace
}  // namespace tandem
