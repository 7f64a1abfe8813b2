// A stream is named within a tenant (workspace). Every key and read path in Tandem carries the
// tenant, so no read can reach another tenant's data by naming a stream.
#pragma once

#include <string>

#include "tandem/basics/status.h"

namespace tandem {

struct StreamId {
  std::string tenant;
  std::string name;

  // Longest tenant or stream name accepted; keeps index keys small.
  static constexpr size_t kMaxNameBytes = 256;

  // Both parts are non-empty, at most kMaxNameBytes, and free of NUL and control characters.
  // Stream names starting with '$' are reserved for the log (e.g. "$all").
  Status Validate() const;
  // "tenant/name", for messages.
  std::string ToString() const { return tenant + "/" + name; }

  friend bool operator==(const StreamId&, const StreamId&) = default;
};

// Same rules as a StreamId's tenant.
Status ValidateTenant(const std::string& tenant);

}  // namespace tandem
