// Who is asking, and what they may see. Every refusal of something the asker may not see is
// the refusal of something missing (NotFound, view.not_found), with the same message, so no
// answer tells an internal or another client's thing from one that does not exist.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>

#include <boost/json.hpp>

#include "directory_projection.h"
#include "tandem/projections/views.h"

namespace tandem {

struct Asker {
  bool is_operator = true;  // no member named: the CLI on the data folder
  std::string member;       // the asker, when one is named
  std::string client_id;    // non-empty: sees as this client (a client-side member, or
                            // the operator's --client)
  const MemberState* state = nullptr;
  bool client_side() const { return !client_id.empty(); }
};

// Whether an answer to `asker` may carry a log position: the operator's alone (not as a
// client). A position counts every tenant's and every internal event, so a member of any side
// would learn from it how busy other tenants are.
inline bool ShowsLogPosition(const Asker& asker) {
  return asker.is_operator && !asker.client_side();
}

// What a view's reader gets: the request, where to read, the asker and the directory.
struct QueryContext {
  const ViewRequest& request;
  ViewSource* source;
  Asker asker;
  WorkspaceDirectory directory;

  // Set for a read of the past by a named member: the projects the member may see now
  // (StandingNow). Current standing gates history: a project the member no longer sees is
  // hidden as of any moment, like one it never saw.
  std::optional<std::unordered_set<std::string>> projects_seen_now;

  Status Rows(const std::string& view, const RowReader** reader) const {
    return source->Reader(view, reader);
  }
  // The project named by the request if the asker may see it: NotFound otherwise, alike for
  // a missing and a hidden one.
  Status VisibleProject(ProjectEntry* project) const;
  // Whether the asker may see firm-internal things of the project (never a client).
  bool SeesInternal(const std::string& project) const;
  // Whether the asker may see the project at all.
  bool SeesProject(const std::string& project_id, const ProjectEntry& project) const;
};

Status NotFoundView(const std::string& what);

// Resolves the asker against the workspace's directory, after opening every stored view the
// request reads (`views`, the directory first): while the directory is folded again (after a
// rebuild or damage) it does not yet hold every workspace and member, and the views it is
// behind answer "try again" (`view.not_built`) before it could call an existing workspace or
// member missing. That answer depends on the views' state alone, never on the ids asked for.
Status ResolveAsker(const ViewRequest& request, const std::vector<std::string>& views,
                    ViewSource* source, WorkspaceDirectory* directory, Asker* asker);

// A member naming a log position (PermissionDenied, view.position_not_allowed): members read
// the past as of a time, and only the operator names positions (ShowsLogPosition).
Status PositionNotAllowed();

// A named member's standing now, for a read of the past, from the live directory (`live`): the
// member must be active now (else what ResolveAsker answers), may not name a log position
// (view.position_not_allowed, whatever the position), and `*projects` gets the
// projects the member sees now, `*all` (when given) whether those are every project of the
// workspace, and `*client_side` (when given) whether the member is a client's. OK with an empty
// set for the operator (no member named), whom nothing gates.
Status StandingNow(const ViewRequest& request, ViewSource* live,
                   std::unordered_set<std::string>* projects, bool* all = nullptr,
                   bool* client_side = nullptr);
// A named member's read of the past without live views to decide its standing (a caller's
// mistake; InvalidArgument, view.standing_unknown): refused rather than read ungated.
Status StandingUnknown();

}  // namespace tandem
