// Reading action items: the asker's open items across the projects it may see, with urgency
// judged against the request's day.
#include <algorithm>
#include <chrono>

#include "action_items_projection.h"
#include "snippet.h"
#include "tandem/basics/calendar.h"
#include "tandem/basics/utf8.h"
#include "tandem/domain/roles.h"
#include "view_catalog.h"

namespace tandem {
namespace {

using schema::Role;

constexpr int64_t kDueSoonDays = 3;

struct Listed {
  int rank = 0;  // 0 overdue, 1 due soon, 2 waiting
  std::string project;
  std::string key;  // the item's row: unique, the last tie-break
  ActionItem item;
};

Status Today(const ViewRequest& request, int64_t* days) {
  std::string today = request.today;
  if (today.empty()) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    today = IsoDateOf(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
  }
  if (!ParseIsoDate(today, days)) {
    return Status::InvalidArgument(
        "view.bad_date",
        "today must be an ISO date (YYYY-MM-DD), not '" + Snippet(today, 40) + "'");
  }
  return Status::OK();
}

// 0 overdue (due before today), 1 due soon (today up to three days on), 2 waiting (no due date,
// or later; a due date that is not a date waits too, and is shown as it was given).
int Urgency(const std::string& due_date, int64_t today) {
  int64_t due = 0;
  if (!ParseIsoDate(due_date, &due)) return 2;
  if (due < today) return 0;
  return due - today <= kDueSoonDays ? 1 : 2;
}

// Whether `item` of `project` is the asker's to do. Groups are resolved here, against the
// directory as it stands, with the domain's rules for who may answer.
bool AssignedTo(const QueryContext& ctx, const std::string& project_id, const ProjectEntry& project,
                const ActionItem& item) {
  const MemberState& me = *ctx.asker.state;
  const Role role = me.RoleOn(project_id);
  const bool client_side = !me.client_id.empty();
  const bool of_this_client = client_side && me.client_id == project.client_id;
  const bool client_writer =
      of_this_client && (role == Role::ClientAdmin || role == Role::ClientMember);
  if (!item.assignee.empty()) {
    return item.assignee == ctx.asker.member && (!client_side || client_writer);
  }
  if (item.group == "client_side") return client_writer;
  if (item.group == "client_admins") return of_this_client && role == Role::ClientAdmin;
  if (client_side || role == Role::None) return false;
  if (item.group == "firm_managers") {
    return role == Role::Owner || role == Role::ProjectManager ||
           ctx.asker.member == ctx.directory.ManagerOf(project_id, project);
  }
  if (item.group == "project_manager") {
    // A project nobody manages (its creator left, no grant stands) is for the members acting
    // as owner on it to review: an item nobody sees would wait for ever.
    const std::string manager = ctx.directory.ManagerOf(project_id, project);
    return manager.empty() ? role == Role::Owner : ctx.asker.member == manager;
  }
  return false;
}

boost::json::object Render(const QueryContext& ctx, const std::string& project_id,
                           const ProjectEntry& project, const ActionItem& item, int urgency) {
  static constexpr const char* kUrgency[] = {"overdue", "due_soon", "waiting"};
  // Everything here came from events, which `tandem append` writes past every rule: the
  // answer stays valid UTF-8 whatever they hold.
  const auto text = [](const std::string& s) { return utf8::Sanitize(s); };
  boost::json::object o{{"kind", text(item.kind)},
                        {"project", text(project_id)},
                        {"project_name", text(project.name)},
                        {"title", text(item.title)},
                        {"milestone_id", text(item.milestone_id)},
                        {"card_id", text(item.card_id)},
                        {"approval_id", text(item.approval_id)},
                        {"request_id", text(item.request_id)},
                        {"thread_id", text(item.thread_id)},
                        {"since_us", item.since_us},
                        {"due_date", text(item.due_date)},
                        {"urgency", kUrgency[urgency]}};
  if (!item.asked_by.empty()) {
    o["asked_by"] = Snippet(ctx.directory.NameOf(item.asked_by), 80);
    o["asked_by_side"] = ctx.directory.SideOf(item.asked_by);
  }
  if (!ctx.asker.client_side()) o["audience"] = item.client ? "client" : "internal";
  return o;
}

Status ProjectItems(const QueryContext& ctx, const RowReader& rows, const std::string& project_id,
                    const ProjectEntry& project, int64_t today, std::vector<Listed>* out) {
  Status parse;
  Status s = rows.Scan(ActionItemsPrefix(ctx.request.workspace, project_id),
                       [&](std::string_view key, std::string_view value) {
                         boost::system::error_code ec;
                         boost::json::value v = boost::json::parse(value, ec);
                         if (ec || !v.is_object()) {
                           parse = Status::Corruption("an action item row is damaged");
                           return false;
                         }
                         Listed l;
                         ReadRow(v.get_object(), &l.item);
                         // A client-side asker (or the firm asking as a client) gets only what
                         // is shared with the client.
                         if (ctx.asker.client_side() && !l.item.client) return true;
                         if (!AssignedTo(ctx, project_id, project, l.item)) return true;
                         l.rank = Urgency(l.item.due_date, today);
                         l.project = project_id;
                         l.key = std::string(key);
                         out->push_back(std::move(l));
                         return true;
                       });
  return s.ok() ? parse : s;
}

}  // namespace

Status ReadActionItems(const QueryContext& ctx, boost::json::object* out, CsvRows* csv) {
  // One line per item, as Render writes it.
  csv->member = "items";
  csv->columns = {"kind",     "project",     "project_name", "title",        "milestone_id",
                  "card_id",  "approval_id", "request_id",   "thread_id",    "since_us",
                  "due_date", "urgency",     "asked_by",     "asked_by_side"};
  if (!ctx.asker.client_side()) csv->columns.push_back("audience");
  int64_t today = 0;
  Status s = Today(ctx.request, &today);
  if (!s.ok()) return s;
  if (ctx.asker.state == nullptr) return NotFoundView("member '" + ctx.request.member + "'");
  const RowReader* directory = nullptr;
  const RowReader* items = nullptr;
  s = ctx.Rows("directory", &directory);
  if (s.ok()) s = ctx.Rows(std::string(ActionItemsProjection::kName), &items);
  std::vector<std::pair<std::string, ProjectEntry>> projects;
  if (s.ok()) s = ListProjects(*directory, ctx.request.workspace, &projects);
  // One project's items when one is asked for: refused, like any project view, when the asker
  // may not see it, exactly as when it does not exist.
  const std::string& only = ctx.request.project;
  ProjectEntry visible;
  if (s.ok() && !only.empty()) s = ctx.VisibleProject(&visible);
  if (!s.ok()) return s;
  std::vector<Listed> listed;
  std::map<std::string, const ProjectEntry*> entries;
  for (const auto& [id, project] : projects) {
    if (!ctx.SeesProject(id, project) || (!only.empty() && id != only)) continue;
    entries[id] = &project;
    s = ProjectItems(ctx, *items, id, project, today, &listed);
    if (!s.ok()) return s;
  }
  // Most urgent first; then by due date (dated before undated), then oldest first.
  std::sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.item.due_date.empty() != b.item.due_date.empty()) return b.item.due_date.empty();
    if (a.item.due_date != b.item.due_date) return a.item.due_date < b.item.due_date;
    if (a.item.since_us != b.item.since_us) return a.item.since_us < b.item.since_us;
    return a.key < b.key;
  });
  boost::json::array array;
  for (const Listed& l : listed) {
    array.push_back(Render(ctx, l.project, *entries.at(l.project), l.item, l.rank));
  }
  *out = {
      {"member", ctx.request.member}, {"today", FormatIsoDate(today)}, {"items", std::move(array)}};
  return Status::OK();
}

}  // namespace tandem
