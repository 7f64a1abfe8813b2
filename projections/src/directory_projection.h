// The directory: who is who in each workspace (members, their side, roles and names) and each
// project's client, name and manager. Every query reads it to decide what an asker may see,
// and views that show names read it too.
//
// Rows:
//   {tenant, "w"}            the workspace: whether it was created, its name
//   {tenant, "m", member}    a member: side (client), roles, version, display name
//   {tenant, "p", project}   a project: client, name, creator, managers, creation time
// No row grows with the workspace's members: an invitation or a role change writes that
// member's row, and a query reads its asker's row and the rows of the members it names.
//
// A member is folded with the domain's own rules (MemberState::Apply), so a view grants exactly
// what a command would: a revoked member has no role, a role that does not fit the member's
// side counts as none. A project's manager is the member granted project_manager on it last
// whose grant still stands, else its creator while a member of the firm who may still move its
// cards (ProjectEntry, WorkspaceDirectory::ManagerOf).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "doc_cache.h"
#include "row_fields.h"
#include "tandem/domain/workspace_state.h"

namespace tandem {

struct WorkspaceEntry {
  bool exists = false;
  std::string name;

  static constexpr std::tuple kFields{Field("exists", &WorkspaceEntry::exists),
                                      Field("name", &WorkspaceEntry::name)};
};

struct MemberEntry {
  MemberState state;
  std::string name;  // display name, from the first invitation

  void ToJson(boost::json::object* out) const;
  void FromJson(const boost::json::object& in);
};

struct ProjectEntry;

// Folds a member event (one MemberNamedBy names a member in) into the member's row under `key`
// of `members`, with the domain's MemberState::Apply: the invitation creates the row, an event
// about a member never invited changes nothing (`*member` null). `*before` is the member as it
// was before the event (not invited when the event created the row).
Status FoldMemberEvent(DocCache<MemberEntry>* members, ViewRows* rows, const std::string& key,
                       const schema::Event& event, MemberEntry** member, MemberState* before);

// A workspace's directory as one query reads it: the workspace's row when opened, a member's
// row when first asked for (then kept for the rest of the query). `rows` must outlive it and
// be one snapshot (a ViewSource reader is).
class WorkspaceDirectory {
 public:
  // NotFound when the workspace has no row.
  Status Open(const RowReader* rows, const std::string& tenant);
  bool exists() const { return workspace_.exists; }
  // The member's state, null when never invited. The pointer lives as long as this directory.
  Status FindMember(const std::string& id, const MemberState** member) const;
  // The member's display name, or its id when it has none. A row that cannot be read gives the
  // id and fails status(), which the query then returns instead of its answer.
  std::string NameOf(const std::string& member) const;
  // Which side the member is on: "firm", "client", or "unknown" for an id never invited (an
  // event written past the rules). Shown beside every name a view shows, because a name proves
  // nothing: whoever invites a member chooses it, so a client admin can name one of its people
  // exactly like the firm's project manager. A failed read fails status() like NameOf.
  std::string_view SideOf(const std::string& member) const;
  // Who manages the project now: the member of `project.managers` granted last whose
  // project-scoped project_manager role still stands, else its creator while a member of the
  // firm whose role on the project may move cards (a creator made auditor of it manages nothing),
  // else "". A member's row that cannot be read fails status() like NameOf.
  std::string ManagerOf(const std::string& project_id, const ProjectEntry& project) const;
  // The first failed read of NameOf or ManagerOf, or OK.
  const Status& status() const { return status_; }

 private:
  Status Load(const std::string& id, const MemberEntry** entry) const;
  // Load, keeping a failure for status().
  const MemberEntry* Entry(const std::string& id) const;

  const RowReader* rows_ = nullptr;
  std::string tenant_;
  WorkspaceEntry workspace_;
  mutable std::map<std::string, std::optional<MemberEntry>, std::less<>> members_;
  mutable Status status_;
};

struct ProjectEntry {
  std::string client_id;
  std::string name;
  std::string creator;
  // The members holding a project-scoped project_manager grant on it, oldest grant first (a
  // member granted again moves to the end); a member whose grant is revoked, replaced by
  // another project role or cleared by a workspace-wide revocation leaves the list. Who
  // manages the project is decided when read (WorkspaceDirectory::ManagerOf).
  std::vector<std::string> managers;
  int64_t created_at_us = 0;

  void MadeManager(const std::string& member);
  void NoLongerManager(const std::string& member);
  void ToJson(boost::json::object* out) const;
  // False when the row is not as ToJson writes it: read leniently, a damaged list of managers
  // or creator would hand the project's staged cards to another member, or to nobody.
  bool FromJson(const boost::json::object& in);
};

class DirectoryProjection : public Projection {
 public:
  explicit DirectoryProjection(std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)) {}
  static constexpr std::string_view kName = "directory";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 4; }
  bool projects_fold_apart() const override { return true; }
  bool gates_reads() const override { return true; }
  EventFilter filter() const override {
    using schema::Payload;
    return EventFilter::Of({Payload::WorkspaceCreated, Payload::MemberInvited, Payload::RoleGranted,
                            Payload::RoleRevoked, Payload::ProjectCreated});
  }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  Status ApplyToMember(const std::string& tenant, const schema::Event& event, ViewRows* rows);

  DocCache<WorkspaceEntry> workspaces_{budget_.get()};
  DocCache<MemberEntry> members_{budget_.get()};
  DocCache<ProjectEntry> projects_{budget_.get()};
};

// The project id of a project stream's name ("project:<id>"), or "" for any other stream.
std::string ProjectOfStream(std::string_view stream);

// Reads from the directory view. NotFound when absent.
Status LoadProjectEntry(const RowReader& rows, const std::string& tenant,
                        const std::string& project, ProjectEntry* out);
Status ListProjects(const RowReader& rows, const std::string& tenant,
                    std::vector<std::pair<std::string, ProjectEntry>>* out);

}  // namespace tandem
