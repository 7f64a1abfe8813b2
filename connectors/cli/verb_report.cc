// `tandem report`: KPIs as a member of a workspace may see them, or through a report link.
#include <chrono>
#include <iostream>

#include "cli_options.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/reports.h"
#include "tandem/projections/view_store.h"
#include "verbs.h"

namespace tandem::cli {
namespace {

// The views a report reads, caught up with the log.
// TODO(view_engine): switch to the shared helper of connectors/cli/view_engine.h once it is in
// main; this minimal open is the same steps.
struct ReportViews {
  std::unique_ptr<EventLog> log;
  std::unique_ptr<ViewStore> store;
  std::unique_ptr<ProjectionRunner> runner;
  std::unique_ptr<ViewSource> source;
};

Status OpenReportViews(const po::variables_map& vm, ReportViews* v) {
  EventLogOptions log_options;
  log_options.read_only = true;
  Status s = EventLog::Open(log_options, DataDir(vm), &v->log);
  if (s.ok()) s = ViewStore::Open(ViewStoreOptions(), DataDir(vm) + "/views", &v->store);
  std::vector<std::unique_ptr<Projection>> projections;
  if (s.ok()) s = MakeProjections(ReportViewsNeeded(), &projections);
  if (s.ok()) {
    s = ProjectionRunner::Open(ProjectionRunnerOptions(), v->log.get(), v->store.get(),
                               std::move(projections), &v->runner);
  }
  if (s.ok()) s = v->runner->CatchUp();
  if (s.ok()) s = OpenLiveViewSource(v->store.get(), &v->source);
  return s;
}

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int RunReport(const std::vector<std::string>& args) {
  po::options_description desc("report options");
  AddCommonOptions(&desc);
  desc.add_options()("workspace", po::value<std::string>(), "the workspace reported on")(
      "as", po::value<std::string>(), "the member asking: the report shows what it may see")(
      "by", po::value<std::vector<std::string>>()->multitoken(),
      "pivot rows by client, project, manager and/or week (ISO week of each fact's date)")(
      "from", po::value<std::string>()->default_value(""), "first date (YYYY-MM-DD) of facts")(
      "to", po::value<std::string>()->default_value(""), "last date (YYYY-MM-DD) of facts")(
      "format", po::value<std::string>()->default_value("json"), "json or csv")(
      "now", po::value<std::string>()->default_value(""),
      "the date overdue is measured against (default: today, UTC)")(
      "link", po::value<std::string>(), "read the report a link's secret token shows");
  po::variables_map vm;
  int rc = ParseVerbOptions(
      "report",
      "Prints KPIs (milestones on time and late, slips, time blocked, requests, reply and "
      "approval times, card cycle times) as the member --as may see them, or as --link shows.",
      desc, args, &vm);
  if (rc >= 0) return rc;
  const bool by_link = vm.count("link") > 0;
  if (by_link == (vm.count("workspace") > 0 || vm.count("as") > 0) ||
      (!by_link && (!vm.count("workspace") || !vm.count("as")))) {
    std::cerr << "tandem report: give either --workspace and --as, or --link\n";
    return kExitUsage;
  }
  ReportRequest request;
  if (!by_link) {
    request.workspace = vm["workspace"].as<std::string>();
    request.as_member = vm["as"].as<std::string>();
  }
  if (vm.count("by")) request.by = vm["by"].as<std::vector<std::string>>();
  request.from = vm["from"].as<std::string>();
  request.to = vm["to"].as<std::string>();
  request.now_date = vm["now"].as<std::string>();
  request.now_us = NowUs();
  const std::string format = vm["format"].as<std::string>();
  if (format != "json" && format != "csv") {
    std::cerr << "tandem report: --format is json or csv\n";
    return kExitUsage;
  }
  request.format = format == "csv" ? ViewFormat::kCsv : ViewFormat::kJson;

  ReportViews views;
  Status s = OpenReportViews(vm, &views);
  if (!s.ok()) return Fail("report", s);
  std::string out;
  s = by_link ? ReadReportByLink(vm["link"].as<std::string>(), request, views.source.get(), &out)
              : ReadReport(request, views.source.get(), &out);
  if (s.IsInvalidArgument()) {
    std::cerr << "tandem report: " << s.ToString() << "\n";
    return kExitUsage;
  }
  if (!s.ok()) return Fail("report", s);
  std::cout << out << (format == "json" ? "\n" : "");
  return kExitOk;
}

}  // namespace tandem::cli
