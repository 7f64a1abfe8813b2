#include "demo_views.h"

#include <iomanip>
#include <iostream>

#include <boost/json.hpp>

#include "tandem/basics/calendar.h"
#include "tandem/basics/clock.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/reports.h"
#include "tandem/projections/views.h"

namespace tandem::cli {
namespace {

std::string Text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return boost::json::serialize(v);
}

bool Fail(const std::string& what, const Status& s) {
  std::cerr << "tandem demo: cannot read " << what << ": " << s.ToString() << "\n";
  return false;
}

void PrintTimeline(const boost::json::object& timeline) {
  for (const auto& m : timeline.at("milestones").as_array()) {
    const auto& o = m.as_object();
    std::cout << "  " << std::left << std::setw(18) << Text(o.at("title")) << std::setw(12)
              << Text(o.at("status")) << "planned " << Text(o.at("planned_date")) << ", now "
              << Text(o.at("current_date"));
    if (!o.at("completed_date").as_string().empty()) {
      std::cout << ", completed " << Text(o.at("completed_date"));
    }
    if (!o.at("blocked_reason").as_string().empty()) {
      std::cout << "\n      blocked: " << Text(o.at("blocked_reason"));
    }
    for (const auto& slip : o.at("slips").as_array()) {
      std::cout << "\n      slipped " << Text(slip.at("old_date")) << " -> "
                << Text(slip.at("new_date")) << " on "
                << IsoDateOf(slip.at("at_us").to_number<int64_t>()) << ": "
                << Text(slip.at("reason"));
    }
    for (const auto& r : o.at("open_requests").as_array()) {
      std::cout << "\n      waiting for " << Text(r.at("title")) << " from "
                << Text(r.at("requested_from"));
      if (!r.at("due_date").as_string().empty())
        std::cout << " (due " << Text(r.at("due_date")) << ")";
    }
    for (const auto& f : o.at("files").as_array()) {
      std::cout << "\n      file " << Text(f.at("name")) << " (version "
                << Text(f.at("latest_version")) << " of " << Text(f.at("versions")) << ")";
    }
    std::cout << "\n      " << Text(o.at("client_comments")) << " comment(s)\n";
  }
}

void PrintActionItems(const boost::json::object& items) {
  const auto& list = items.at("items").as_array();
  if (list.empty()) std::cout << "  nothing to do\n";
  for (const auto& i : list) {
    std::cout << "  [" << std::left << std::setw(8) << Text(i.at("urgency")) << "] "
              << std::setw(16) << Text(i.at("kind")) << Text(i.at("title"));
    if (!i.at("due_date").as_string().empty())
      std::cout << " (due " << Text(i.at("due_date")) << ")";
    if (const boost::json::value* asker = i.as_object().if_contains("asked_by"))
      std::cout << ", asked by " << Text(*asker);
    std::cout << "\n";
  }
}

void PrintReport(const boost::json::object& report) {
  for (const auto& [key, value] : report.at("total").as_object()) {
    std::cout << "  " << std::left << std::setw(40) << std::string(key) << Text(value) << "\n";
  }
}

}  // namespace

bool ShowDemoViews(EventLog* log, const std::string& views_dir, const std::string& workspace) {
  std::unique_ptr<ViewStore> store;
  Status s = ViewStore::Open(ViewStoreOptions(), views_dir, &store);
  std::vector<std::unique_ptr<Projection>> projections;
  if (s.ok()) s = MakeProjections({}, &projections);
  std::unique_ptr<ProjectionRunner> runner;
  if (s.ok()) {
    s = ProjectionRunner::Open(ProjectionRunnerOptions(), log, store.get(), std::move(projections),
                               &runner);
  }
  if (s.ok()) s = runner->CatchUp();
  std::unique_ptr<ViewSource> source;
  if (s.ok()) s = OpenLiveViewSource(store.get(), &source);
  if (!s.ok()) return Fail("the views", s);

  ViewRequest request;
  request.workspace = workspace;
  request.view = "client-timeline";
  request.project = "web";
  request.member = "dana";
  std::string out;
  s = ReadView(request, source.get(), &out);
  if (!s.ok()) return Fail("Acme's timeline", s);
  std::cout << "\nAcme's website timeline, as Dana (Acme) sees it:\n";
  PrintTimeline(boost::json::parse(out).as_object());

  request = ViewRequest();
  request.workspace = workspace;
  request.view = "action-items";
  request.member = "client:acme:eli";  // invited by Dana: in Acme's id space
  request.today = IsoDateOf(SystemNowMicros());
  s = ReadView(request, source.get(), &out);
  if (!s.ok()) return Fail("Eli's action items", s);
  std::cout << "\nwhat Eli (Acme) must do now:\n";
  PrintActionItems(boost::json::parse(out).as_object());

  ReportRequest report;
  report.workspace = workspace;
  report.as_member = "ana";
  report.now_us = SystemNowMicros();
  s = ReadReport(report, source.get(), &out);
  if (!s.ok()) return Fail("the owner's report", s);
  std::cout << "\nthe workspace report, as Ana (owner) sees it:\n";
  PrintReport(boost::json::parse(out).as_object());
  std::cout << "\nmore: tandem view client-timeline --workspace " << workspace
            << " --project web --member dana   (also: internal-timeline, board, threads, files, "
               "action-items, feed; tandem report)\n";
  return true;
}

}  // namespace tandem::cli
