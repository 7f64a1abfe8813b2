// Serving views: the catalogue's public face, access checks, and JSON or CSV output.
#include <algorithm>
#include <unordered_set>

#include "csv.h"
#include "tandem/projections/views.h"
#include "view_access.h"
#include "view_catalog.h"

namespace tandem {
namespace {

const ReadableView* FindReadable(const std::string& name) {
  for (const ReadableView& v : ReadableViews()) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Status UnknownView(const std::string& name) {
  return Status::InvalidArgument(
      "view.unknown", "unknown view '" + name + "' (views: " + Joined(ReadableViewNames()) + ")");
}

const std::string* RequestField(const ViewRequest& r, const std::string& field) {
  if (field == "project") return &r.project;
  if (field == "board") return &r.board;
  if (field == "member") return &r.member;
  if (field == "client") return &r.client;
  if (field == "thread") return &r.thread;
  return nullptr;
}

// The request's view with the stored views it reads, or why the request is malformed.
Status CheckRequest(const ViewRequest& request, const ReadableView** view,
                    std::vector<std::string>* stored) {
  *view = FindReadable(request.view);
  if (*view == nullptr) return UnknownView(request.view);
  for (const std::string& field : (*view)->required) {
    const std::string* value = RequestField(request, field);
    if (value != nullptr && value->empty()) {
      return Status::InvalidArgument("view.missing_option",
                                     "the view " + request.view + " needs --" + field);
    }
  }
  if (request.workspace.empty()) {
    return Status::InvalidArgument("view.missing_option", "every view needs --workspace");
  }
  return ViewsNeeded(request.view, stored);
}

bool PerProject(const ReadableView& view) {
  return std::find(view.required.begin(), view.required.end(), "project") != view.required.end();
}

Status UnknownStoredView(const std::string& name) {
  return Status::InvalidArgument("view.unknown",
                                 "unknown stored view '" + name +
                                     "' (stored views: " + Joined(StoredViewNames()) +
                                     "; or a view's: " + Joined(ReadableViewNames()) + ")");
}

}  // namespace

Status MakeProjections(const std::vector<std::string>& names,
                       std::vector<std::unique_ptr<Projection>>* projections,
                       const ProjectionOptions& options) {
  projections->clear();
  for (const std::string& name : names) {
    if (std::none_of(StoredViews().begin(), StoredViews().end(),
                     [&](const StoredView& v) { return v.name == name; })) {
      return UnknownStoredView(name);
    }
  }
  auto budget = std::make_shared<RowCacheBudget>(options.row_cache_bytes);
  for (const StoredView& v : StoredViews()) {
    if (names.empty() || std::find(names.begin(), names.end(), v.name) != names.end()) {
      projections->push_back(v.make(budget));
    }
  }
  return Status::OK();
}

Status StoredViewsNamed(const std::vector<std::string>& names, std::vector<std::string>* stored) {
  const std::vector<std::string> all = StoredViewNames();
  std::unordered_set<std::string> wanted;
  for (const std::string& name : names) {
    if (std::find(all.begin(), all.end(), name) != all.end()) {
      wanted.insert(name);
      continue;
    }
    const ReadableView* view = FindReadable(name);
    if (view == nullptr) return UnknownStoredView(name);
    wanted.insert(view->stored.begin(), view->stored.end());
  }
  // Built apart from `stored`, which may be `names` itself.
  std::vector<std::string> out;
  for (const std::string& name : all) {
    if (wanted.count(name) > 0) out.push_back(name);
  }
  *stored = std::move(out);
  return Status::OK();
}

std::vector<std::string> StoredViewNames() {
  std::vector<std::string> names;
  for (const StoredView& v : StoredViews()) names.push_back(v.name);
  return names;
}

std::vector<std::string> ReadableViewNames() {
  std::vector<std::string> names;
  for (const ReadableView& v : ReadableViews()) names.push_back(v.name);
  return names;
}

Status ViewsNeeded(const std::string& view, std::vector<std::string>* stored) {
  const ReadableView* v = FindReadable(view);
  if (v == nullptr) return UnknownView(view);
  *stored = {"directory"};
  stored->insert(stored->end(), v->stored.begin(), v->stored.end());
  return Status::OK();
}

Status AsOfScopeFor(const ViewRequest& request, uint64_t position, AsOfScope* scope) {
  const ReadableView* view = FindReadable(request.view);
  if (view == nullptr) return UnknownView(request.view);
  *scope = AsOfScope();
  scope->tenant = request.workspace;
  scope->position = position;
  if (PerProject(*view)) {
    scope->project = request.project;
  } else if (!request.member.empty()) {
    // A member's read spanning projects (action items) shows only projects it sees now
    // (ReadView): fold those, so that its time tells nothing of the others.
    if (request.live == nullptr || request.live->as_of()) return StandingUnknown();
    std::unordered_set<std::string> now;
    Status s =
        StandingNow(request, request.live, &now, &scope->projects_are_all, &scope->client_side);
    if (!s.ok()) return s;
    scope->projects.emplace(now.begin(), now.end());
    std::sort(scope->projects->begin(), scope->projects->end());
  }
  return ViewsNeeded(request.view, &scope->views);
}

Status CheckStandingNow(const ViewRequest& request, ViewSource* live) {
  const ReadableView* view = nullptr;
  std::vector<std::string> stored;
  Status s = CheckRequest(request, &view, &stored);
  std::unordered_set<std::string> projects;
  if (s.ok()) s = StandingNow(request, live, &projects);
  if (!s.ok() || request.member.empty()) return s;
  // Worded as VisibleProject words it: a project the member no longer sees reads as missing.
  if (PerProject(*view) && !projects.count(request.project)) {
    return NotFoundView("project '" + request.project + "'");
  }
  return Status::OK();
}

Status ReadView(const ViewRequest& request, ViewSource* source, std::string* out) {
  const ReadableView* view = nullptr;
  std::vector<std::string> stored;
  Status s = CheckRequest(request, &view, &stored);
  if (!s.ok()) return s;
  QueryContext ctx{request, source, Asker(), WorkspaceDirectory(), std::nullopt};
  if (!request.member.empty() && source->as_of()) {
    if (request.live == nullptr || request.live->as_of()) return StandingUnknown();
    std::unordered_set<std::string> now;
    s = StandingNow(request, request.live, &now);
    if (!s.ok()) return s;
    ctx.projects_seen_now = std::move(now);
  }
  s = ResolveAsker(request, stored, source, &ctx.directory, &ctx.asker);
  if (!s.ok()) return s;
  if (request.as_of_named_position && !ctx.asker.is_operator) return PositionNotAllowed();
  boost::json::object body;
  CsvRows csv;
  s = view->read(ctx, &body, &csv);
  if (s.ok()) s = ctx.directory.status();  // a name that could not be read
  if (s.IsCorruption()) {
    // A damaged row is found where it is read, which may be long before a fold comes to it
    // and drops the view: say which views to fold again.
    std::string views;
    for (const std::string& name : stored) views += (views.empty() ? "" : " ") + name;
    return Status::Corruption(s.reason(), "view " + request.view + ": " + s.message() +
                                              " (tandem rebuild " + views + " folds it again)");
  }
  if (!s.ok()) return s;
  if (request.format == ViewFormat::kCsv) {
    const boost::json::value* rows = body.if_contains(csv.member);
    *out = JsonRowsToCsv(
        rows != nullptr && rows->is_array() ? rows->get_array() : boost::json::array(),
        csv.columns);
    return Status::OK();
  }
  boost::json::object envelope{{"view", request.view}, {"workspace", request.workspace}};
  // A log position counts every tenant's and every internal event: the operator's to see,
  // never a member's (a firm's member would gauge other tenants' activity from it).
  if (ShowsLogPosition(ctx.asker)) envelope["as_of_position"] = source->Position();
  for (auto& [k, v] : body) envelope[k] = std::move(v);
  *out = boost::json::serialize(envelope);
  return Status::OK();
}

}  // namespace tandem
