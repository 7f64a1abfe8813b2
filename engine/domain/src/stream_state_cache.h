// Folded stream states kept between commands, so that a command costs what its own events cost
// and not what its stream's history costs: the state is caught up from the log by the events
// appended since it was last used (usually none) and never copied whole per command.
//
// Entries live in a map bounded by count that evicts the least recently used entry nobody is
// using. Commands on one stream share its entry while any of them runs, so they take turns on
// its lock; an entry whose stream turned out not to exist is dropped when its command ends, and
// only then is the map trimmed, so that names nobody uses (an outsider's guesses) never push out
// the states members work on. The map exceeds its bound only by the entries in use. Every
// append is conditioned on the versions its decision read, so even two entries for one stream
// would stay correct.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tandem/log/event_log.h"

namespace tandem {

template <typename Entry>
class LruMap {
 public:
  explicit LruMap(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The entry for `key`, created empty when missing, now the most recently used. Give it back
  // with Release.
  std::shared_ptr<Entry> Pin(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return it->second->second;
    }
    order_.emplace_front(key, std::make_shared<Entry>());
    index_.emplace(key, order_.begin());
    return order_.front().second;
  }

  // Ends a use of `entry`: dropped unless `keep` (its stream exists) when nobody else uses it;
  // then the least recently used entries nobody uses are evicted down to the bound.
  void Release(const std::string& key, const std::shared_ptr<Entry>& entry, bool keep) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    // In use by the map and the caller only.
    if (!keep && it != index_.end() && it->second->second == entry && entry.use_count() == 2) {
      order_.erase(it->second);
      index_.erase(it);
    }
    for (auto victim = order_.end(); order_.size() > capacity_ && victim != order_.begin();) {
      --victim;
      if (victim->second.use_count() != 1) continue;  // in use: skipped, not waited for
      index_.erase(victim->first);
      victim = order_.erase(victim);
    }
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return order_.size();
  }

 private:
  using Order = std::list<std::pair<std::string, std::shared_ptr<Entry>>>;
  mutable std::mutex mu_;
  const size_t capacity_;
  Order order_;  // most recently used first
  std::unordered_map<std::string, typename Order::iterator> index_;
};

// Folds the events of `stream` after state->stream_version into `state`, in place. A read that
// fails part-way leaves a consistent state at the last event folded.
template <typename State>
Status CatchUp(EventLog* log, const StreamId& stream, State* state) {
  std::vector<RecordedEvent> events;
  const ReadOptions page;
  do {
    Status s = log->ReadStreamForward(stream, state->stream_version + 1, page, &events);
    if (s.IsNotFound()) return Status::OK();  // no stream yet: the empty state is current
    if (!s.ok()) return s;
    for (const auto& e : events) state->Apply(e.event());
  } while (events.size() == page.max_count);
  return Status::OK();
}

// A state that one command at a time decides on and updates in place (a project's): the
// command holds `mu` from catching up to folding in its own events.
template <typename State>
struct ExclusiveState {
  std::mutex mu;
  State state;
  bool loaded = false;  // caught up with the log at least once
};

// A state that many commands read at once (a workspace's, read by every command in it to
// authorise): an immutable snapshot, replaced by a caught-up copy when the stream moved.
template <typename State>
class SharedState {
 public:
  SharedState() : snapshot_(std::make_shared<const State>()) {}

  // The snapshot as last caught up, without reading the log; false if it never was.
  bool Cached(std::shared_ptr<const State>* out) {
    if (!loaded_.load(std::memory_order_acquire)) return false;
    *out = Load();
    return true;
  }

  // The current snapshot, caught up with the log.
  Status Current(EventLog* log, const StreamId& stream, std::shared_ptr<const State>* out) {
    std::shared_ptr<const State> snap = Load();
    // The common case, nothing new, reads without taking the update lock.
    std::vector<RecordedEvent> probe;
    ReadOptions one;
    one.max_count = 1;
    Status s = log->ReadStreamForward(stream, snap->stream_version + 1, one, &probe);
    if (s.IsNotFound() || (s.ok() && probe.empty())) {
      loaded_.store(true, std::memory_order_release);
      *out = std::move(snap);
      return Status::OK();
    }
    if (!s.ok()) return s;
    std::lock_guard<std::mutex> lock(update_mu_);
    auto next = std::make_shared<State>(*Load());
    s = CatchUp(log, stream, next.get());
    if (!s.ok()) return s;
    std::shared_ptr<const State> published = std::move(next);
    {
      std::lock_guard<std::mutex> snap_lock(snapshot_mu_);
      snapshot_ = published;
    }
    loaded_.store(true, std::memory_order_release);
    *out = std::move(published);
    return Status::OK();
  }

  // Serialises the commands that write this stream.
  std::mutex& command_mu() { return command_mu_; }

  // Whether the stream had events when last caught up.
  bool ExistsInLog() {
    std::shared_ptr<const State> snap = Load();
    return snap->stream_version > 0;
  }

 private:
  std::shared_ptr<const State> Load() {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    return snapshot_;
  }

  std::mutex command_mu_;
  std::mutex update_mu_;
  std::mutex snapshot_mu_;  // held only to copy the pointer
  std::shared_ptr<const State> snapshot_;
  std::atomic<bool> loaded_{false};
};

}  // namespace tandem
