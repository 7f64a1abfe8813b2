// A read-only open beside a writer returns one state the database had, even when the writer
// flushes and deletes write-ahead log files in the middle of the open.
#include "tandem/rocks/read_only_open.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

#include <gtest/gtest.h>
#include <rocksdb/file_system.h>

#include "test_util.h"

namespace tandem {
namespace {

// Runs hooks at the moments a writer's changes hurt a read-only open: `listing` when the open
// lists the folder after reading the MANIFEST (it is about to look for write-ahead log files),
// `manifest_size` (once) when a MANIFEST's size is asked for.
class Hooks : public rocksdb::FileSystemWrapper {
 public:
  Hooks() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "Hooks"; }
  rocksdb::IOStatus NewSequentialFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    if (f.find("/MANIFEST-") != std::string::npos) manifest_read_ = true;
    return target()->NewSequentialFile(f, o, r, dbg);
  }
  rocksdb::IOStatus GetFileSize(const std::string& f, const rocksdb::IOOptions& o, uint64_t* size,
                                rocksdb::IODebugContext* dbg) override {
    if (f.find("/MANIFEST-") != std::string::npos && manifest_size) {
      std::exchange(manifest_size, nullptr)();
    }
    return target()->GetFileSize(f, o, size, dbg);
  }
  rocksdb::IOStatus GetChildren(const std::string& dir, const rocksdb::IOOptions& o,
                                std::vector<std::string>* r,
                                rocksdb::IODebugContext* dbg) override {
    if (manifest_read_ && listing) listing();
    manifest_read_ = false;
    return target()->GetChildren(dir, o, r, dbg);
  }
  std::function<void()> listing, manifest_size;

 private:
  bool manifest_read_ = false;
};

class Writer {
 public:
  explicit Writer(const std::string& path) : path_(path) { Reopen(); }
  // As a restarted writer: a new MANIFEST, the old one deleted.
  void Reopen() {
    db_.reset();
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path_, &db).ok());
    db_.reset(db);
  }
  // Keys key-<from> .. key-<to - 1>.
  void Put(int from, int to) {
    for (int i = from; i < to; ++i) {
      ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), Key(i), std::string(100, 'v')).ok());
    }
  }
  // Moves what the write-ahead log holds into a table and waits for the emptied log file to go.
  void Flush() {
    ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (LogFiles() > 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(LogFiles(), 1);
  }
  static std::string Key(int i) { return "key-" + std::to_string(100000 + i); }

 private:
  int LogFiles() const {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      n += entry.path().extension() == ".log";
    }
    return n;
  }
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
};

struct Reader {
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  std::unique_ptr<rocksdb::Env> env;
  ~Reader() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  rocksdb::Status Open(const std::string& path, std::shared_ptr<rocksdb::FileSystem> fs,
                       ReadOnlyOpenOptions options = ReadOnlyOpenOptions()) {
    rocksdb::DBOptions db_options;
    env = rocksdb::NewCompositeEnv(fs);
    db_options.env = env.get();
    return OpenForReadOnlyConsistently(
        db_options, path, {{rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}},
        &handles, &db, options);
  }
  int CountKeys() {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return n;
  }
};

TEST(ReadOnlyOpenTest, SeesEveryWriteWhenTheWriterFlushesDuringTheOpen) {
  test::ScratchDir dir;
  Writer writer(dir.path());
  writer.Put(0, 1000);  // only in the write-ahead log
  auto fs = std::make_shared<Hooks>();
  bool flushed = false;
  fs->listing = [&] {
    if (flushed) return;
    flushed = true;
    writer.Put(1000, 1001);
    writer.Flush();
  };
  Reader reader;
  rocksdb::Status s = reader.Open(dir.path(), fs);
  ASSERT_TRUE(flushed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(reader.CountKeys(), 1001);
}

TEST(ReadOnlyOpenTest, SeesEveryWriteWhenTheWriterRestartsAndFlushesDuringTheOpen) {
  test::ScratchDir dir;
  Writer writer(dir.path());
  writer.Put(0, 1000);
  auto fs = std::make_shared<Hooks>();
  fs->manifest_size = [&] {  // between reading CURRENT and the MANIFEST's size
    writer.Reopen();
    writer.Put(1000, 2000);
  };
  bool flushed = false;
  fs->listing = [&] {
    if (flushed) return;
    flushed = true;
    writer.Put(2000, 2001);
    writer.Flush();
    writer.Put(2001, 2002);
  };
  Reader reader;
  rocksdb::Status s = reader.Open(dir.path(), fs);
  ASSERT_TRUE(flushed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(reader.CountKeys(), 2002);
}

TEST(ReadOnlyOpenTest, GivesUpWithBusyWhenTheDatabaseNeverHoldsStill) {
  test::ScratchDir dir;
  Writer writer(dir.path());
  auto fs = std::make_shared<Hooks>();
  int flushes = 0;
  fs->listing = [&] {
    writer.Put(flushes, flushes + 1);
    writer.Flush();
    ++flushes;
  };
  Reader reader;
  ReadOnlyOpenOptions options;
  // Long enough for a second attempt when a flush is slow (a flush under ThreadSanitizer took
  // longer than 200 ms, and the open gave up after its first attempt).
  options.give_up_after = std::chrono::seconds(1);
  rocksdb::Status s = reader.Open(dir.path(), fs, options);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ(reader.db, nullptr);
  EXPECT_TRUE(reader.handles.empty());
  EXPECT_GT(flushes, 1);
}

TEST(ReadOnlyOpenTest, AMissingDatabaseIsReportedAsRocksDbReportsIt) {
  test::ScratchDir dir;
  Reader reader;
  rocksdb::Status s = reader.Open(dir.Sub("none"), rocksdb::FileSystem::Default());
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(s.IsBusy()) << s.ToString();
}

TEST(ReadOnlyOpenTest, RefusesOptionsThatLeaveTablesUnopenedAtTheOpen) {
  test::ScratchDir dir;
  { Writer writer(dir.path()); }
  rocksdb::DBOptions db_options;
  db_options.max_open_files = 100;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = OpenForReadOnlyConsistently(
      db_options, dir.path(), {{rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}},
      &handles, &db);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(db, nullptr);
}

}  // namespace
}  // namespace tandem
