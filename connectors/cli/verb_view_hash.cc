// `tandem view-hash VIEW|--all [--as-of-position N]`: a SHA-256 of each view's content, equal
// for the live view, a rebuild, an as-of fold to the same position, and a Kafka-fed worker's
// view that consumed the same events (its data folder has no log: the view is hashed as stored).
#include <iostream>

#include "verbs.h"
#include "view_engine.h"

namespace tandem::cli {

int RunViewHash(const std::vector<std::string>& args) {
  po::options_description desc("view-hash options");
  AddCommonOptions(&desc);
  desc.add_options()(
      "view", po::value<std::vector<std::string>>(),
      "view to hash (repeatable): a stored view, or a view's name (board: both boards)")(
      "all", "hash every stored view")(
      "as-of-position", po::value<uint64_t>()->default_value(0),
      "fold the views in memory up to this position and hash that");
  po::positional_options_description positional;
  positional.add("view", -1);
  po::variables_map vm;
  int rc = ParseVerbOptions("view-hash",
                            "Prints a SHA-256 of each view's content. With a log in --data, the "
                            "views are first brought up to date; a data folder without a log (a "
                            "Kafka-fed `tandem worker`'s) has its views hashed as stored, and "
                            "--all then hashes the views it holds.",
                            desc, args, &vm, &positional);
  if (rc >= 0) return rc;
  std::vector<std::string> views;
  if (vm.count("view")) views = vm["view"].as<std::vector<std::string>>();
  if (views.empty() == !vm.count("all")) {
    std::cerr << "tandem view-hash: name the views to hash, or --all\n";
    return kExitUsage;
  }
  Status s = views.empty() ? Status::OK() : StoredViewsNamed(views, &views);
  if (!s.ok()) return FailView("view-hash", s);
  if (views.empty()) views = StoredViewNames();

  const uint64_t as_of = vm["as-of-position"].as<uint64_t>();
  const bool has_log = HasLog(vm);
  if (!has_log && as_of != 0) {
    return FailView("view-hash",
                    Status::InvalidArgument("view.no_log", "--as-of-position needs a log in " +
                                                               DataDir(vm) + ", which has none"));
  }
  const bool every = vm.count("all") > 0;
  ViewEngine engine;
  if (has_log ? !OpenViewEngine(vm, as_of == 0, ViewProgress::kQuiet, &engine)
              : !OpenStoredViews(vm, &engine)) {
    return kExitFailed;
  }
  std::unique_ptr<ViewSource> source;
  if (as_of == 0) {
    // A scan over a damaged table may end early without an error (view_store.h): a hash of
    // what it returned would be a wrong answer given as right.
    s = engine.store->VerifyChecksums();
    if (s.ok()) s = OpenLiveViewSource(engine.store.get(), &source);
  } else {
    AsOfScope scope;
    scope.position = as_of;
    scope.views = views;
    // From the log's beginning, never from a snapshot: the hash checks the views against the
    // log, and a snapshot is a copy of the views.
    s = FoldAsOf(engine.log.get(), scope, &source);
  }
  if (!s.ok()) return FailView("view-hash", s);
  for (const std::string& view : views) {
    std::string hex;
    s = HashView(source.get(), view, &hex);
    // Without a log nothing is folded here: --all hashes the views the folder holds.
    if (!has_log && every && s.IsNotFound()) continue;
    if (!s.ok()) return FailView("view-hash", s);
    std::cout << "view=" << view << " position=" << source->Position() << " sha256=" << hex << "\n";
  }
  return kExitOk;
}

}  // namespace tandem::cli
