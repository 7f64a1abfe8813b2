// An event as a caller hands it to the log, before the log numbers and stamps it.
#pragma once

#include <string>

#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

// One event to append. The log assigns the stream version, global position and recorded time.
struct NewEvent {
  std::string event_id;  // a random UUID is generated when empty
  std::string actor;
  schema::Audience audience = schema::Audience::Internal;
  std::string correlation_id;
  std::string causation_id;
  schema::PayloadUnion payload;
};

}  // namespace tandem
