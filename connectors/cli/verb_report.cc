// `tandem report`: KPIs as a member of a workspace may see them, or through a report link;
// live, or as of a past moment.
#include <chrono>
#include <iostream>

#include "tandem/projections/reports.h"
#include "verbs.h"
#include "view_engine.h"

namespace tandem::cli {
namespace {

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
      "the date overdue is measured against (default: today, UTC; as of a past moment, that "
      "moment's day)")("link", po::value<std::string>(),
                       "read the report a link's secret token shows");
  AddAsOfOptions(&desc);
  po::variables_map vm;
  int rc = ParseVerbOptions(
      "report",
      "Prints KPIs (milestones on time and late, slips, time blocked, requests, reply and "
      "approval times, card cycle times) as the member --as may see them, or as --link shows.",
      desc, args, &vm);
  if (rc >= 0) return rc;
  const bool by_link = vm.count("link") > 0;
  if (by_link ? (vm.count("workspace") || vm.count("as"))
              : (!vm.count("workspace") || !vm.count("as"))) {
    std::cerr << "tandem report: give either --workspace and --as, or --link\n";
    return kExitUsage;
  }
  ReportRequest request;
  if (!by_link) {
    request.workspace = vm["workspace"].as<std::string>();
    request.as_member = vm["as"].as<std::string>();
    // An empty name is not the operator (whom the library reads for an empty as_member).
    if (request.as_member.empty()) return FailView("report", EmptyMember("--as"));
  }
  if (vm.count("by")) request.by = vm["by"].as<std::vector<std::string>>();
  request.from = vm["from"].as<std::string>();
  request.to = vm["to"].as<std::string>();
  request.now_date = vm["now"].as<std::string>();
  request.now_us = NowUs();
  request.as_of_named_position = !vm["as-of-position"].defaulted();
  const std::string format = vm["format"].as<std::string>();
  if (format != "json" && format != "csv") {
    return FailView("report",
                    Status::InvalidArgument("view.bad_format", "--format must be json or csv"));
  }
  request.format = format == "csv" ? ViewFormat::kCsv : ViewFormat::kJson;
  if (Status given = CheckAsOfTimeGiven(vm); !given.ok()) return FailView("report", given);

  const bool live = vm["as-of-position"].defaulted() && vm["as-of-time"].as<std::string>().empty();
  if (by_link && !live) {
    // A link shows the live report: read as of the past, it would show a revoked link's report
    // as it stood before the revocation.
    std::cerr << "tandem report: a report link shows the live report; --as-of-position and "
                 "--as-of-time go with --workspace and --as\n";
    return kExitUsage;
  }
  // A member's report of the past is gated by the member's standing now, in the live views.
  const bool gated = !live && !request.as_member.empty();
  ViewEngine engine;
  // A member or a link holder asks: no progress (see ViewProgress::kNone), no warnings.
  LogErrorsOnly();
  if (!OpenViewEngine(vm, live || gated, ViewProgress::kNone, &engine)) return kExitFailed;
  std::unique_ptr<ViewSource> now;
  Status s;
  if (gated) {
    // Before the position is checked or anything folded (as `tandem view`).
    s = OpenLiveViewSource(engine.store.get(), &now);
    if (s.ok()) s = CheckReportStandingNow(request, now.get());
    if (!s.ok()) return FailView("report", s);
    request.live = now.get();
  }
  uint64_t as_of = 0;
  s = AsOfPosition(vm, engine.log.get(), &as_of);
  if (gated && s.reason() == "view.before_first_event") {
    s = UnknownMember(request.workspace, request.as_member);
  }
  if (!s.ok()) return FailView("report", s);
  std::unique_ptr<ViewSource> source;
  if (as_of == 0) {
    s = OpenLiveViewSource(engine.store.get(), &source);
  } else {
    // As of a past moment, blocks in progress last until then and overdue is judged that day.
    const int64_t moment = AsOfMomentUs(vm, engine.log.get(), as_of);
    if (moment > 0) request.now_us = moment;
    AsOfScope scope;
    s = ReportAsOfScope(request, as_of, &scope);
    scope.snapshots = ViewSnapshotsDir(vm);
    if (s.ok()) s = FoldAsOf(engine.log.get(), scope, &source);
  }
  std::string out;
  if (s.ok()) {
    s = by_link ? ReadReportByLink(vm["link"].as<std::string>(), request, source.get(), &out)
                : ReadReport(request, source.get(), &out);
  }
  if (!s.ok()) return FailView("report", s);
  std::cout << out << (request.format == ViewFormat::kJson ? "\n" : "");
  return kExitOk;
}

}  // namespace tandem::cli
