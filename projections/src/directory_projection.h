// The directory: who is who in each workspace (members, their side, roles and names; clients)
// and each project's client, name and manager. Every query reads it to decide what an asker
// may see, and folds that need names read it too.
//
// The workspace's membership is folded with the domain's own rules (WorkspaceState), so a view
// grants exactly what a command would: a revoked member has no role, a role that does not fit
// the member's side counts as none. A project's manager is the member who created it, or the
// last member granted project_manager on it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "doc_cache.h"
#include "tandem/domain/workspace_state.h"

namespace tandem {

struct WorkspaceDirectory {
  WorkspaceState state;
  std::map<std::string, std::string> names;  // member id -> display name

  void ToJson(boost::json::object* out) const;
  void FromJson(const boost::json::object& in);
  // The member's display name, or its id when it has none.
  std::string NameOf(const std::string& member) const;
};

struct ProjectEntry {
  std::string client_id;
  std::string name;
  std::string manager;
  int64_t created_at_us = 0;

  void ToJson(boost::json::object* out) const;
  void FromJson(const boost::json::object& in);
};

class DirectoryProjection : public Projection {
 public:
  static constexpr std::string_view kName = "directory";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 1; }
  bool gates_reads() const override { return true; }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  DocCache<WorkspaceDirectory> workspaces_;
  DocCache<ProjectEntry> projects_;
};

// The project id of a project stream's name ("project:<id>"), or "" for any other stream.
std::string ProjectOfStream(std::string_view stream);

// Reads from the directory view. NotFound when absent.
Status LoadWorkspaceDirectory(const RowReader& rows, const std::string& tenant,
                              WorkspaceDirectory* out);
Status LoadProjectEntry(const RowReader& rows, const std::string& tenant,
                        const std::string& project, ProjectEntry* out);
Status ListProjects(const RowReader& rows, const std::string& tenant,
                    std::vector<std::pair<std::string, ProjectEntry>>* out);

}  // namespace tandem
