// Projection: a pure fold of events into a view's rows, with no knowledge of where the events
// come from (the log's subscription, a Kafka consumer, a slice of a stream for an as-of read)
// nor of how its rows are stored. The runner owns batching, checkpoints and storage.
//
// Contract:
//  - Apply is called once per event, in global order, for every event after the view's
//    checkpoint; it reads rows written by earlier batches through `rows`, and may keep the rows
//    it changes in memory (a fold touching one row a thousand times writes it once).
//  - Flush writes every change kept in memory into `rows`; the runner commits them together
//    with the checkpoint in one atomic write. After Flush the projection's memory holds nothing
//    that is not committed, or will be, so it may be kept as a cache.
//  - Forget drops every row kept in memory: after a batch that could not be committed, the
//    runner resumes from the checkpoint and the fold must not remember what was discarded.
//  - A fold decides only from the event and its own rows: folding the same events from the
//    same rows gives the same rows, which is what makes a rebuild, an as-of fold and the live
//    view comparable by hash.
#pragma once

#include <bitset>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "tandem/basics/status.h"
#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

// Read access to a view's stored rows. Keys and values are bytes; keys sort bytewise.
class RowReader {
 public:
  virtual ~RowReader() = default;
  // NotFound when the row is absent; Corruption/IOError when it cannot be read.
  virtual Status Get(std::string_view key, std::string* value) const = 0;
  // Visits the rows whose key starts with `prefix`, in key order, until `visit` returns false.
  virtual Status Scan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;
};

// What a fold reads earlier rows through and writes its changes to. Writes are not visible to
// Get until the runner has committed them.
class ViewRows : public RowReader {
 public:
  virtual void Put(std::string_view key, std::string_view value) = 0;
  virtual void Delete(std::string_view key) = 0;
  // Adds `bytes` at the end of the row's value (an absent row starts empty) without reading it:
  // a long list grows by what is added, not by rewriting what it holds (chunked_list.h).
  virtual void Append(std::string_view key, std::string_view bytes) = 0;
};

// The events a projection can be changed by: by payload type, and whether only those shared
// with the project's client (SharedWithClient) count. A runner hands a projection only these,
// so a view that folds a few kinds of event does not read every event of a catch-up from
// memory; other callers (an as-of fold) may hand it any event, which Apply must then leave
// without effect.
class EventFilter {
 public:
  static EventFilter All() {
    EventFilter f;
    f.types_.set();
    return f;
  }
  static EventFilter Of(std::initializer_list<schema::Payload> types) {
    EventFilter f;
    for (schema::Payload t : types) f.types_.set(static_cast<uint8_t>(t));
    return f;
  }
  // The same types, of the events shared with the client only.
  EventFilter SharedWithClientOnly() const {
    EventFilter f = *this;
    f.shared_only_ = true;
    return f;
  }
  bool Passes(schema::Payload type, bool shared_with_client) const {
    return types_.test(static_cast<uint8_t>(type)) && (shared_with_client || !shared_only_);
  }

 private:
  std::bitset<256> types_;
  bool shared_only_ = false;
};

class Projection {
 public:
  virtual ~Projection() = default;
  // The view's storage name, e.g. "client-timeline".
  virtual std::string_view name() const = 0;
  // Raised whenever the shape of the rows changes: a stored view of another version is
  // rebuilt before it is served.
  virtual uint32_t version() const = 0;
  // Whether readers decide through this view who may see the others (the directory): the
  // runner commits it before them in every batch, so no view is ever read ahead of it (a
  // member whose role was revoked would read what was folded after). Several such views are
  // folded in the order the runner is given them (MakeProjections: the directory first) and
  // committed together in one write (when one cannot fold, those before it are committed
  // without it); readers refuse such views standing at different positions.
  virtual bool gates_reads() const { return false; }
  // The events Apply can change rows for (see EventFilter); every event unless narrowed.
  virtual EventFilter filter() const { return EventFilter::All(); }
  // True when an event of a project's stream ("project:<id>") reads and writes only rows of
  // its own project (its tenant's), besides rows that only events of other streams write.
  // Folding two projects' events in either order then gives the same rows, and a runner may
  // hand a round's events grouped by project (each project's in log order, every event of
  // another stream where it falls between them), so a project's rows stay in the cache across
  // its events. False keeps log order (a view with rows that any project's events may claim,
  // like a report link's token).
  virtual bool projects_fold_apart() const { return false; }
  virtual Status Apply(const schema::Event& event, ViewRows* rows) = 0;
  virtual Status Flush(ViewRows* rows) = 0;
  virtual void Forget() = 0;
};

}  // namespace tandem
