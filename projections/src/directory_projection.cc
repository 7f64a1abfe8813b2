#include "directory_projection.h"

#include <algorithm>
#include <set>

#include "json_fields.h"
#include "tandem/domain/authorization.h"
#include "tandem/domain/roles.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Int;
using json_fields::Obj;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

std::string WorkspaceKey(const std::string& tenant) { return ViewKey({tenant, "w"}); }
std::string MemberKey(const std::string& tenant, std::string_view member) {
  return ViewKey({tenant, "m", member});
}
std::string ProjectKey(const std::string& tenant, std::string_view project) {
  return ViewKey({tenant, "p", project});
}

schema::Role RoleFromJson(const boost::json::object& o, std::string_view key) {
  schema::Role role = schema::Role::None;
  ParseRole(Str(o, key), &role);
  return role;
}

// A role as stored: one written past the rules (no name) is stored as none, which is what it
// grants, so a row reads back to the bytes it was written from.
std::string_view StoredRoleName(schema::Role role) {
  schema::Role parsed = schema::Role::None;
  return ParseRole(RoleName(role), &parsed) ? RoleName(role) : RoleName(schema::Role::None);
}

Status ParseRow(const std::string& value, boost::json::object* out) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("a directory row is damaged");
  *out = std::move(v.get_object());
  return Status::OK();
}

}  // namespace

std::string ProjectOfStream(std::string_view stream) {
  constexpr std::string_view kPrefix = "project:";
  return stream.substr(0, kPrefix.size()) == kPrefix && stream.size() > kPrefix.size()
             ? std::string(stream.substr(kPrefix.size()))
             : std::string();
}

void MemberEntry::ToJson(boost::json::object* out) const {
  boost::json::object roles;
  for (const auto& [p, r] : state.project_roles) roles[p] = StoredRoleName(r);
  *out = {{"client", state.client_id},
          {"role", StoredRoleName(state.role)},
          {"project_roles", std::move(roles)},
          {"version", state.version},
          {"name", name}};
}

void MemberEntry::FromJson(const boost::json::object& in) {
  state = MemberState();
  state.client_id = Str(in, "client");
  state.role = RoleFromJson(in, "role");
  state.version = Int(in, "version");
  for (const auto& [p, r] : Obj(in, "project_roles")) {
    schema::Role role = schema::Role::None;
    if (r.is_string()) ParseRole(std::string(r.get_string()), &role);
    state.project_roles[std::string(p)] = role;
  }
  name = Str(in, "name");
}

Status WorkspaceDirectory::Open(const RowReader* rows, const std::string& tenant) {
  rows_ = rows;
  tenant_ = tenant;
  members_.clear();
  status_ = Status::OK();
  std::string value;
  Status s = rows->Get(WorkspaceKey(tenant), &value);
  boost::json::object o;
  if (s.ok()) s = ParseRow(value, &o);
  if (s.ok()) ReadRow(o, &workspace_);
  // The fold writes the row only when the workspace is created: one that says otherwise is
  // damaged, not a workspace that does not exist.
  if (s.ok() && !workspace_.exists) s = Status::Corruption("a directory row is damaged");
  return s;
}

namespace {

// The projects on which the member holds a project-scoped project_manager role.
std::set<std::string> ProjectsManagedBy(const MemberState& member) {
  std::set<std::string> projects;
  for (const auto& [project, role] : member.project_roles) {
    if (role == schema::Role::ProjectManager) projects.insert(project);
  }
  return projects;
}

// The member's row, or nullopt in `*out` when the member was never invited.
Status ReadMember(const RowReader* rows, const std::string& tenant, std::string_view id,
                  std::optional<MemberEntry>* out) {
  out->reset();
  std::string value;
  Status s =
      rows == nullptr ? Status::NotFound("no directory") : rows->Get(MemberKey(tenant, id), &value);
  if (s.IsNotFound()) return Status::OK();
  boost::json::object o;
  if (s.ok()) s = ParseRow(value, &o);
  if (!s.ok()) return s;
  MemberEntry m;
  m.FromJson(o);
  // A row of a member never invited is not one the fold writes: refuse it like a damaged one
  // rather than grant what it says.
  if (!m.state.invited()) return Status::Corruption("a directory row is damaged");
  *out = std::move(m);
  return Status::OK();
}

}  // namespace

Status WorkspaceDirectory::Load(const std::string& id, const MemberEntry** entry) const {
  *entry = nullptr;
  auto it = members_.find(id);
  if (it == members_.end()) {
    std::optional<MemberEntry> m;
    Status s = ReadMember(rows_, tenant_, id, &m);
    if (!s.ok()) return s;
    it = members_.emplace(id, std::move(m)).first;
  }
  if (it->second) *entry = &*it->second;
  return Status::OK();
}

Status WorkspaceDirectory::FindMember(const std::string& id, const MemberState** member) const {
  const MemberEntry* entry = nullptr;
  Status s = Load(id, &entry);
  *member = entry == nullptr ? nullptr : &entry->state;
  return s;
}

std::string WorkspaceDirectory::ManagerOf(const std::string& project_id,
                                          const ProjectEntry& project) const {
  for (auto it = project.managers.rbegin(); it != project.managers.rend(); ++it) {
    const MemberEntry* entry = Entry(*it);
    if (entry == nullptr) continue;
    const MemberState& m = entry->state;
    auto role = m.project_roles.find(project_id);
    if (role != m.project_roles.end() && role->second == schema::Role::ProjectManager &&
        m.RoleOn(project_id) == schema::Role::ProjectManager) {
      return *it;
    }
  }
  const MemberEntry* creator = Entry(project.creator);
  if (creator != nullptr && creator->state.client_id.empty() &&
      RoleMayIssue(CommandType::kMoveCard, creator->state.RoleOn(project_id))) {
    return project.creator;
  }
  return "";
}

const MemberEntry* WorkspaceDirectory::Entry(const std::string& id) const {
  const MemberEntry* entry = nullptr;
  Status s = Load(id, &entry);
  if (!s.ok() && status_.ok()) status_ = s;
  return entry;
}

std::string WorkspaceDirectory::NameOf(const std::string& member) const {
  const MemberEntry* entry = Entry(member);
  return entry == nullptr || entry->name.empty() ? member : entry->name;
}

std::string_view WorkspaceDirectory::SideOf(const std::string& member) const {
  const MemberEntry* entry = Entry(member);
  if (entry == nullptr) return "unknown";
  return entry->state.client_id.empty() ? "firm" : "client";
}

void ProjectEntry::MadeManager(const std::string& member) {
  NoLongerManager(member);
  managers.push_back(member);
}

void ProjectEntry::NoLongerManager(const std::string& member) { std::erase(managers, member); }

void ProjectEntry::ToJson(boost::json::object* out) const {
  boost::json::array list;
  for (const std::string& m : managers) list.emplace_back(m);
  *out = {{"client", client_id},
          {"name", name},
          {"creator", creator},
          {"managers", std::move(list)},
          {"created_at_us", created_at_us}};
}

bool ProjectEntry::FromJson(const boost::json::object& in) {
  auto is = [&](std::string_view field, bool (boost::json::value::*kind)() const noexcept) {
    const boost::json::value* v = in.if_contains(field);
    return v != nullptr && (v->*kind)();
  };
  if (!is("client", &boost::json::value::is_string) ||
      !is("name", &boost::json::value::is_string) ||
      !is("creator", &boost::json::value::is_string) ||
      !is("created_at_us", &boost::json::value::is_int64) ||
      !is("managers", &boost::json::value::is_array)) {
    return false;
  }
  const boost::json::array& list = in.at("managers").get_array();
  if (!std::all_of(list.begin(), list.end(), [](const auto& m) { return m.is_string(); })) {
    return false;
  }
  client_id = Str(in, "client");
  name = Str(in, "name");
  creator = Str(in, "creator");
  managers.clear();
  for (const boost::json::value& m : list) managers.emplace_back(m.get_string());
  created_at_us = Int(in, "created_at_us");
  return true;
}

Status DirectoryProjection::Apply(const schema::Event& event, ViewRows* rows) {
  const std::string tenant = S(event.tenant());
  const std::string_view stream = event.stream_id() ? event.stream_id()->string_view() : "";
  if (stream == "workspace") {
    if (event.payload_type() != Payload::WorkspaceCreated)
      return ApplyToMember(tenant, event, rows);
    WorkspaceEntry* w = nullptr;
    Status s = workspaces_.Get(*rows, WorkspaceKey(tenant), &w);
    if (!s.ok()) return s;
    w->exists = true;
    w->name = S(event.payload_as_WorkspaceCreated()->name());
    return Status::OK();
  }
  if (event.payload_type() != Payload::ProjectCreated) return Status::OK();
  const std::string project = ProjectOfStream(stream);
  if (project.empty()) return Status::OK();
  ProjectEntry* p = nullptr;
  Status s = projects_.Create(*rows, ProjectKey(tenant, project), &p);
  if (!s.ok() || p == nullptr) return s;  // the first creation decides
  const auto* e = event.payload_as_ProjectCreated();
  p->client_id = S(e->client_id());
  p->name = S(e->name());
  p->creator = S(event.actor());
  p->created_at_us = event.recorded_at_us();
  return Status::OK();
}

Status FoldMemberEvent(DocCache<MemberEntry>* members, ViewRows* rows, const std::string& key,
                       const schema::Event& event, MemberEntry** member, MemberState* before) {
  *member = nullptr;
  *before = MemberState();
  Status s = members->Find(*rows, key, member);
  if (!s.ok()) return s;
  if (*member != nullptr) {
    *before = (*member)->state;
    (*member)->state.Apply(event, S);
    return Status::OK();
  }
  MemberState invited;
  invited.Apply(event, S);
  if (!invited.invited()) return Status::OK();  // about a member never invited
  s = members->Get(*rows, key, member);
  if (s.ok()) (*member)->state = std::move(invited);
  return s;
}

Status DirectoryProjection::ApplyToMember(const std::string& tenant, const schema::Event& event,
                                          ViewRows* rows) {
  std::string member;
  if (!MemberNamedBy(event, S, &member)) return Status::OK();
  MemberEntry* m = nullptr;
  MemberState before;
  Status s = FoldMemberEvent(&members_, rows, MemberKey(tenant, member), event, &m, &before);
  if (!s.ok() || m == nullptr) return s;
  if (!before.invited()) {
    m->name = S(event.payload_as_MemberInvited()->display_name());
    return Status::OK();
  }
  const std::set<std::string> managed_before = ProjectsManagedBy(before);
  const std::set<std::string> managed_after = ProjectsManagedBy(m->state);
  // A project-scoped grant of project_manager (again) makes the member the project's latest
  // manager; any change that leaves the member without it on a project takes them off its list
  // (a workspace-wide revocation clears every project role), so a list holds only standing
  // grants. Both touch only the projects this member's roles name.
  for (const std::string& project : managed_before) {
    if (managed_after.count(project)) continue;
    ProjectEntry* p = nullptr;
    s = projects_.Find(*rows, ProjectKey(tenant, project), &p);
    if (!s.ok()) return s;
    if (p != nullptr) p->NoLongerManager(member);
  }
  const auto* grant = event.payload_as_RoleGranted();
  if (grant == nullptr || grant->role() != schema::Role::ProjectManager) return Status::OK();
  const std::string project = S(grant->project_id());
  if (!managed_after.count(project)) return Status::OK();
  ProjectEntry* p = nullptr;
  s = projects_.Find(*rows, ProjectKey(tenant, project), &p);
  if (!s.ok()) return s;
  if (p != nullptr) p->MadeManager(member);
  return Status::OK();
}

Status DirectoryProjection::Flush(ViewRows* rows) {
  workspaces_.Flush(rows);
  members_.Flush(rows);
  projects_.Flush(rows);
  return Status::OK();
}

void DirectoryProjection::Forget() {
  workspaces_.Forget();
  members_.Forget();
  projects_.Forget();
}

namespace {

// A project row as the fold writes it, or Corruption.
Status ReadProjectRow(std::string_view value, ProjectEntry* out) {
  boost::json::object o;
  Status s = ParseRow(std::string(value), &o);
  if (s.ok() && !out->FromJson(o)) s = Status::Corruption("a directory row is damaged");
  return s;
}

}  // namespace

Status LoadProjectEntry(const RowReader& rows, const std::string& tenant,
                        const std::string& project, ProjectEntry* out) {
  std::string value;
  Status s = rows.Get(ProjectKey(tenant, project), &value);
  if (s.ok()) s = ReadProjectRow(value, out);
  return s;
}

Status ListProjects(const RowReader& rows, const std::string& tenant,
                    std::vector<std::pair<std::string, ProjectEntry>>* out) {
  out->clear();
  Status parse;
  std::vector<std::string> parts;
  Status s = rows.Scan(ViewKey({tenant, "p"}), [&](std::string_view key, std::string_view value) {
    ProjectEntry p;
    parse = ReadProjectRow(value, &p);
    if (!parse.ok() || !SplitViewKey(key, &parts) || parts.size() != 3) {
      if (parse.ok()) parse = Status::Corruption("a directory key is damaged");
      return false;
    }
    out->emplace_back(parts[2], std::move(p));
    return true;
  });
  return s.ok() ? parse : s;
}

}  // namespace tandem
