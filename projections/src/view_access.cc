#include "view_access.h"

namespace tandem {

Status NotFoundView(const std::string& what) {
  return Status::NotFound("view.not_found", what + " does not exist");
}

Status UnknownMember(const std::string& workspace, const std::string& member) {
  return Status::NotFound("view.unknown_member",
                          "member '" + member + "' is not an active member of '" + workspace + "'");
}

Status ResolveAsker(const ViewRequest& request, const std::vector<std::string>& views,
                    ViewSource* source, WorkspaceDirectory* directory, Asker* asker) {
  const RowReader* rows = nullptr;
  Status s = source->Reader("directory", &rows);
  // The directory itself not built yet, or behind a view the request reads: "try again", as
  // for any view; it says nothing of any workspace.
  if (s.reason() == "view.not_built") return s;
  for (const std::string& view : views) {
    const RowReader* other = nullptr;
    if (Status opened = source->Reader(view, &other); opened.reason() == "view.not_built") {
      return opened;
    }
  }
  if (s.ok()) s = directory->Open(rows, request.workspace);
  if (s.IsNotFound() || (s.ok() && !directory->exists())) {
    if (!request.member.empty()) return UnknownMember(request.workspace, request.member);
    return Status::NotFound("view.unknown_workspace",
                            "workspace '" + request.workspace + "' does not exist");
  }
  if (!s.ok()) return s;
  *asker = Asker();
  if (request.member.empty()) {
    asker->client_id = request.client;
    return Status::OK();
  }
  asker->is_operator = false;
  asker->member = request.member;
  s = directory->FindMember(request.member, &asker->state);
  if (!s.ok()) return s;
  if (asker->state == nullptr || asker->state->RoleOn("") == schema::Role::None) {
    return UnknownMember(request.workspace, request.member);
  }
  asker->client_id = asker->state->client_id;
  if (!request.client.empty() && request.client != asker->client_id && asker->client_side()) {
    return NotFoundView("client '" + request.client + "'");
  }
  if (!asker->client_side()) asker->client_id = request.client;  // the firm asking as a client
  return Status::OK();
}

Status PositionNotAllowed() {
  return Status::PermissionDenied("view.position_not_allowed",
                                  "a member reads as of a time, not a log position");
}

Status StandingUnknown() {
  return Status::InvalidArgument(
      "view.standing_unknown",
      "a member's read of the past needs the live views, which decide the member's standing");
}

Status StandingNow(const ViewRequest& request, ViewSource* live,
                   std::unordered_set<std::string>* projects, bool* all_projects,
                   bool* client_side) {
  projects->clear();
  if (all_projects != nullptr) *all_projects = false;
  if (client_side != nullptr) *client_side = false;
  if (request.member.empty()) return Status::OK();
  QueryContext now{request, live, Asker(), WorkspaceDirectory(), std::nullopt};
  // Only the directory decides standing: a view being folded again says nothing of it.
  Status s = ResolveAsker(request, {"directory"}, live, &now.directory, &now.asker);
  if (!s.ok()) return s;
  if (request.as_of_named_position) return PositionNotAllowed();  // a member is named
  const RowReader* rows = nullptr;
  std::vector<std::pair<std::string, ProjectEntry>> all;
  s = live->Reader("directory", &rows);
  if (s.ok()) s = ListProjects(*rows, request.workspace, &all);
  if (!s.ok()) return s;
  for (const auto& [id, project] : all) {
    if (now.SeesProject(id, project)) projects->insert(id);
  }
  if (all_projects != nullptr) *all_projects = projects->size() == all.size();
  if (client_side != nullptr) *client_side = now.asker.client_side();
  return Status::OK();
}

bool QueryContext::SeesProject(const std::string& project_id, const ProjectEntry& project) const {
  if (asker.client_side() && project.client_id != asker.client_id) return false;
  if (projects_seen_now && !projects_seen_now->count(project_id)) return false;
  if (asker.is_operator) return true;
  return asker.state->RoleOn(project_id) != schema::Role::None;
}

bool QueryContext::SeesInternal(const std::string& project) const {
  if (asker.client_side()) return false;
  if (projects_seen_now && !projects_seen_now->count(project)) return false;
  return asker.is_operator || asker.state->RoleOn(project) != schema::Role::None;
}

Status QueryContext::VisibleProject(ProjectEntry* project) const {
  const std::string& id = request.project;
  const std::string what = "project '" + id + "'";
  const RowReader* rows = nullptr;
  Status s = Rows("directory", &rows);
  if (s.ok()) s = LoadProjectEntry(*rows, request.workspace, id, project);
  if (s.IsNotFound()) return NotFoundView(what);
  if (!s.ok()) return s;
  return SeesProject(id, *project) ? Status::OK() : NotFoundView(what);
}

}  // namespace tandem
