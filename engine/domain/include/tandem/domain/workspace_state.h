// The state of one workspace (tenant) that commands are checked against: its clients and its
// members with their roles. Folded from the workspace stream.
//
// The fold trusts no event's shape (`tandem append` writes past every rule): an event about a
// member or client that was never added changes nothing, a member is invited once, and a role
// that does not fit the member's side (a client role for a person of the firm, a firm role for
// a client's person) counts as no role at all.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tandem/schema/tandem_events_generated.h"

namespace tandem {

// How a fold reads an event's text fields: as they are (the domain), or made valid UTF-8 (the
// views, which store them as JSON). A fold must read them one way every time, so that the state
// it keeps in memory and the state it reads back agree.
using EventText = std::string (*)(const flatbuffers::String*);

struct MemberState {
  std::string client_id;                   // empty for people of the firm
  schema::Role role = schema::Role::None;  // None once the workspace role is revoked
  // Role on single projects, overriding `role` there. Revoking the workspace role clears them.
  std::map<std::string, schema::Role> project_roles;
  uint64_t version = 0;  // events that changed this member; 0 until invited

  bool invited() const { return version > 0; }
  // Folds an event about this member (one MemberNamedBy names it in), reading its text fields
  // through `text`. A member is invited once: a second invitation cannot move a person, and an
  // event about a member who was never invited changes nothing. Only the member's own events
  // are needed, so a member can be kept and folded apart from the rest of the workspace.
  void Apply(const schema::Event& event, EventText text);
  // The role the member acts with on `project_id` (empty: workspace-wide). None, whatever the
  // project roles, for a member without a workspace role: revoking it takes away everything.
  schema::Role RoleOn(const std::string& project_id) const;
};

// Whether an event of the workspace stream is about a member (an invitation, a role granted or
// revoked); `*member` is then its id as `text` reads it ("" when the field is absent).
bool MemberNamedBy(const schema::Event& event, EventText text, std::string* member);

struct ClientState {
  std::string name;
  uint64_t branding_version = 0;  // 0 until branding is first set
};

struct WorkspaceState {
  bool exists = false;
  std::string name;
  uint64_t stream_version = 0;
  std::map<std::string, ClientState> clients;
  std::map<std::string, MemberState> members;

  // Folds one event of the workspace stream.
  void Apply(const schema::Event& event);
  const MemberState* FindMember(const std::string& id) const;
  // Active members holding the workspace-wide Owner role.
  int OwnerCount() const;
};

}  // namespace tandem
