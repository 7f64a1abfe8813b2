#include "curated_read.h"

#include "view_key.h"

namespace tandem {

bool SplitViewKeyTail(std::string_view key, std::string_view prefix,
                      std::vector<std::string>* parts) {
  if (key.substr(0, prefix.size()) != prefix) return false;
  return SplitViewKey(key.substr(prefix.size()), parts);
}

Status OpenCuratedProject(const QueryContext& ctx, const std::string& base, CuratedProject* out) {
  ProjectEntry project;
  Status s = ctx.VisibleProject(&project);
  if (!s.ok()) return s;
  out->internal = ctx.SeesInternal(ctx.request.project);
  s = ctx.Rows(CuratedName(out->internal ? Curation::kInternal : Curation::kClient, base),
               &out->rows);
  if (!s.ok()) return s;
  s = LoadDoc(*out->rows, ProjectRootKey(ctx.request.workspace, ctx.request.project), &out->root);
  if (s.IsNotFound()) return NotFoundView("project '" + ctx.request.project + "'");
  if (!s.ok()) return s;
  // Filtered again at serve time: a client reads only its own client's project.
  if (!out->internal && ctx.asker.client_side() && out->root.client_id != ctx.asker.client_id) {
    return NotFoundView("project '" + ctx.request.project + "'");
  }
  return Status::OK();
}

}  // namespace tandem
