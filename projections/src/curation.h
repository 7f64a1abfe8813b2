// Curation: whom a view is built for. A client view folds only the events shared with the
// project's client (SharedWithClient), so nothing internal ever enters its storage; an internal
// view folds everything. Queries then filter again by the asker (view_access.h).
#pragma once

#include <string>

#include "tandem/domain/client_visibility.h"
#include "tandem/projections/projection.h"
#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

enum class Curation { kClient, kInternal };

inline bool Admits(Curation curation, const schema::Event& event) {
  return curation == Curation::kInternal || SharedWithClient(event);
}

// `filter`, narrowed to what `curation` admits.
inline EventFilter Curated(Curation curation, EventFilter filter) {
  return curation == Curation::kClient ? filter.SharedWithClientOnly() : filter;
}

// "client-<base>" or "internal-<base>".
inline std::string CuratedName(Curation curation, const std::string& base) {
  return (curation == Curation::kClient ? "client-" : "internal-") + base;
}

}  // namespace tandem
