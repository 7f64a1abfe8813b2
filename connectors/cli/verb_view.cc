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

// The position an as-of read folds to: --as-of-position, or the last one recorded at or before
// --as-of-time. 0 means live.
Status AsOfPosition(const po::variables_map& vm, EventLog* log, uint64_t* position) {
  *position = vm["as-of-position"].as<uint64_t>();
  const std::string time = vm["as-of-time"].as<std::string>();
  if (time.empty()) {
    if (vm["as-of-position"].defaulted()) return Status::OK();
    if (*position == 0 || *position > log->LastPosition()) {
      return Status::InvalidArgument("view.position_out_of_range",
                                     "--as-of-position " + std::to_string(*position) +
                                         " is not in the log (1.." +
                                         std::to_string(log->LastPosition()) + ")");
    }
    return Status::OK();
  }
  if (!vm["as-of-position"].defaulted()) {
    return Status::InvalidArgument("view.conflicting_options",
                                   "give --as-of-position or --as-of-time, not both");
  }
  int64_t micros = 0;
  if (!ParseIsoInstant(time, &micros)) {
    return Status::InvalidArgument(
        "view.malformed_time",
        "--as-of-time must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.ffffff]Z, got '" + time + "'");
  }
  Status s = log->PositionAtTime(micros, position);
  if (s.ok() && *position == 0) {
    return Status::NotFound("view.before_first_event", "nothing had been recorded by " + time);
  }
  return s;
}

}  // namespace

int RunView(const std::vector<std::string>& args) {
  po::options_description desc("view options");
  AddCommonOptions(&desc);
  desc.add_options()("name", po::value<std::string>()->required(),
                     "the view: client-timeline, internal-timeline, ...")(
      "workspace", po::value<std::string>()->required(), "workspace (tenant)")(
      "project", po::value<std::string>()->default_value(""), "project")(
      "board", po::value<std::string>()->default_value(""), "board")(
      "thread", po::value<std::string>()->default_value(""), "comment thread")(
      "member", po::value<std::string>()->default_value(""),
      "read as this member: only what they may see")(
      "client", po::value<std::string>()->default_value(""), "read as this client sees it")(
      "limit", po::value<uint64_t>()->default_value(50), "most entries of a paginated view")(
      "offset", po::value<uint64_t>()->default_value(0), "entries of a paginated view to skip")(
      "as-of-position", po::value<uint64_t>()->default_value(0),
      "the view as it was when this global position was the last")(
      "as-of-time", po::value<std::string>()->default_value(""),
      "the view as it was at this moment (YYYY-MM-DD for the end of a day, or "
      "YYYY-MM-DDTHH:MM:SSZ)")("format", po::value<std::string>()->default_value("json"),
                               "json or csv");
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
  Status s = ParseFormat(vm["format"].as<std::string>(), &request.format);
  std::vector<std::string> stored;
  if (s.ok()) s = ViewsNeeded(request.view, &stored);
  if (!s.ok()) return FailView("view", s);

  ViewEngine engine;
  uint64_t as_of = 0;
  // An as-of read folds in memory; only a live read needs the views brought up to date.
  const bool live = vm["as-of-position"].defaulted() && vm["as-of-time"].as<std::string>().empty();
  if (!OpenViewEngine(vm, live, ViewProgress::kQuiet, &engine)) return kExitFailed;
  s = AsOfPosition(vm, engine.log.get(), &as_of);
  if (!s.ok()) return FailView("view", s);
  std::unique_ptr<ViewSource> source;
  if (as_of == 0) {
    s = OpenLiveViewSource(engine.store.get(), &source);
  } else {
    AsOfScope scope;
    scope.tenant = request.workspace;
    scope.project = request.project;
    scope.position = as_of;
    scope.views = stored;
    s = FoldAsOf(engine.log.get(), scope, &source);
  }
  std::string out;
  if (s.ok()) s = ReadView(request, source.get(), &out);
  if (!s.ok()) return FailView("view", s);
  std::cout << out << (request.format == ViewFormat::kJson ? "\n" : "");
  return kExitOk;
}

}  // namespace tandem::cli
