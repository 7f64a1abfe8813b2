// Helpers shared by Tandem's tests: scratch folders and small events.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "tandem/log/event_log.h"

namespace tandem::test {

// A fresh folder under $TMPDIR, removed with its contents when destroyed.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tandem-test-XXXXXX").string();
    // A full or read-only disk must fail the test with its cause, not hand on a null path.
    if (mkdtemp(pattern.data()) == nullptr) {
      const int error = errno;  // before anything below can change it
      throw std::filesystem::filesystem_error("cannot make a scratch folder", pattern,
                                              std::error_code(error, std::generic_category()));
    }
    path_ = pattern;
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Bytes of RocksDB write-ahead log in the database folder `dir`: what its next open replays.
// RocksDB deletes obsolete log files while the folder is listed: a file gone by the time it is
// measured counts as nothing.
inline uint64_t WriteAheadLogBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".log") continue;
    std::error_code gone;
    const uintmax_t size = std::filesystem::file_size(entry.path(), gone);
    if (!gone) bytes += size;
  }
  return bytes;
}

// A client-visible comment event; `body` lets tests tell events apart.
inline NewEvent CommentEvent(const std::string& body, const std::string& actor = "member:test") {
  schema::CommentPostedT c;
  c.project_id = "p1";
  c.thread_id = "t1";
  c.comment_id = body;
  c.thread_audience = schema::Audience::Client;
  c.body = body;
  NewEvent e;
  e.actor = actor;
  e.audience = schema::Audience::Client;
  e.payload.Set(std::move(c));
  return e;
}

inline std::string BodyOf(const RecordedEvent& e) {
  return e.event().payload_as_CommentPosted()->body()->str();
}

inline std::unique_ptr<EventLog> OpenLogOrDie(const std::string& path,
                                              EventLogOptions options = EventLogOptions()) {
  std::unique_ptr<EventLog> log;
  Status s = EventLog::Open(options, path, &log);
  if (!s.ok()) {
    fprintf(stderr, "cannot open log: %s\n", s.ToString().c_str());
    std::abort();
  }
  return log;
}

}  // namespace tandem::test
