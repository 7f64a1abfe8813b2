// Reading the timelines: the client's (as the project's client sees it) and the firm's.
#include "timeline_projection.h"
#include "view_catalog.h"

namespace tandem {

Status ReadTimeline(const QueryContext& ctx, bool internal, boost::json::object* out,
                    CsvRows* csv) {
  // One line per milestone, as RenderTimeline writes it.
  csv->member = "milestones";
  csv->columns = {"id",
                  "title",
                  "status",
                  "planned_date",
                  "current_date",
                  "completed_date",
                  "blocked_reason",
                  "slips",
                  "open_requests",
                  "files",
                  "client_comments"};
  if (internal) csv->columns.insert(csv->columns.end(), {"internal_comments", "audience"});
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
  TimelineHeader header;
  std::vector<std::pair<std::string, TimelineMilestone>> milestones;
  s = LoadTimeline(*rows, ctx.request.workspace, ctx.request.project, &header, &milestones);
  if (s.IsNotFound()) return NotFoundView("project '" + ctx.request.project + "'");
  if (!s.ok()) return s;
  *out = RenderTimeline(header, milestones, !internal);
  (*out)["project"] = ctx.request.project;
  return Status::OK();
}

}  // namespace tandem
