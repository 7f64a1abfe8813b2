// What the per-project curated views (boards, threads, files) share on the fold side: the
// project's root row, and the rule that events of a project never created change nothing.
//
// The root row (key {tenant, project}) holds the project's client and a counter that gives
// the view's things (boards, threads, files, a card's arrival in a column) their order. Its size
// never grows: every other row of these views lives under keys that extend the root's.
#pragma once

#include <string>

#include "curation.h"
#include "doc_cache.h"
#include "project_run.h"

namespace tandem {

struct ProjectRoot {
  std::string client_id;
  uint64_t next_seq = 0;
  // Whether the project's creation was shared with its client, so that the client views fold
  // it. The domain always shares it; a history written past the rules may not. Stored only when
  // false, so that the rows of every history the domain writes keep their bytes.
  bool shared_with_client = true;

  void Write(JsonLine* out) const;
  void FromJson(const boost::json::object& in);
};

std::string ProjectRootKey(const std::string& tenant, const std::string& project);

// Folds the root rows of a curated view.
class ProjectRoots {
 public:
  explicit ProjectRoots(RowCacheBudget* budget) : roots_(budget) {}
  // For an event of a project stream admitted by `curation`: folds ProjectCreated (the first
  // creation decides) and leaves `*root` null; for any other event sets `*root` to the
  // project's root row (to change), or null when the project was never created in this view.
  // While `*root` is set, tenant() and project() name the event's project.
  Status Resolve(Curation curation, const schema::Event& event, ViewRows* rows, ProjectRoot** root);
  const std::string& tenant() const { return run_.tenant(); }
  const std::string& project() const { return run_.project(); }
  void Flush(ViewRows* rows) { roots_.Flush(rows); }
  void Forget() { roots_.Forget(); }

 private:
  DocCache<ProjectRoot> roots_;
  ProjectRun<ProjectRoot> run_{&roots_, ProjectRootKey};
};

// An anchor as readers see it: {"kind": "milestone", "id": ...}, or null for none.
boost::json::value AnchorJson(const std::string& kind, const std::string& id);
// The anchor of an event ("" kind when it has none).
std::string AnchorKindOf(const schema::Anchor* anchor);
std::string AnchorIdOf(const schema::Anchor* anchor);

}  // namespace tandem
