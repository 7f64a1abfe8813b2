// A rocksdb::FileSystem that fails chosen operations, the way RocksDB's own fault-injection tests
// do: "let 3 Appends to *.log succeed, then fail every later one", "fail every rename". Every
// other call goes to the real filesystem. A failed call does nothing and returns an IOError, as
// a device that refuses the write would.
//
// Give it to the log with EventLogOptions::file_system. Thread-safe: RocksDB calls it from its
// own threads.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <rocksdb/file_system.h>

namespace tandem::test {

enum class FaultOp {
  kCreate,  // NewWritableFile, ReopenWritableFile, ReuseWritableFile
  kAppend,  // FSWritableFile::Append and PositionedAppend
  kFlush,   // FSWritableFile::Flush
  kSync,    // FSWritableFile::Sync, Fsync, RangeSync (and, for Slow only, IsSyncThreadSafe);
            // FSDirectory::Fsync (matched on the folder's name)
  kClose,   // FSWritableFile::Close
  kRename,  // FileSystem::RenameFile (matched on the target's name)
  kAny,     // every operation above: a device that stops taking writes
};

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  static constexpr uint64_t kForever = std::numeric_limits<uint64_t>::max();

  FaultFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "TandemFaultFileSystem"; }

  // From now on, lets `skip` calls of `op` on files whose name ends with `suffix` ("" matches
  // every file) succeed, then fails the next `count` of them.
  void Inject(FaultOp op, std::string suffix, uint64_t skip = 0, uint64_t count = kForever) {
    std::lock_guard<std::mutex> lock(mu_);
    faults_.push_back({op, std::move(suffix), skip, count});
  }
  // From now on, calls of `op` on files ending with `suffix` that succeed take `delay` longer,
  // as on a slow device (calls that fail, fail at once).
  void Slow(FaultOp op, std::string suffix, std::chrono::microseconds delay) {
    std::lock_guard<std::mutex> lock(mu_);
    slow_.push_back({op, std::move(suffix), delay});
  }
  // Every operation succeeds again, at full speed.
  void Heal() {
    std::lock_guard<std::mutex> lock(mu_);
    faults_.clear();
    slow_.clear();
  }
  // Every operation succeeds again, and the count of failed calls restarts.
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    faults_.clear();
    slow_.clear();
    injected_ = 0;
  }
  // How many calls have been failed so far.
  uint64_t injected() const {
    std::lock_guard<std::mutex> lock(mu_);
    return injected_;
  }

  // Copies the folder `from` to `to` as a power loss would leave it now: of each file written
  // through this filesystem, only what its last finished Sync or Fsync covered (a file never
  // synced is empty); other files whole (written before, or elsewhere and synced there).
  // Directory entries are not modelled: a file there now is kept, a deleted one stays deleted.
  // Returns how many of the files were written through this filesystem (0 means the copy
  // modelled nothing). Files deleted while it copies are skipped.
  size_t CopyAsAPowerLossLeavesIt(const std::string& from, const std::string& to) const {
    namespace fs = std::filesystem;
    fs::create_directories(to);
    std::lock_guard<std::mutex> lock(mu_);
    size_t tracked = 0;
    for (const auto& entry : fs::directory_iterator(from)) {
      std::error_code error;
      if (!entry.is_regular_file(error)) continue;
      const fs::path copy = fs::path(to) / entry.path().filename();
      if (!fs::copy_file(entry.path(), copy, fs::copy_options::overwrite_existing, error)) {
        continue;
      }
      auto written = lengths_.find(PathOf(entry.path().string()));
      if (written == lengths_.end()) continue;
      tracked++;
      if (written->second.synced < fs::file_size(copy)) {
        fs::resize_file(copy, written->second.synced);
      }
    }
    return tracked;
  }

  // From now on, runs `f` right after each finished Sync or Fsync of a file whose path
  // contains `part`, on the syncing thread ("MANIFEST": each moment RocksDB makes a change of
  // its tables durable, an ingestion among them). `f` may call CopyAsAPowerLossLeavesIt.
  void AfterEachSync(std::string part, std::function<void()> f) {
    std::lock_guard<std::mutex> lock(mu_);
    after_sync_part_ = std::move(part);
    after_sync_ = std::move(f);
  }

  // The error for this call of `op` on `file`, OK when it should go through.
  rocksdb::IOStatus Check(FaultOp op, const std::string& file) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (Fault& f : faults_) {
        if (!Matches(f.op, f.suffix, op, file)) continue;
        if (f.skip > 0) {
          f.skip--;
          continue;
        }
        if (f.count == 0) continue;
        if (f.count != kForever) f.count--;
        injected_++;
        return rocksdb::IOStatus::IOError("injected fault", file);
      }
    }
    Wait(op, file);
    return rocksdb::IOStatus::OK();
  }
  // Sleeps as long as `Slow` asked for calls of `op` on `file`.
  void Wait(FaultOp op, const std::string& file) {
    std::chrono::microseconds delay{0};
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const Delay& d : slow_) {
        if (Matches(d.op, d.suffix, op, file)) delay += d.delay;
      }
    }
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
  }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Check(FaultOp::kCreate, f);
    if (s.ok()) s = target()->NewWritableFile(f, o, r, dbg);
    return Wrap(f, s, r);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Check(FaultOp::kCreate, f);
    if (s.ok()) s = target()->ReopenWritableFile(f, o, r, dbg);
    return Wrap(f, s, r, /*reopened=*/true);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Check(FaultOp::kCreate, f);
    if (s.ok()) s = target()->ReuseWritableFile(f, old, o, r, dbg);
    return Wrap(f, s, r);
  }
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewDirectory(name, o, r, dbg);
    if (s.ok()) r->reset(new Directory(this, name, std::move(*r)));
    return s;
  }
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Check(FaultOp::kRename, target);
    if (s.ok()) s = this->target()->RenameFile(src, target, o, dbg);
    if (s.ok()) MoveLengths(src, target, /*keep_source=*/false);
    return s;
  }
  // What was synced of a file is synced of its new name too (the same inode).
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& target,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = this->target()->LinkFile(src, target, o, dbg);
    if (s.ok()) MoveLengths(src, target, /*keep_source=*/true);
    return s;
  }
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->DeleteFile(f, o, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      lengths_.erase(PathOf(f));
    }
    return s;
  }

 private:
  struct Fault {
    FaultOp op;
    std::string suffix;
    uint64_t skip;
    uint64_t count;
  };
  struct Delay {
    FaultOp op;
    std::string suffix;
    std::chrono::microseconds delay;
  };

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(FaultFileSystem* fs, std::string name, std::unique_ptr<rocksdb::FSWritableFile> file)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), name_(std::move(name)) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kAppend, name_);
      if (s.ok()) s = FSWritableFileOwnerWrapper::Append(data, o, dbg);
      if (s.ok()) fs_->Written(name_, data.size());
      return s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v,
                             rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kAppend, name_);
      if (s.ok()) s = FSWritableFileOwnerWrapper::Append(data, o, v, dbg);
      if (s.ok()) fs_->Written(name_, data.size());
      return s;
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kAppend, name_);
      if (s.ok()) s = FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, dbg);
      if (s.ok()) fs_->WrittenUpTo(name_, offset + data.size());
      return s;
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& o,
                                       const rocksdb::DataVerificationInfo& v,
                                       rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kAppend, name_);
      if (s.ok()) s = FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, v, dbg);
      if (s.ok()) fs_->WrittenUpTo(name_, offset + data.size());
      return s;
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kFlush, name_);
      return s.ok() ? FSWritableFileOwnerWrapper::Flush(o, dbg) : s;
    }
    // What a sync covers is what was written when it began: appends beside it may be lost.
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kSync, name_);
      const uint64_t written = fs_->WrittenOf(name_);
      if (s.ok()) s = FSWritableFileOwnerWrapper::Sync(o, dbg);
      if (s.ok()) fs_->Synced(name_, written);
      return s;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kSync, name_);
      const uint64_t written = fs_->WrittenOf(name_);
      if (s.ok()) s = FSWritableFileOwnerWrapper::Fsync(o, dbg);
      if (s.ok()) fs_->Synced(name_, written);
      return s;
    }
    rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t n, const rocksdb::IOOptions& o,
                                rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kSync, name_);
      return s.ok() ? FSWritableFileOwnerWrapper::RangeSync(offset, n, o, dbg) : s;
    }
    // RocksDB asks this right before it syncs a WAL beside writes (DB::SyncWAL): a slow sync
    // starts here.
    bool IsSyncThreadSafe() const override {
      fs_->Wait(FaultOp::kSync, name_);
      return FSWritableFileOwnerWrapper::IsSyncThreadSafe();
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      // The file is closed either way, as close(2) does; the error is what is reported.
      rocksdb::IOStatus s = fs_->Check(FaultOp::kClose, name_);
      rocksdb::IOStatus closed = FSWritableFileOwnerWrapper::Close(o, dbg);
      return s.ok() ? closed : s;
    }

   private:
    FaultFileSystem* const fs_;
    const std::string name_;
  };

  class Directory : public rocksdb::FSDirectoryWrapper {
   public:
    Directory(FaultFileSystem* fs, std::string name, std::unique_ptr<rocksdb::FSDirectory> dir)
        : FSDirectoryWrapper(std::move(dir)), fs_(fs), name_(std::move(name)) {}

    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kSync, name_);
      return s.ok() ? FSDirectoryWrapper::Fsync(o, dbg) : s;
    }
    rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg,
                                          const rocksdb::DirFsyncOptions& d) override {
      rocksdb::IOStatus s = fs_->Check(FaultOp::kSync, name_);
      return s.ok() ? FSDirectoryWrapper::FsyncWithDirOptions(o, dbg, d) : s;
    }

   private:
    FaultFileSystem* const fs_;
    const std::string name_;
  };

  static bool Matches(FaultOp op, const std::string& suffix, FaultOp call,
                      const std::string& file) {
    return (op == call || op == FaultOp::kAny) && file.size() >= suffix.size() &&
           file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0;
  }

  rocksdb::IOStatus Wrap(const std::string& name, const rocksdb::IOStatus& s,
                         std::unique_ptr<rocksdb::FSWritableFile>* file, bool reopened = false) {
    if (!s.ok()) return s;
    const std::string path = PathOf(name);
    {
      // A new file starts from nothing synced. A reopened one (RocksDB reopens an ingested
      // table, linked in, to sync it) keeps what it had: as tracked, or whole if written
      // elsewhere.
      std::lock_guard<std::mutex> lock(mu_);
      if (!reopened) {
        lengths_[path] = Lengths();
      } else if (lengths_.count(path) == 0) {
        std::error_code error;
        const uint64_t size = std::filesystem::file_size(path, error);
        lengths_[path] = error ? Lengths() : Lengths{size, size};
      }
    }
    file->reset(new File(this, path, std::move(*file)));
    return s;
  }

  // How much of a file was written and synced through this filesystem.
  struct Lengths {
    uint64_t written = 0;
    uint64_t synced = 0;
  };
  void Written(const std::string& file, uint64_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    lengths_[file].written += bytes;
  }
  void WrittenUpTo(const std::string& file, uint64_t end) {
    std::lock_guard<std::mutex> lock(mu_);
    Lengths& lengths = lengths_[file];
    lengths.written = std::max(lengths.written, end);
  }
  void MoveLengths(const std::string& src, const std::string& target, bool keep_source) {
    std::lock_guard<std::mutex> lock(mu_);
    auto from = lengths_.find(PathOf(src));
    if (from == lengths_.end()) {
      lengths_.erase(PathOf(target));  // whatever it was, it is now a file written elsewhere
      return;
    }
    lengths_[PathOf(target)] = from->second;
    if (!keep_source) lengths_.erase(from);
  }
  uint64_t WrittenOf(const std::string& file) {
    std::lock_guard<std::mutex> lock(mu_);
    return lengths_[file].written;
  }
  void Synced(const std::string& file, uint64_t written) {
    std::function<void()> after;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Lengths& lengths = lengths_[file];
      lengths.synced = std::max(lengths.synced, written);
      if (after_sync_ && file.find(after_sync_part_) != std::string::npos) after = after_sync_;
    }
    if (after) after();
  }
  static std::string PathOf(const std::string& name) {
    return std::filesystem::path(name).lexically_normal().string();
  }

  mutable std::mutex mu_;
  std::vector<Fault> faults_;
  std::vector<Delay> slow_;
  uint64_t injected_ = 0;
  std::map<std::string, Lengths> lengths_;  // by path
  std::string after_sync_part_;
  std::function<void()> after_sync_;
};

}  // namespace tandem::test
