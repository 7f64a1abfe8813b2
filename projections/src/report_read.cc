// Reading reports: who sees which projects and facts, then KPIs aggregated per pivot row.

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "csv.h"
#include "json_fields.h"
#include "json_line.h"
#include "report_facts_projection.h"
#include "report_links_projection.h"
#include "tandem/basics/calendar.h"
#include "tandem/domain/blob_store.h"  // Sha256Hex
#include "tandem/projections/reports.h"
#include "view_access.h"
#include "view_key.h"

namespace tandem {
namespace {

constexpr double kUsPerSecond = 1000.0 * 1000;
const std::vector<std::string> kDimensions = {"client", "project", "manager", "week"};

// What one report covers.
struct ReportScope {
  std::string tenant;
  std::vector<std::pair<std::string, ProjectEntry>> projects;
  bool every_project = false;  // `projects` are every project of the tenant
  bool client_facts_only = false;
  bool shows_log_position = false;  // the operator, not as a client (ShowsLogPosition)
};

// KPIs gathered over the facts of one pivot row.
struct Kpis {
  uint64_t milestones = 0, on_time = 0, late = 0, overdue = 0, slips = 0;
  int64_t slip_days = 0, blocked_us = 0;
  uint64_t requests = 0, requests_open = 0, requests_overdue = 0;
  uint64_t questions = 0, questions_waiting = 0;
  std::vector<int64_t> reply_us;
  uint64_t approvals = 0, approvals_pending = 0;
  std::vector<int64_t> turnaround_us;
  std::map<std::string, ColumnTime> columns;
};

struct Clock {
  int64_t now_us = 0;
  std::string today;                            // "" when nothing can be overdue
  bool Before(const std::string& date) const {  // `date` is a real date before today
    int64_t days = 0;
    return !today.empty() && ParseIsoDate(date, &days) && date < today;
  }
};

// Sums of durations stop at the largest number rather than wrap (blocks written past the rules
// may claim any length).
void AddSaturated(int64_t* total, int64_t add) {
  if (__builtin_add_overflow(*total, add, total)) {
    *total = add < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  }
}

// Durations are whole seconds: exact integers read better in JSON and CSV than doubles.
boost::json::value Seconds(double us) { return std::llround(us / kUsPerSecond); }

// A mean in hundredths, as an integer when it is one.
boost::json::value Hundredths(double v) {
  const double rounded = std::round(v * 100) / 100;
  if (rounded == std::floor(rounded)) return static_cast<int64_t>(rounded);
  return rounded;
}

boost::json::value Median(std::vector<int64_t> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double mid = n % 2
                         ? static_cast<double>(v[n / 2])
                         : (static_cast<double>(v[n / 2 - 1]) + static_cast<double>(v[n / 2])) / 2;
  return Seconds(mid);
}

boost::json::value Mean(const std::vector<int64_t>& v) {
  if (v.empty()) return nullptr;
  double sum = 0;
  for (int64_t x : v) sum += static_cast<double>(x);
  return Seconds(sum / static_cast<double>(v.size()));
}

void Render(const Kpis& k, boost::json::object* o) {
  (*o)["milestones"] = k.milestones;
  (*o)["milestones_completed_on_time"] = k.on_time;
  (*o)["milestones_completed_late"] = k.late;
  (*o)["milestones_overdue"] = k.overdue;
  (*o)["milestone_slips"] = k.slips;
  (*o)["slip_days_total"] = k.slip_days;
  (*o)["slip_days_mean"] =
      k.slips ? Hundredths(static_cast<double>(k.slip_days) / static_cast<double>(k.slips))
              : boost::json::value(nullptr);
  (*o)["time_blocked_seconds"] = Seconds(static_cast<double>(k.blocked_us));
  (*o)["document_requests"] = k.requests;
  (*o)["document_requests_open"] = k.requests_open;
  (*o)["document_requests_overdue"] = k.requests_overdue;
  (*o)["client_questions"] = k.questions;
  (*o)["client_questions_waiting"] = k.questions_waiting;
  (*o)["question_first_reply_median_seconds"] = Median(k.reply_us);
  (*o)["approvals"] = k.approvals;
  (*o)["approvals_pending"] = k.approvals_pending;
  (*o)["approval_turnaround_median_seconds"] = Median(k.turnaround_us);
  (*o)["approval_turnaround_mean_seconds"] = Mean(k.turnaround_us);
  boost::json::object columns;
  for (const auto& [name, t] : k.columns) {
    if (t.stays > 0)
      columns[name] = Seconds(static_cast<double>(t.us) / static_cast<double>(t.stays));
  }
  (*o)["card_cycle_mean_seconds"] = std::move(columns);
}

// Adds one fact to `k`; returns the fact's date.
struct Fact {
  std::string kind;
  boost::json::object row;
};

std::string FactDate(const Fact& f) {
  using json_fields::Int;
  using json_fields::Str;
  if (f.kind == fact_kind::kMilestone) {
    std::string completed = Str(f.row, "completed_date");
    return completed.empty() ? Str(f.row, "current_date") : completed;
  }
  const char* at = f.kind == fact_kind::kQuestion ? "asked_at_us"
                   : f.kind == fact_kind::kCard   ? "created_at_us"
                                                  : "requested_at_us";
  const int64_t us = Int(f.row, at);
  return us > 0 ? IsoDateOf(us) : "";
}

// Whether a milestone fact's milestone is completed (a completion written past the domain's
// rules may carry no date).
bool MilestoneCompleted(const boost::json::object& row) {
  return json_fields::Bool(row, "completed") || !json_fields::Str(row, "completed_date").empty();
}

// `completed`: the ids of the project's completed milestones, whose unanswered requests are
// closed (as the domain refuses to answer them and the action items drop them).
void AddFact(const Fact& f, const Clock& clock, const std::set<std::string>& completed, Kpis* k) {
  if (f.kind == fact_kind::kMilestone) {
    MilestoneFact m;
    ReadRow(f.row, &m);
    k->milestones++;
    if (!m.completed_date.empty()) {
      (m.completed_date <= m.original_date ? k->on_time : k->late)++;
    } else if (!m.completed && clock.Before(m.current_date)) {
      k->overdue++;
    }
    k->slips += m.slips;
    k->slip_days += m.slip_days;
    AddSaturated(&k->blocked_us, m.blocked_us);
    if (m.blocked_since_us != 0 && clock.now_us > m.blocked_since_us) {
      AddSaturated(&k->blocked_us, clock.now_us - m.blocked_since_us);
    }
  } else if (f.kind == fact_kind::kRequest) {
    RequestFact r;
    ReadRow(f.row, &r);
    k->requests++;
    if (r.fulfilled_at_us == 0 && !completed.count(r.milestone)) {
      k->requests_open++;
      if (clock.Before(r.due_date)) k->requests_overdue++;
    }
  } else if (f.kind == fact_kind::kQuestion) {
    QuestionFact q;
    ReadRow(f.row, &q);
    k->questions++;
    if (q.answered_at_us == 0) {
      k->questions_waiting++;
    } else {
      k->reply_us.push_back(q.answered_at_us - q.asked_at_us);
    }
  } else if (f.kind == fact_kind::kApproval) {
    ApprovalFact a;
    ReadRow(f.row, &a);
    k->approvals++;
    if (a.answered_at_us == 0) {
      k->approvals_pending++;
    } else {
      k->turnaround_us.push_back(a.answered_at_us - a.requested_at_us);
    }
  } else if (f.kind == fact_kind::kCard) {
    CardFact c;
    ReadRow(f.row, &c);
    for (const auto& [name, t] : c.columns) {
      AddSaturated(&k->columns[name].us, t.us);
      k->columns[name].stays += t.stays;
    }
  }
}

void Merge(const Kpis& from, Kpis* to) {
  to->milestones += from.milestones;
  to->on_time += from.on_time;
  to->late += from.late;
  to->overdue += from.overdue;
  to->slips += from.slips;
  to->slip_days += from.slip_days;
  AddSaturated(&to->blocked_us, from.blocked_us);
  to->requests += from.requests;
  to->requests_open += from.requests_open;
  to->requests_overdue += from.requests_overdue;
  to->questions += from.questions;
  to->questions_waiting += from.questions_waiting;
  to->reply_us.insert(to->reply_us.end(), from.reply_us.begin(), from.reply_us.end());
  to->approvals += from.approvals;
  to->approvals_pending += from.approvals_pending;
  to->turnaround_us.insert(to->turnaround_us.end(), from.turnaround_us.begin(),
                           from.turnaround_us.end());
  for (const auto& [name, t] : from.columns) {
    AddSaturated(&to->columns[name].us, t.us);
    to->columns[name].stays += t.stays;
  }
}

Status ValidateShape(const ReportRequest& r, std::vector<std::string>* by, Clock* clock) {
  by->clear();
  for (const std::string& d : r.by) {
    if (std::find(kDimensions.begin(), kDimensions.end(), d) == kDimensions.end()) {
      return Status::InvalidArgument(
          "report.bad_dimension",
          "cannot pivot by '" + d + "' (by: client, project, manager, week)");
    }
    if (std::find(by->begin(), by->end(), d) == by->end()) by->push_back(d);
  }
  int64_t days = 0;
  for (const std::string* date : {&r.from, &r.to, &r.now_date}) {
    if (!date->empty() && !ParseIsoDate(*date, &days)) {
      return Status::InvalidArgument("report.bad_date",
                                     "'" + *date + "' is not a date (YYYY-MM-DD)");
    }
  }
  clock->now_us = r.now_us;
  clock->today = !r.now_date.empty() ? r.now_date : r.now_us > 0 ? IsoDateOf(r.now_us) : "";
  return Status::OK();
}

// Aggregates the scope's facts into `out` (rows and total).
Status Aggregate(const ReportScope& scope, const ReportRequest& request,
                 const std::vector<std::string>& by, const Clock& clock, ViewSource* source,
                 boost::json::object* out) {
  // Who manages a project is the firm's internal staffing (the creator, internal role grants):
  // a client's report cannot pivot by it.
  if (scope.client_facts_only && std::find(by.begin(), by.end(), "manager") != by.end()) {
    return Status::InvalidArgument("report.bad_dimension",
                                   "cannot pivot by 'manager' (by: client, project, week)");
  }
  const RowReader* rows = nullptr;
  Status s = source->Reader(
      scope.client_facts_only ? "client-report-facts" : "internal-report-facts", &rows);
  if (!s.ok()) return s;
  // Who manages each project is read only for a pivot by it.
  WorkspaceDirectory directory;
  const bool by_manager = std::find(by.begin(), by.end(), "manager") != by.end();
  if (by_manager) {
    const RowReader* members = nullptr;
    s = source->Reader("directory", &members);
    if (s.ok()) s = directory.Open(members, scope.tenant);
    if (!s.ok()) return s;
  }
  std::map<std::vector<std::string>, Kpis> pivot;
  Kpis total;
  std::vector<std::string> parts;
  Status bad;
  for (const auto& [project_id, project] : scope.projects) {
    const std::string manager = by_manager ? directory.ManagerOf(project_id, project) : "";
    // A request is open only if its milestone has not completed: unanswered requests are
    // counted once all the project's facts are read, whichever order the rows come in.
    std::set<std::string> completed;
    std::vector<std::pair<std::vector<std::string>, Fact>> unanswered;
    const auto add = [&](const std::vector<std::string>& row_key, const Fact& f) {
      Kpis one;
      AddFact(f, clock, completed, &one);
      Merge(one, &pivot[row_key]);
      Merge(one, &total);
    };
    // Facts are filtered at serve time too, whatever the storage holds: a client counts its own
    // board's cards, not the firm's internal boards'.
    s = rows->Scan(
        FactPrefix(scope.tenant, project_id), [&](std::string_view key, std::string_view value) {
          boost::system::error_code ec;
          boost::json::value v = boost::json::parse(value, ec);
          if (ec || !v.is_object() || !SplitViewKey(key, &parts) || parts.size() != 5) {
            bad = Status::Corruption("a report fact row is damaged");
            return false;
          }
          Fact f{parts[3], std::move(v.get_object())};
          if (f.kind == fact_kind::kMilestone && MilestoneCompleted(f.row))
            completed.insert(parts[4]);
          if (scope.client_facts_only && f.kind != fact_kind::kQuestion &&
              !json_fields::Bool(f.row, "client")) {
            return true;
          }
          const std::string date = FactDate(f);
          if ((!request.from.empty() && (date.empty() || date < request.from)) ||
              (!request.to.empty() && (date.empty() || date > request.to))) {
            return true;
          }
          std::vector<std::string> row_key;
          for (const std::string& d : by) {
            row_key.push_back(d == "client"    ? project.client_id
                              : d == "project" ? project_id
                              : d == "manager" ? manager
                                               : IsoWeekOf(date));
          }
          if (f.kind == fact_kind::kRequest && json_fields::Int(f.row, "fulfilled_at_us") == 0) {
            unanswered.emplace_back(std::move(row_key), std::move(f));
          } else {
            add(row_key, f);
          }
          return true;
        });
    if (s.ok()) s = bad;
    if (!s.ok()) return s;
    for (const auto& [row_key, f] : unanswered) add(row_key, f);
  }
  if (!directory.status().ok()) return directory.status();  // a manager that could not be read
  boost::json::array out_rows;
  for (const auto& [row_key, k] : pivot) {
    boost::json::object o;
    for (size_t i = 0; i < by.size(); ++i) o[by[i]] = row_key[i];
    Render(k, &o);
    out_rows.push_back(std::move(o));
  }
  boost::json::object totals;
  Render(total, &totals);
  boost::json::array by_json;
  for (const std::string& d : by) by_json.push_back(boost::json::string(d));
  (*out)["by"] = std::move(by_json);
  (*out)["from"] = request.from;
  (*out)["to"] = request.to;
  (*out)["now_date"] = clock.today;
  (*out)["audience"] = scope.client_facts_only ? "client" : "internal";
  // A log position counts every tenant's and every internal event: the operator's to see, never
  // a member's nor a link holder's.
  if (scope.shows_log_position) (*out)["as_of_position"] = source->Position();
  (*out)["rows"] = std::move(out_rows);
  (*out)["total"] = std::move(totals);
  return Status::OK();
}

void Serialise(const ReportRequest& request, boost::json::object body, std::string* out) {
  if (request.format == ViewFormat::kCsv) {
    // The pivot's dimensions, then the KPIs as Render writes them: the same header with rows
    // or without.
    std::vector<std::string> columns;
    if (const boost::json::value* by = body.if_contains("by"); by != nullptr && by->is_array()) {
      for (const auto& d : by->get_array()) {
        if (d.is_string()) columns.emplace_back(d.get_string());
      }
    }
    boost::json::object kpis;
    Render(Kpis(), &kpis);
    for (const auto& [name, value] : kpis) columns.emplace_back(name);
    const boost::json::value* rows = body.if_contains("rows");
    *out = JsonRowsToCsv(
        rows != nullptr && rows->is_array() ? rows->get_array() : boost::json::array(), columns);
    return;
  }
  *out = JsonText(body);
}

bool ReportsOn(schema::Role role) {
  return role == schema::Role::Owner || role == schema::Role::ProjectManager ||
         role == schema::Role::Auditor || role == schema::Role::ClientAdmin ||
         role == schema::Role::ClientMember;
}

// The projects `asker` reads reports of in `source`; PermissionDenied when it may read none.
// `live` (for a report of the past, whose
// fold holds only the projects the member reads reports of now) decides, with the roles the
// member held then, whether it read reports at all then, as a fold of the whole workspace
// would: a role then on a project it no longer reads still made it a reader of reports.
Status ScopeOf(const Asker& asker, const std::string& tenant, ViewSource* source, ViewSource* live,
               ReportScope* scope) {
  scope->tenant = tenant;
  scope->client_facts_only = asker.client_side();
  scope->shows_log_position = ShowsLogPosition(asker);
  const RowReader* rows = nullptr;
  std::vector<std::pair<std::string, ProjectEntry>> all;
  Status s = source->Reader("directory", &rows);
  if (s.ok()) s = ListProjects(*rows, tenant, &all);
  if (!s.ok()) return s;
  bool permitted = asker.is_operator || ReportsOn(asker.state->RoleOn(""));
  for (auto& [id, project] : all) {
    if (asker.client_side() && project.client_id != asker.client_id) continue;
    if (!asker.is_operator) {
      if (!ReportsOn(asker.state->RoleOn(id))) continue;
      permitted = true;
    }
    scope->projects.emplace_back(id, std::move(project));
  }
  scope->every_project = scope->projects.size() == all.size();
  if (!permitted && live != nullptr) {
    std::vector<std::pair<std::string, ProjectEntry>> now;
    s = live->Reader("directory", &rows);
    if (s.ok()) s = ListProjects(*rows, tenant, &now);
    if (!s.ok()) return s;
    permitted = std::any_of(now.begin(), now.end(), [&](const auto& entry) {
      return (!asker.client_side() || entry.second.client_id == asker.client_id) &&
             ReportsOn(asker.state->RoleOn(entry.first));
    });
  }
  if (!permitted) {
    return Status::PermissionDenied("report.not_permitted",
                                    "member '" + asker.member + "' may not read reports");
  }
  return Status::OK();
}

// The asker as the workspace's directory in `source` has it, and the projects it reads reports
// of there; `views` are the views the read needs built.
Status ResolveReportAsker(const ReportRequest& request, const std::vector<std::string>& views,
                          ViewSource* source, Asker* asker, ReportScope* scope) {
  ViewRequest who;
  who.workspace = request.workspace;
  who.member = request.as_member;
  WorkspaceDirectory directory;
  Status s = ResolveAsker(who, views, source, &directory, asker);
  if (!s.ok()) return s;
  if (request.as_of_named_position && !asker->is_operator) return PositionNotAllowed();
  return ScopeOf(*asker, request.workspace, source, source->as_of() ? request.live : nullptr,
                 scope);
}

// The projects a named member reads reports of now, in the live directory (`live`), and (when
// `all` is given) whether they are every project of the workspace: current standing gates
// history (see ReportRequest::live).
Status ScopeNow(const ReportRequest& request, ViewSource* live,
                std::optional<std::set<std::string>>* projects, bool* all = nullptr,
                bool* client_side = nullptr) {
  projects->reset();
  Asker now;
  ReportScope scope;
  // Only the directory decides standing: a view being folded again says nothing of it.
  Status s = ResolveReportAsker(request, {"directory"}, live, &now, &scope);
  if (!s.ok()) return s;
  projects->emplace();
  for (const auto& project : scope.projects) (*projects)->insert(project.first);
  if (all != nullptr) *all = scope.every_project;
  if (client_side != nullptr) *client_side = now.client_side();
  return Status::OK();
}

// Whether the member who issued a link may still issue it: active, with a role on its project
// that issues links, and of the project's client if client-side. A link lives no longer than
// its issuer's right to hand the report out (a client admin who leaves takes its links along).
Status IssuerStands(const ReportLinkDoc& link, const RowReader& directory_rows,
                    const ProjectEntry& project, bool* stands) {
  *stands = false;
  if (link.issuer.empty()) return Status::OK();  // a row that names no issuer: fail closed
  WorkspaceDirectory directory;
  Status s = directory.Open(&directory_rows, link.tenant);
  if (s.IsNotFound()) return Status::OK();
  const MemberState* issuer = nullptr;
  if (s.ok()) s = directory.FindMember(link.issuer, &issuer);
  if (!s.ok() || issuer == nullptr) return s;
  *stands = MayIssueReportLink(*issuer, link.project, project.client_id, link.client);
  return Status::OK();
}

// A workspace report's request (not a link's): its workspace named, its shape valid.
Status ValidateWorkspaceReport(const ReportRequest& request, std::vector<std::string>* by,
                               Clock* clock) {
  if (request.workspace.empty()) {
    return Status::InvalidArgument("report.missing_option", "a report needs --workspace");
  }
  return ValidateShape(request, by, clock);
}

}  // namespace

// What a workspace report reads: not report links, so that links that cannot fold (which a
// reader pairing them with the directory refuses) leave the workspace's reports served.
static const std::vector<std::string>& WorkspaceReportViews() {
  static const std::vector<std::string> views = {"directory", "client-report-facts",
                                                 "internal-report-facts"};
  return views;
}

std::vector<std::string> ReportViewsNeeded() {
  std::vector<std::string> views = WorkspaceReportViews();
  views.push_back("report-links");
  return views;
}

Status ReportAsOfScope(const ReportRequest& request, uint64_t position, AsOfScope* scope) {
  *scope = AsOfScope();
  scope->tenant = request.workspace;
  scope->position = position;
  scope->views = ReportViewsNeeded();
  if (request.as_member.empty()) return Status::OK();
  if (request.live == nullptr || request.live->as_of()) return StandingUnknown();
  std::optional<std::set<std::string>> now;
  Status s = ScopeNow(request, request.live, &now, &scope->projects_are_all, &scope->client_side);
  if (!s.ok()) return s;
  scope->projects.emplace(now->begin(), now->end());
  return Status::OK();
}

Status ReadReport(const ReportRequest& request, ViewSource* source, std::string* out) {
  std::vector<std::string> by;
  Clock clock;
  Status s = ValidateWorkspaceReport(request, &by, &clock);
  if (!s.ok()) return s;
  std::optional<std::set<std::string>> now;
  if (!request.as_member.empty() && source->as_of()) {
    if (request.live == nullptr || request.live->as_of()) return StandingUnknown();
    s = ScopeNow(request, request.live, &now);
    if (!s.ok()) return s;
  }
  Asker asker;
  ReportScope scope;
  s = ResolveReportAsker(request, WorkspaceReportViews(), source, &asker, &scope);
  if (!s.ok()) return s;
  if (now) {
    std::erase_if(scope.projects, [&](const auto& project) { return !now->count(project.first); });
  }
  boost::json::object body{
      {"report", "kpis"}, {"workspace", request.workspace}, {"as", request.as_member}};
  if (asker.client_side()) body["client"] = asker.client_id;
  s = Aggregate(scope, request, by, clock, source, &body);
  if (!s.ok()) return s;
  Serialise(request, std::move(body), out);
  return Status::OK();
}

Status CheckReportStandingNow(const ReportRequest& request, ViewSource* live) {
  std::vector<std::string> by;
  Clock clock;
  Status s = ValidateWorkspaceReport(request, &by, &clock);
  if (!s.ok()) return s;
  std::optional<std::set<std::string>> projects;
  return request.as_member.empty() ? Status::OK() : ScopeNow(request, live, &projects);
}

Status ReadReportByLink(const std::string& token, const ReportRequest& request, ViewSource* source,
                        std::string* out) {
  const Status invalid = Status::NotFound("report_link.invalid", "the report link is not valid");
  std::vector<std::string> by;
  Clock clock;
  Status s = ValidateShape(request, &by, &clock);
  if (!s.ok()) return s;
  if (request.now_us <= 0) {
    return Status::InvalidArgument("report.missing_option",
                                   "a report link is checked against the time now (now_us)");
  }
  if (source->as_of()) {
    // Read from the past, a link revoked since would show its report as it stood before.
    return Status::InvalidArgument("report_link.live_only", "a report link shows the live report");
  }
  if (token.empty()) return invalid;
  const std::string hex = Sha256Hex(token);
  const RowReader* links = nullptr;
  s = source->Reader("report-links", &links);
  ReportLinkDoc link;
  if (s.ok()) s = LoadReportLink(*links, hex, &link);
  if (s.IsNotFound() && s.reason() != "view.not_built") return invalid;
  if (!s.ok()) return s;
  // Expiry first: a link the view revoked as it expired (by the log's clock) reads as expired to
  // a reader whose clock agrees.
  if (link.expires_at_us <= request.now_us) {
    return Status::NotFound("report_link.expired", "the report link has expired");
  }
  const Status revoked =
      Status::NotFound("report_link.revoked", "the report link has been revoked");
  if (link.revoked) return revoked;
  ReportScope scope;
  scope.tenant = link.tenant;
  scope.client_facts_only = link.client;
  ProjectEntry project;
  const RowReader* directory = nullptr;
  s = source->Reader("directory", &directory);
  if (s.ok()) s = LoadProjectEntry(*directory, link.tenant, link.project, &project);
  if (s.IsNotFound() && s.reason() != "view.not_built") return invalid;
  if (!s.ok()) return s;
  bool stands = false;
  s = IssuerStands(link, *directory, project, &stands);
  if (!s.ok()) return s;
  if (!stands) return revoked;
  scope.projects.emplace_back(link.project, std::move(project));
  boost::json::object body{{"report", "kpis"},
                           {"workspace", link.tenant},
                           {"link",
                            {{"project", link.project},
                             {"report", link.report},
                             {"expires_at_us", link.expires_at_us}}}};
  s = Aggregate(scope, request, by, clock, source, &body);
  if (!s.ok()) return s;
  Serialise(request, std::move(body), out);
  return Status::OK();
}

}  // namespace tandem
