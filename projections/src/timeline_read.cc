// Reading the timelines: the client's (as the project's client sees it) and the firm's.
#include "timeline_projection.h"
#include "view_catalog.h"

namespace tandem {

Status ReadTimeline(const QueryContext& ctx, bool internal, boost::json::object* out) {
  ProjectEntry project;
  Status s = ctx.VisibleProject(&project);
  if (!s.ok()) return s;
  if (internal && !ctx.SeesInternal(ctx.request.project)) {
    return NotFoundView("project '" + ctx.request.project + "'");
  }
  const std::string view = internal ? "internal-timeline" : "client-timeline";
  const RowReader* rows = nullptr;
  s = ctx.Rows(view, &rows);
  if (!s.ok()) return s;
  std::string value;
  s = rows->Get(TimelineKey(ctx.request.workspace, ctx.request.project), &value);
  if (s.IsNotFound()) return NotFoundView("project '" + ctx.request.project + "'");
  if (!s.ok()) return s;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("a timeline row is damaged");
  TimelineDoc doc;
  doc.FromJson(v.get_object());
  *out = RenderTimeline(doc, !internal);
  (*out)["project"] = ctx.request.project;
  return Status::OK();
}

}  // namespace tandem
