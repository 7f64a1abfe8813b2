// `tandem view NAME`: one view, live or as of a past moment, as JSON or CSV.
#include <iostream>

#include "tandem/basics/calendar.h"
#include "verbs.h"
#include "view_engine.h"

namespace tandem::cli {
namespace {

Status ParseFormat(const std::string& text, ViewFormat* format) {
  if (text == "json")
    *format = ViewFormat::kJson;
  else if (text == "csv")
    *format = ViewFormat::kCsv;
  else
    return Status::InvalidArgument("view.bad_format", "--format must be json or csv");
  return Status::OK();
}

}  // namespace

int RunView(const std::vector<std::string>& args) {
  po::options_description desc("view options");
  AddCommonOptions(&desc);
  desc.add_options()("name", po::value<std::string>()->required(),
                     "the view: client-timeline, internal-timeline, board, threads, files, "
                     "action-items or feed")("workspace", po::value<std::string>()->required(),
                                             "workspace (tenant)")(
      "project", po::value<std::string>()->default_value(""), "project")(
      "board", po::value<std::string>()->default_value(""), "board")(
      "thread", po::value<std::string>()->default_value(""), "comment thread")(
      "member", po::value<std::string>()->default_value(""),
      "read as this member: only what they may see")(
      "client", po::value<std::string>()->default_value(""), "read as this client sees it")(
      "limit", po::value<uint64_t>()->default_value(50), "most entries of a paginated view")(
      "offset", po::value<uint64_t>()->default_value(0), "entries of a paginated view to skip")(
      "format", po::value<std::string>()->default_value("json"), "json or csv")(
      "today", po::value<std::string>()->default_value(""),
      "the day urgency is judged against (action-items); default: today, or the as-of day");
  AddAsOfOptions(&desc);
  po::positional_options_description positional;
  positional.add("name", 1);
  po::variables_map vm;
  int rc = ParseVerbOptions("view", "Prints a view of the log as JSON or CSV.", desc, args, &vm,
                            &positional);
  if (rc >= 0) return rc;

  ViewRequest request;
  request.view = vm["name"].as<std::string>();
  request.workspace = vm["workspace"].as<std::string>();
  request.project = vm["project"].as<std::string>();
  request.board = vm["board"].as<std::string>();
  request.thread = vm["thread"].as<std::string>();
  request.member = vm["member"].as<std::string>();
  request.client = vm["client"].as<std::string>();
  request.limit = vm["limit"].as<uint64_t>();
  request.offset = vm["offset"].as<uint64_t>();
  request.today = vm["today"].as<std::string>();
  request.as_of_named_position = !vm["as-of-position"].defaulted();
  Status s = ParseFormat(vm["format"].as<std::string>(), &request.format);
  // Only leaving --member out reads as the operator: a front end passing on an identity it
  // failed to resolve must not make its user the operator.
  if (s.ok() && !vm["member"].defaulted() && request.member.empty()) s = EmptyMember("--member");
  // Likewise an empty client is no client, not the operator's whole view.
  if (s.ok() && !vm["client"].defaulted() && request.client.empty()) {
    s = Status::InvalidArgument("view.empty_client",
                                "--client needs a client's id (an empty one is no client)");
  }
  if (s.ok()) s = CheckAsOfTimeGiven(vm);
  std::vector<std::string> stored;
  if (s.ok()) s = ViewsNeeded(request.view, &stored);
  if (!s.ok()) return FailView("view", s);

  ViewEngine engine;
  uint64_t as_of = 0;
  const bool live = vm["as-of-position"].defaulted() && vm["as-of-time"].as<std::string>().empty();
  // A member's read of the past is gated by the member's standing now, in the live views.
  const bool gated = !live && !request.member.empty();
  // An as-of read folds in memory; only the live views need bringing up to date.
  const ViewProgress progress = request.member.empty() ? ViewProgress::kQuiet : ViewProgress::kNone;
  if (!request.member.empty()) LogErrorsOnly();
  if (!OpenViewEngine(vm, live || gated, progress, &engine)) return kExitFailed;
  std::unique_ptr<ViewSource> now;
  if (gated) {
    // Before the position is checked or anything folded: what a refused member gets back
    // depends on nothing of the log.
    s = OpenLiveViewSource(engine.store.get(), &now);
    if (s.ok()) s = CheckStandingNow(request, now.get());
    if (!s.ok()) return FailView("view", s);
    request.live = now.get();
  }
  s = AsOfPosition(vm, engine.log.get(), &as_of);
  // When the log's first event was recorded is every tenant's business, not a member's.
  if (gated && s.reason() == "view.before_first_event") {
    s = UnknownMember(request.workspace, request.member);
  }
  if (!s.ok()) return FailView("view", s);
  std::unique_ptr<ViewSource> source;
  if (as_of == 0) {
    s = OpenLiveViewSource(engine.store.get(), &source);
  } else {
    AsOfScope scope;
    s = AsOfScopeFor(request, as_of, &scope);
    scope.snapshots = ViewSnapshotsDir(vm);
    if (s.ok()) s = FoldAsOf(engine.log.get(), scope, &source);
    // As of a past moment, "today" is that moment's day.
    if (s.ok() && request.today.empty()) {
      const int64_t moment = AsOfMomentUs(vm, engine.log.get(), as_of);
      if (moment > 0) request.today = IsoDateOf(moment);
    }
  }
  std::string out;
  if (s.ok()) s = ReadView(request, source.get(), &out);
  if (!s.ok()) return FailView("view", s);
  std::cout << out << (request.format == ViewFormat::kJson ? "\n" : "");
  return kExitOk;
}

}  // namespace tandem::cli
