// ClientVisibility: which events of a workspace one client may see. Fed every event of the
// workspace in log order (it learns which project belongs to which client, and which member to
// which client, from the events themselves), it answers for each event:
//  - project events: client audience, and the project is this client's;
//  - workspace events: client audience, and about this client (its people, its branding).
// Internal events are never visible, whatever they mention, nor events whose payload names an
// audience of its own (a thread's, a board's, a report link's) other than Client; the first
// creation of a project or person decides its client. This is the rule the client-facing views
// are built with.
#pragma once

#include <map>
#include <string>

#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

// Whether an event is shared with its project's client at all: its audience is Client, and so
// is its payload's own audience where it names one (a thread's, a board's, a report link's).
// Which client is ClientVisibility's question.
bool SharedWithClient(const schema::Event& event);

class ClientVisibility {
 public:
  explicit ClientVisibility(std::string client_id) : client_id_(std::move(client_id)) {}

  // Records what the event tells about ownership, and returns whether the client may see it.
  bool Observe(const schema::Event& event);

 private:
  // The client a workspace or project event concerns, or "" if none.
  std::string ClientOf(const schema::Event& event) const;

  std::string client_id_;
  std::map<std::string, std::string> project_clients_;
  std::map<std::string, std::string> member_clients_;
};

}  // namespace tandem
