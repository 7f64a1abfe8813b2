// `tandem rebuild VIEW|--all`: drop views and fold them again from the log, with progress.
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "tandem/basics/logger.h"

#include "verbs.h"
#include "view_engine.h"

namespace tandem::cli {

int RunRebuild(const std::vector<std::string>& args) {
  po::options_description desc("rebuild options");
  AddCommonOptions(&desc);
  desc.add_options()(
      "view", po::value<std::vector<std::string>>(),
      "view to rebuild (repeatable): a stored view, or a view's name (board: both boards)")(
      "all", "rebuild every view");
  AddSnapshotOptions(&desc);
  po::positional_options_description positional;
  positional.add("view", -1);
  po::variables_map vm;
  int rc = ParseVerbOptions("rebuild", "Drops views and folds them again from the log.", desc, args,
                            &vm, &positional);
  if (rc >= 0) return rc;
  std::vector<std::string> views;
  if (vm.count("view")) views = vm["view"].as<std::vector<std::string>>();
  if (views.empty() == !vm.count("all")) {
    std::cerr << "tandem rebuild: name the views to rebuild, or --all (stored views:";
    for (const std::string& n : StoredViewNames()) std::cerr << " " << n;
    std::cerr << "; or a view's name:";
    for (const std::string& n : ReadableViewNames()) std::cerr << " " << n;
    std::cerr << ")\n";
    return kExitUsage;
  }
  if (!CheckSnapshotOptions(vm, "rebuild")) return kExitUsage;
  Status s = views.empty() ? Status::OK() : StoredViewsNamed(views, &views);
  if (!s.ok()) return FailView("rebuild", s);

  // Progress is what a rebuild's user asked for: off a terminal it goes out as info log lines.
  if (std::getenv("TANDEM_LOG_LEVEL") == nullptr) SetLogLevel(LogLevel::kInfo);
  ViewEngine engine;
  if (!OpenViewEngine(vm, false, ViewProgress::kAlways, &engine)) return kExitFailed;
  if (engine.runner == nullptr) {
    return FailView("rebuild",
                    Status::InvalidArgument("views.busy",
                                            "another process holds the views; stop it "
                                            "first (a running engine keeps them current)"));
  }
  // The copies of the views the rebuild replaces go with them (a copy of views folded from a
  // log since restored, and appended to past their checkpoint, would otherwise outlive the
  // views it copied); new ones are taken where the rebuild's rounds end, and bound the reads of
  // the past of the history rebuilt.
  s = RemoveViewSnapshots(ViewSnapshotsDir(vm));
  if (!s.ok()) {
    std::cerr << "tandem rebuild: the copies of the views in " << ViewSnapshotsDir(vm)
              << " could not be removed, and reads of the past would go on starting from them; "
                 "remove them by hand\n";
    return FailView("rebuild", s);
  }
  StartViewSnapshots(vm, "rebuild", engine.log.get(), engine.store.get(), nullptr,
                     &engine.snapshotter);
  s = engine.runner->Rebuild(views);
  engine.snapshotter.reset();
  if (!s.ok()) return FailView("rebuild", s);
  std::cout << "rebuilt "
            << (views.empty() ? "every view" : std::to_string(views.size()) + " view(s)")
            << " to position " << engine.runner->Position() << "\n";
  // A rebuild writes every row at once: compacting now, rather than behind the live folds and
  // reads of the next start, is part of the work asked for. The views are already rebuilt and
  // served if it fails; the failure (a full or failing disk) is still this command's.
  LogInfo("projections", "compacting the rebuilt views");
  const auto compact_start = std::chrono::steady_clock::now();
  s = engine.store->Compact(views);
  if (!s.ok()) {
    std::cerr << "tandem rebuild: the views are rebuilt, but compacting them failed\n";
    return FailView("rebuild", s);
  }
  LogInfo("projections", "views compacted seconds=" +
                             std::to_string(std::chrono::duration<double>(
                                                std::chrono::steady_clock::now() - compact_start)
                                                .count()));
  return kExitOk;
}

}  // namespace tandem::cli
