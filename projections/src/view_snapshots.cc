// Taking, listing and thinning snapshots of the views database; the thread that takes them.
#include "tandem/projections/view_snapshots.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <boost/json.hpp>

#include "tandem/basics/logger.h"
#include "tandem/basics/named_thread.h"
#include "tandem/projections/views.h"

#include "record_digest.h"

namespace tandem {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTaking = "taking";
constexpr const char* kDiscarding = "discarding";
constexpr const char* kManifest = "tandem-snapshot.json";
constexpr size_t kNameDigits = 20;
constexpr std::streamsize kMaxManifestBytes = 64 << 10;

std::string FolderName(uint64_t position) {
  std::string digits = std::to_string(position);
  return std::string(kNameDigits - digits.size(), '0') + digits;
}

bool ParseFolderName(const std::string& name, uint64_t* position) {
  if (name.size() != kNameDigits) return false;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), *position);
  return ec == std::errc() && end == name.data() + name.size();
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

Status FsError(const std::string& what, const std::error_code& ec) {
  return Status::IOError(what + ": " + ec.message());
}

// Written and synced before the folder is renamed: a renamed folder's manifest is whole.
Status WriteSynced(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating", path);
  Status s;
  if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
      ::fsync(fd) != 0) {
    s = Errno("writing", path);
  }
  ::close(fd);
  return s;
}

Status SyncFolder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  Status s;
  if (fd < 0 || ::fsync(fd) != 0) s = Errno("syncing the folder", path);
  if (fd >= 0) ::close(fd);
  return s;
}

std::string EncodeManifest(const ViewSnapshotManifest& m) {
  boost::json::object views;
  for (const auto& [name, c] : m.views) {
    views[name] = {{"position", c.position}, {"version", c.version}, {"ready_at", c.ready_at}};
  }
  return boost::json::serialize(boost::json::object{
      {"position", m.position}, {"record_sha256", m.record_sha256}, {"views", std::move(views)}});
}

// A whole number of `o` at or below `max` (the parser reads small ones as signed).
bool Whole(const boost::json::object& o, std::string_view key, uint64_t max, uint64_t* out) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_uint64()) {
    *out = v->get_uint64();
  } else if (v->is_int64() && v->get_int64() >= 0) {
    *out = static_cast<uint64_t>(v->get_int64());
  } else {
    return false;
  }
  return *out <= max;
}

bool DecodeManifest(const std::string& text, ViewSnapshotManifest* m) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  const boost::json::object* o = ec ? nullptr : v.if_object();
  const boost::json::value* views = o == nullptr ? nullptr : o->if_contains("views");
  const boost::json::value* record = o == nullptr ? nullptr : o->if_contains("record_sha256");
  if (views == nullptr || !views->is_object() || record == nullptr || !record->is_string() ||
      !Whole(*o, "position", UINT64_MAX, &m->position)) {
    return false;
  }
  m->record_sha256 = std::string(record->get_string());
  m->views.clear();
  for (const auto& [name, value] : views->get_object()) {
    const boost::json::object* c = value.if_object();
    ViewCheckpoint checkpoint;
    uint64_t version = 0;
    if (c == nullptr || !Whole(*c, "position", m->position, &checkpoint.position) ||
        !Whole(*c, "version", UINT32_MAX, &version) ||
        !Whole(*c, "ready_at", UINT64_MAX, &checkpoint.ready_at)) {
      return false;
    }
    checkpoint.version = static_cast<uint32_t>(version);
    m->views.emplace(std::string(name), checkpoint);
  }
  return true;
}

bool ReadManifest(const fs::path& folder, ViewSnapshotManifest* m) {
  std::ifstream in(folder / kManifest, std::ios::binary);
  if (!in) return false;
  std::string text(kMaxManifestBytes + 1, '\0');
  in.read(text.data(), kMaxManifestBytes + 1);
  if (in.gcount() > kMaxManifestBytes) return false;
  text.resize(static_cast<size_t>(in.gcount()));
  return DecodeManifest(text, m);
}

// The checkpoints of the views in the copy at `folder`, read from the copy itself: the views
// went on committing while it was taken.
Status ReadCopyManifest(const std::string& folder, ViewSnapshotManifest* m) {
  ViewStoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  options.low_priority_compactions = false;
  std::unique_ptr<ViewStore> copy;
  Status s = ViewStore::Open(options, folder, &copy);
  if (!s.ok()) return s;
  *m = ViewSnapshotManifest();
  for (const std::string& view : StoredViewNames()) {
    ViewCheckpoint c;
    s = copy->GetCheckpoint(view, &c);
    if (!s.ok()) return s;
    if (c.version == 0) continue;
    m->views.emplace(view, c);
    m->position = std::max(m->position, c.position);
  }
  return Status::OK();
}

Status RemoveFolder(const fs::path& folder) {
  std::error_code ec;
  fs::remove_all(folder, ec);
  return ec ? FsError("removing " + folder.string(), ec) : Status::OK();
}

// Removes a snapshot by renaming it away first: a crash part-way through the removal leaves no
// folder under a position's name without its files (and `discarding` is removed next time).
Status Discard(const std::string& dir, uint64_t position) {
  const fs::path away = fs::path(dir) / kDiscarding;
  Status s = RemoveFolder(away);
  std::error_code ec;
  if (s.ok()) fs::rename(fs::path(dir) / FolderName(position), away, ec);
  if (ec) s = FsError("removing the snapshot " + FolderName(position), ec);
  return s.ok() ? RemoveFolder(away) : s;
}

// The positions named by the folders in `dir`, snapshots or not (none without the folder).
Status PositionFolders(const std::string& dir, std::vector<uint64_t>* positions) {
  positions->clear();
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::OK();
  fs::directory_iterator it(dir, ec);
  if (ec) return FsError("listing " + dir, ec);
  for (const fs::directory_entry& entry : it) {
    uint64_t position = 0;
    if (ParseFolderName(entry.path().filename().string(), &position))
      positions->push_back(position);
  }
  return Status::OK();
}

// The SHA-256 of the log's record at `position`; empty when it cannot be read.
std::string RecordDigestOrEmpty(EventLog* log, uint64_t position) {
  std::string digest;
  return RecordDigestAt(log, position, &digest).ok() ? digest : std::string();
}

// Whether the snapshot stands for its views folded by their current versions (what a snapshot
// taken now would hold, at its own position).
bool OfCurrentVersions(const ViewSnapshotManifest& m,
                       const std::map<std::string, uint32_t>& versions) {
  std::vector<std::string> views;
  for (const auto& [name, version] : versions) views.push_back(name);
  return SnapshotServes(m, views, versions, m.position);
}

// When a snapshot is due and what came of taking one; the two ways of driving it below.
class SnapshotTaker : public ViewSnapshotter {
 public:
  SnapshotTaker(const ViewSnapshotOptions& options, ViewStore* store, EventLog* log,
                uint64_t newest)
      : options_(options), store_(store), log_(log), newest_(newest) {}
  uint64_t taken() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return taken_;
  }

 protected:
  // Takes a snapshot if the views have folded `position` and that is far enough past the
  // newest; false when a try failed or found nothing newer (try again later, not at once).
  bool TakeIfDue(uint64_t position) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (position < newest_ + options_.every_events) return true;
    }
    ViewSnapshotManifest taken;
    Status s = TakeViewSnapshot(store_, log_, options_, &taken);
    if (!s.ok()) {
      LogWarn("views", "snapshot not taken: " + s.ToString());
      return false;
    }
    // A snapshot counts from its lowest view: views commit one by one, and rows written
    // behind reach the store later.
    const uint64_t from = LowestCheckpoint(taken);
    std::lock_guard<std::mutex> lock(mu_);
    if (taken.position == 0 || from <= newest_) return false;  // nothing newer in the store
    LogInfo("views", "snapshot taken position=" + std::to_string(taken.position) +
                         " lowest_view_position=" + std::to_string(from));
    newest_ = from;
    ++taken_;
    return true;
  }

  const ViewSnapshotOptions options_;

 private:
  ViewStore* const store_;
  EventLog* const log_;
  mutable std::mutex mu_;
  uint64_t newest_;  // the lowest view position of the newest snapshot of use
  uint64_t taken_ = 0;
};

// Asks a runner where its views stand every quarter of a second: never holds a round back.
class ThreadedSnapshotter : public SnapshotTaker {
 public:
  ThreadedSnapshotter(const ViewSnapshotOptions& options, ViewStore* store, EventLog* log,
                      std::function<uint64_t()> position, uint64_t newest)
      : SnapshotTaker(options, store, log, newest), position_(std::move(position)) {
    thread_ = NamedThread("tandem-snapshot", [this] { Run(); });
  }
  ~ThreadedSnapshotter() override {
    {
      std::lock_guard<std::mutex> lock(stop_mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void AtRoundEnd(uint64_t) override {}

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(stop_mu_);
    auto next_try = std::chrono::steady_clock::now();
    while (!stop_) {
      wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; });
      if (stop_ || std::chrono::steady_clock::now() < next_try) continue;
      lock.unlock();
      const bool fine = TakeIfDue(position_());
      lock.lock();
      if (!fine) next_try = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    }
  }

  const std::function<uint64_t()> position_;
  std::mutex stop_mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// Takes them where a catch-up's round ends, every view at the same position.
class RoundEndSnapshotter : public SnapshotTaker {
 public:
  using SnapshotTaker::SnapshotTaker;
  void AtRoundEnd(uint64_t position) override {
    if (position < next_try_) return;
    // A failed try is not repeated for another `every_events`: a catch-up goes on meanwhile.
    if (!TakeIfDue(position)) next_try_ = position + options_.every_events;
  }

 private:
  uint64_t next_try_ = 0;
};

// The lowest view position of the newest snapshot in `dir` of the current versions, once those
// of another log are gone.
Status NewestOfUse(const std::string& dir, EventLog* log, uint64_t* newest) {
  *newest = 0;
  Status s = RemoveViewSnapshotsOfAnotherLog(dir, log);
  std::vector<ViewSnapshotManifest> snapshots;
  if (s.ok()) s = ListViewSnapshots(dir, &snapshots);
  const std::map<std::string, uint32_t> versions = CurrentViewVersions();
  for (const ViewSnapshotManifest& m : snapshots) {
    if (OfCurrentVersions(m, versions)) *newest = std::max(*newest, LowestCheckpoint(m));
  }
  return s;
}

}  // namespace

std::string ViewSnapshotFolder(const std::string& dir, uint64_t position) {
  return (fs::path(dir) / FolderName(position)).string();
}

std::map<std::string, uint32_t> CurrentViewVersions() {
  std::map<std::string, uint32_t> versions;
  std::vector<std::unique_ptr<Projection>> projections;
  if (MakeProjections({}, &projections).ok()) {
    for (const auto& p : projections) versions.emplace(std::string(p->name()), p->version());
  }
  return versions;
}

bool SnapshotServes(const ViewSnapshotManifest& snapshot, const std::vector<std::string>& views,
                    const std::map<std::string, uint32_t>& versions, uint64_t position) {
  for (const std::string& view : views) {
    auto held = snapshot.views.find(view);
    auto version = versions.find(view);
    if (held == snapshot.views.end() || version == versions.end()) return false;
    const ViewCheckpoint& c = held->second;
    // A view being folded again from the start holds exactly the events up to its checkpoint
    // (not served live, being short of the head, but a fold of the past all the same). A view
    // fed from Kafka counts partitions, not log positions.
    if (c.version == 0 || c.version != version->second || c.position > position ||
        c.ready_at == ViewCheckpoint::kReadyWhenCaughtUp) {
      return false;
    }
  }
  return true;
}

Status ListViewSnapshots(const std::string& dir, std::vector<ViewSnapshotManifest>* snapshots) {
  snapshots->clear();
  std::vector<uint64_t> positions;
  Status s = PositionFolders(dir, &positions);
  if (!s.ok()) return s;
  for (uint64_t position : positions) {
    const fs::path folder = fs::path(dir) / FolderName(position);
    ViewSnapshotManifest m;
    if (!ReadManifest(folder, &m) || m.position != position) {
      LogWarn("views", "snapshot without a readable manifest left unused: " + folder.string());
      continue;
    }
    snapshots->push_back(std::move(m));
  }
  std::sort(snapshots->begin(), snapshots->end(),
            [](const auto& a, const auto& b) { return a.position < b.position; });
  return Status::OK();
}

std::vector<uint64_t> SnapshotsToThin(const std::vector<uint64_t>& positions, size_t keep) {
  std::vector<uint64_t> kept = positions;
  std::vector<uint64_t> removed;
  keep = std::max<size_t>(keep, 1);
  while (kept.size() > keep) {
    // Never the newest; of the others, the one whose neighbours are closest together.
    size_t best = 0;
    uint64_t best_gap = UINT64_MAX;
    for (size_t i = 0; i + 1 < kept.size(); ++i) {
      const uint64_t gap = kept[i + 1] - (i == 0 ? 0 : kept[i - 1]);
      if (gap < best_gap) {
        best_gap = gap;
        best = i;
      }
    }
    removed.push_back(kept[best]);
    kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(best));
  }
  std::sort(removed.begin(), removed.end());
  return removed;
}

uint64_t LowestCheckpoint(const ViewSnapshotManifest& snapshot,
                          const std::vector<std::string>& views) {
  uint64_t lowest = snapshot.position;
  for (const auto& [name, c] : snapshot.views) {
    if (views.empty() || std::find(views.begin(), views.end(), name) != views.end()) {
      lowest = std::min(lowest, c.position);
    }
  }
  return lowest;
}

// Removes the snapshots of other versions, then thins the others to `keep`.
static Status Thin(const std::string& dir, size_t keep) {
  std::vector<ViewSnapshotManifest> snapshots;
  Status s = ListViewSnapshots(dir, &snapshots);
  const std::map<std::string, uint32_t> versions = CurrentViewVersions();
  std::vector<uint64_t> positions;
  for (const ViewSnapshotManifest& m : snapshots) {
    if (!OfCurrentVersions(m, versions)) {
      if (s.ok()) s = Discard(dir, m.position);
    } else {
      positions.push_back(m.position);
    }
  }
  for (uint64_t position : SnapshotsToThin(positions, keep)) {
    if (s.ok()) s = Discard(dir, position);
  }
  return s;
}

Status TakeViewSnapshot(ViewStore* store, EventLog* log, const ViewSnapshotOptions& options,
                        ViewSnapshotManifest* taken) {
  *taken = ViewSnapshotManifest();
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return FsError("creating " + options.dir, ec);
  const fs::path taking = fs::path(options.dir) / kTaking;
  Status s = RemoveFolder(taking);  // what a crash left
  if (s.ok()) s = RemoveFolder(fs::path(options.dir) / kDiscarding);
  if (s.ok()) s = store->CopyTo(taking.string());
  ViewSnapshotManifest manifest;
  if (s.ok()) s = ReadCopyManifest(taking.string(), &manifest);
  if (s.ok() && manifest.views.empty()) return RemoveFolder(taking);
  if (s.ok()) {
    manifest.record_sha256 = RecordDigestOrEmpty(log, manifest.position);
    if (manifest.record_sha256.empty()) {
      s = Status::NotFound("the log holds no event at the views' position " +
                           std::to_string(manifest.position));
    }
  }
  if (s.ok()) s = WriteSynced((taking / kManifest).string(), EncodeManifest(manifest));
  const std::string name = FolderName(manifest.position);
  if (s.ok() && fs::exists(fs::path(options.dir) / name, ec))
    s = Discard(options.dir, manifest.position);
  if (s.ok()) {
    fs::rename(taking, fs::path(options.dir) / name, ec);
    if (ec) s = FsError("renaming " + taking.string(), ec);
  }
  if (s.ok()) s = SyncFolder(options.dir);
  if (!s.ok()) {
    RemoveFolder(taking);
    return s;
  }
  *taken = std::move(manifest);
  return Thin(options.dir, options.keep);
}

bool SnapshotOfLog(const ViewSnapshotManifest& snapshot, EventLog* log) {
  return snapshot.position <= log->LastPosition() && !snapshot.record_sha256.empty() &&
         RecordDigestOrEmpty(log, snapshot.position) == snapshot.record_sha256;
}

Status RemoveViewSnapshotsOfAnotherLog(const std::string& dir, EventLog* log) {
  std::vector<ViewSnapshotManifest> snapshots;
  std::vector<uint64_t> folders;
  Status s = ListViewSnapshots(dir, &snapshots);
  if (s.ok()) s = PositionFolders(dir, &folders);
  for (uint64_t position : folders) {
    auto it = std::find_if(snapshots.begin(), snapshots.end(),
                           [&](const auto& m) { return m.position == position; });
    if (!s.ok() || (it != snapshots.end() && SnapshotOfLog(*it, log))) continue;
    LogWarn("views", std::string(it == snapshots.end() ? "snapshot without a readable manifest"
                                                       : "snapshot of another log") +
                         " removed position=" + std::to_string(position));
    s = Discard(dir, position);
  }
  return s;
}

Status RemoveViewSnapshots(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::OK();  // no snapshot there
  std::vector<uint64_t> folders;
  Status s = PositionFolders(dir, &folders);
  for (uint64_t position : folders) {
    if (s.ok()) s = Discard(dir, position);
  }
  if (s.ok()) s = RemoveFolder(fs::path(dir) / kTaking);
  return s;
}

Status ViewSnapshotter::Start(const ViewSnapshotOptions& options, ViewStore* store, EventLog* log,
                              std::function<uint64_t()> position,
                              std::unique_ptr<ViewSnapshotter>* snapshotter) {
  if (options.every_events == 0) {
    return Status::InvalidArgument("view.snapshot_every", "snapshots every 0 events");
  }
  uint64_t newest = 0;
  Status s = NewestOfUse(options.dir, log, &newest);
  if (!s.ok()) return s;
  if (position == nullptr) {
    *snapshotter = std::make_unique<RoundEndSnapshotter>(options, store, log, newest);
  } else {
    *snapshotter =
        std::make_unique<ThreadedSnapshotter>(options, store, log, std::move(position), newest);
  }
  return Status::OK();
}

}  // namespace tandem
