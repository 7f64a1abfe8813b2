#include "directory_projection.h"

#include "json_fields.h"
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

void WorkspaceDirectory::ToJson(boost::json::object* out) const {
  (*out)["exists"] = state.exists;
  (*out)["name"] = state.name;
  (*out)["version"] = state.stream_version;
  boost::json::object clients;
  for (const auto& [id, c] : state.clients) {
    clients[id] = {{"name", c.name}, {"branding_version", c.branding_version}};
  }
  (*out)["clients"] = std::move(clients);
  boost::json::object members;
  for (const auto& [id, m] : state.members) {
    boost::json::object roles;
    for (const auto& [p, r] : m.project_roles) roles[p] = StoredRoleName(r);
    auto name = names.find(id);
    members[id] = {{"client", m.client_id},
                   {"role", StoredRoleName(m.role)},
                   {"project_roles", std::move(roles)},
                   {"version", m.version},
                   {"name", name == names.end() ? "" : name->second}};
  }
  (*out)["members"] = std::move(members);
}

void WorkspaceDirectory::FromJson(const boost::json::object& in) {
  state = WorkspaceState();
  names.clear();
  state.exists = json_fields::Bool(in, "exists");
  state.name = Str(in, "name");
  state.stream_version = Int(in, "version");
  for (const auto& [id, v] : Obj(in, "clients")) {
    if (!v.is_object()) continue;
    ClientState& c = state.clients[std::string(id)];
    c.name = Str(v.get_object(), "name");
    c.branding_version = Int(v.get_object(), "branding_version");
  }
  for (const auto& [id, v] : Obj(in, "members")) {
    if (!v.is_object()) continue;
    const auto& o = v.get_object();
    MemberState& m = state.members[std::string(id)];
    m.client_id = Str(o, "client");
    m.role = RoleFromJson(o, "role");
    m.version = Int(o, "version");
    for (const auto& [p, r] : Obj(o, "project_roles")) {
      schema::Role role = schema::Role::None;
      if (r.is_string()) ParseRole(std::string(r.get_string()), &role);
      m.project_roles[std::string(p)] = role;
    }
    if (std::string name = Str(o, "name"); !name.empty()) names[std::string(id)] = name;
  }
}

std::string WorkspaceDirectory::NameOf(const std::string& member) const {
  auto it = names.find(member);
  return it == names.end() || it->second.empty() ? member : it->second;
}

void ProjectEntry::ToJson(boost::json::object* out) const {
  *out = {{"client", client_id},
          {"name", name},
          {"manager", manager},
          {"created_at_us", created_at_us}};
}

void ProjectEntry::FromJson(const boost::json::object& in) {
  client_id = Str(in, "client");
  name = Str(in, "name");
  manager = Str(in, "manager");
  created_at_us = Int(in, "created_at_us");
}

Status DirectoryProjection::Apply(const schema::Event& event, ViewRows* rows) {
  const std::string tenant = S(event.tenant());
  const std::string_view stream = event.stream_id() ? event.stream_id()->string_view() : "";
  if (stream == "workspace") {
    WorkspaceDirectory* w = nullptr;
    Status s = workspaces_.Get(*rows, WorkspaceKey(tenant), &w);
    if (!s.ok()) return s;
    w->state.Apply(event);
    if (event.payload_type() == Payload::MemberInvited) {
      const auto* e = event.payload_as_MemberInvited();
      w->names.try_emplace(S(e->member_id()), S(e->display_name()));
    } else if (event.payload_type() == Payload::RoleGranted) {
      const auto* e = event.payload_as_RoleGranted();
      const std::string project = S(e->project_id());
      const MemberState* m = w->state.FindMember(S(e->member_id()));
      if (!project.empty() && m != nullptr && e->role() == schema::Role::ProjectManager &&
          m->RoleOn(project) == schema::Role::ProjectManager) {
        ProjectEntry* p = nullptr;
        s = projects_.Find(*rows, ProjectKey(tenant, project), &p);
        if (!s.ok()) return s;
        if (p != nullptr) p->manager = S(e->member_id());
      }
    }
    return Status::OK();
  }
  if (event.payload_type() != Payload::ProjectCreated) return Status::OK();
  const std::string project = ProjectOfStream(stream);
  if (project.empty()) return Status::OK();
  const ProjectEntry* existing = nullptr;
  Status s = projects_.Peek(*rows, ProjectKey(tenant, project), &existing);
  if (!s.ok() || existing != nullptr) return s;  // the first creation decides
  ProjectEntry* p = nullptr;
  s = projects_.Get(*rows, ProjectKey(tenant, project), &p);
  if (!s.ok()) return s;
  const auto* e = event.payload_as_ProjectCreated();
  p->client_id = S(e->client_id());
  p->name = S(e->name());
  p->manager = S(event.actor());
  p->created_at_us = event.recorded_at_us();
  return Status::OK();
}

Status DirectoryProjection::Flush(ViewRows* rows) {
  workspaces_.Flush(rows);
  projects_.Flush(rows);
  return Status::OK();
}

void DirectoryProjection::Forget() {
  workspaces_.Forget();
  projects_.Forget();
}

Status LoadWorkspaceDirectory(const RowReader& rows, const std::string& tenant,
                              WorkspaceDirectory* out) {
  std::string value;
  Status s = rows.Get(WorkspaceKey(tenant), &value);
  boost::json::object o;
  if (s.ok()) s = ParseRow(value, &o);
  if (s.ok()) out->FromJson(o);
  return s;
}

Status LoadProjectEntry(const RowReader& rows, const std::string& tenant,
                        const std::string& project, ProjectEntry* out) {
  std::string value;
  Status s = rows.Get(ProjectKey(tenant, project), &value);
  boost::json::object o;
  if (s.ok()) s = ParseRow(value, &o);
  if (s.ok()) out->FromJson(o);
  return s;
}

Status ListProjects(const RowReader& rows, const std::string& tenant,
                    std::vector<std::pair<std::string, ProjectEntry>>* out) {
  out->clear();
  Status parse;
  std::vector<std::string> parts;
  Status s = rows.Scan(ViewKey({tenant, "p"}), [&](std::string_view key, std::string_view value) {
    boost::json::object o;
    parse = ParseRow(std::string(value), &o);
    if (!parse.ok() || !SplitViewKey(key, &parts) || parts.size() != 3) {
      if (parse.ok()) parse = Status::Corruption("a directory key is damaged");
      return false;
    }
    ProjectEntry p;
    p.FromJson(o);
    out->emplace_back(parts[2], std::move(p));
    return true;
  });
  return s.ok() ? parse : s;
}

}  // namespace tandem
