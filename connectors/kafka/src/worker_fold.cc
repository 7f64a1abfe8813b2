#include "worker_fold.h"

#include <algorithm>

#include "tandem/basics/logger.h"
#include "tandem/kafka/event_message.h"

namespace tandem::kafka {

const char* RecordOutcomeName(RecordOutcome outcome) {
  switch (outcome) {
    case RecordOutcome::kFolded:
      return "folded";
    case RecordOutcome::kNoPosition:
      return "no_position";
    case RecordOutcome::kUnverifiable:
      return "unverifiable";
    case RecordOutcome::kDuplicate:
      return "duplicate";
  }
  return "unknown";
}

WorkerFold::WorkerFold(std::unique_ptr<Projection> projection, ViewStore* store, std::string topic)
    : projection_(std::move(projection)),
      store_(store),
      topic_(std::move(topic)),
      view_(projection_->name()) {}

Status WorkerFold::Load() {
  ViewCheckpoint checkpoint;
  std::vector<SourceOffset> offsets;
  Status s = store_->GetCheckpoint(view_, &checkpoint);
  if (s.ok()) s = store_->GetSourceOffsets(view_, &offsets);
  if (!s.ok() && !s.IsCorruption()) return s;
  std::string why;
  if (!s.ok()) {
    why = "damaged";
  } else if (checkpoint.version != 0 && checkpoint.version != version()) {
    why = "stored_version=" + std::to_string(checkpoint.version);
  } else if (checkpoint.position > 0 && offsets.empty()) {
    why = "folded_from_log";  // nothing says which records its rows hold
  } else if (std::any_of(offsets.begin(), offsets.end(),
                         [&](const SourceOffset& o) { return o.topic != topic_; })) {
    why = "fed_from_topic=" + offsets.front().topic;
  }
  if (!why.empty()) {
    LogWarn("kafka", "view dropped to fold again from the beginning view=" + view_ + " " + why);
    return DropView();
  }
  for (const SourceOffset& o : offsets) {
    committed_[o.partition] = o;
    if (o.unfinished) unfinished_.insert(o.partition);
  }
  position_ = checkpoint.position;
  // Also a fold a process was killed in, or a view a log-fed runner dropped to fold again.
  ready_ = checkpoint.version != 0 && checkpoint.ready_at == 0;
  whole_fold_ = !ready_;
  return Status::OK();
}

int64_t WorkerFold::NextOffset(int32_t partition) const {
  auto it = committed_.find(partition);
  return it == committed_.end() ? -1 : it->second.next_offset;
}

SourceOffset& WorkerFold::State(int32_t partition) {
  auto it = pending_.find(partition);
  if (it != pending_.end()) return it->second;
  auto committed = committed_.find(partition);
  SourceOffset& state = pending_[partition];
  if (committed != committed_.end()) {
    state = committed->second;
  } else {
    state.topic = topic_;
    state.partition = partition;
  }
  return state;
}

Status WorkerFold::Offer(const WorkerRecord& record, RecordOutcome* outcome, int64_t* unread) {
  if (batch_ == nullptr) batch_ = store_->NewBatch();
  SourceOffset& state = State(record.partition);
  if (unread != nullptr) *unread = std::max<int64_t>(0, record.offset - state.next_offset);
  // Whatever becomes of the record, it is not read again.
  state.next_offset = std::max(state.next_offset, record.offset + 1);
  pending_records_++;
  uint64_t position = 0;
  RecordedEvent event;
  if (!record.position_header.has_value() ||
      !ParseGlobalPositionHeader(*record.position_header, &position).ok()) {
    *outcome = RecordOutcome::kNoPosition;
    return Status::OK();
  }
  if (!DecodeEventValue(record.value, &event).ok() || event.global_position() != position) {
    *outcome = RecordOutcome::kUnverifiable;
    return Status::OK();
  }
  if (position <= state.last_position) {
    *outcome = RecordOutcome::kDuplicate;
    return Status::OK();
  }
  Status s = projection_->Apply(event.event(), batch_->Rows(view_));
  if (!s.ok()) return s;
  state.last_position = position;
  pending_position_ = std::max(pending_position_, position);
  *outcome = RecordOutcome::kFolded;
  return Status::OK();
}

Status WorkerFold::Commit(std::vector<SourceOffset>* advanced) {
  if (pending_records_ == 0) return Status::OK();
  const bool served = ServedAfterCommit();
  Status s = projection_->Flush(batch_->Rows(view_));
  if (s.ok()) {
    for (auto& [partition, offset] : pending_) {
      // Stored as unfinished until it reaches its end, so a restart still waits for it.
      offset.unfinished = reached_.count(partition) == 0 &&
                          (waiting_.count(partition) > 0 || unfinished_.count(partition) > 0);
      batch_->SetSourceOffset(view_, offset);
    }
    const uint64_t position = std::max(position_, pending_position_);
    batch_->SetCheckpoint(view_,
                          {position, version(), served ? 0 : ViewCheckpoint::kReadyWhenCaughtUp});
    s = store_->Commit(batch_.get());
  }
  if (!s.ok()) {
    Forget();
    return s;
  }
  for (int32_t p : reached_) {
    waiting_.erase(p);
    unfinished_.erase(p);
  }
  reached_.clear();
  if (served && !ready_) {
    LogInfo("kafka", "view served: its partitions reached their ends view=" + view_);
  }
  if (served) whole_fold_ = false;
  ready_ = served;
  for (auto& [partition, offset] : pending_) {
    if (advanced != nullptr) advanced->push_back(offset);
    committed_[partition] = std::move(offset);
  }
  position_ = std::max(position_, pending_position_);
  pending_.clear();
  batch_.reset();
  pending_records_ = 0;
  pending_position_ = 0;
  return Status::OK();
}

void WorkerFold::Forget() {
  projection_->Forget();
  reached_.clear();
  pending_.clear();
  batch_.reset();
  pending_records_ = 0;
  pending_position_ = 0;
  // A commit that was to serve the view, forgotten: no record or end may come to redo it.
  ServeWhenCommitted();
}

Status WorkerFold::DropView() {
  Forget();
  Status s = store_->Drop(view_);
  if (!s.ok()) return s;
  committed_.clear();
  position_ = 0;
  // Folded again from the beginning: every partition, up to its end.
  ready_ = false;
  whole_fold_ = true;
  waiting_ = assigned_;
  unfinished_.clear();
  return Status::OK();
}

void WorkerFold::Assigned(int32_t partition) {
  assigned_.insert(partition);
  // A partition the view read before, to its end, can only make it lag.
  const bool read_to_end =
      !whole_fold_ && committed_.count(partition) > 0 && unfinished_.count(partition) == 0;
  if (!read_to_end) {
    if (ready_) {
      LogInfo("kafka",
              "view unserved until a partition it has not read to its end reaches it view=" +
                  view_ + " partition=" + std::to_string(partition));
    }
    waiting_.insert(partition);
  }
  ServeWhenCommitted();
}

void WorkerFold::Revoked(int32_t partition) {
  assigned_.erase(partition);
  if (waiting_.erase(partition) > 0) unfinished_.insert(partition);
  reached_.erase(partition);
  ServeWhenCommitted();
}

void WorkerFold::ServeWhenCommitted() {
  if (ready_ || pending_records_ > 0 || !ServedAfterCommit()) return;
  if (batch_ == nullptr) batch_ = store_->NewBatch();
  pending_records_++;
}

void WorkerFold::ReachedEnd(int32_t partition, int64_t offset, int64_t* unread) {
  if (unread != nullptr) *unread = 0;
  if (assigned_.count(partition) == 0) return;  // librdkafka drops such ends; so do we
  const bool waited = waiting_.count(partition) > 0 && reached_.count(partition) == 0;
  const auto pending = pending_.find(partition);
  const auto committed = committed_.find(partition);
  const int64_t next = pending != pending_.end()       ? pending->second.next_offset
                       : committed != committed_.end() ? committed->second.next_offset
                                                       : -1;
  // Nothing new: the usual end of a caught-up fetch.
  if (!waited && offset <= next) return;
  if (batch_ == nullptr) batch_ = store_->NewBatch();
  SourceOffset& state = State(partition);
  if (unread != nullptr) *unread = std::max<int64_t>(0, offset - state.next_offset);
  state.next_offset = std::max(state.next_offset, offset);
  if (waited) reached_.insert(partition);
  pending_records_++;
}

bool WorkerFold::ServedAfterCommit() const {
  for (int32_t p : waiting_) {
    if (reached_.count(p) == 0) return false;
  }
  // A fold from the beginning with nothing assigned holds nothing to serve.
  return ready_ || !assigned_.empty();
}

}  // namespace tandem::kafka
