// `tandem view-hash VIEW|--all [--as-of-position N]`: a SHA-256 of each view's content, equal
// for the live view, a rebuild and an as-of fold to the same position.
#include <iostream>

#include "verbs.h"
#include "view_engine.h"

namespace tandem::cli {

int RunViewHash(const std::vector<std::string>& args) {
  po::options_description desc("view-hash options");
  AddCommonOptions(&desc);
  desc.add_options()("view", po::value<std::vector<std::string>>(),
                     "stored view to hash (repeatable)")("all", "hash every stored view")(
      "as-of-position", po::value<uint64_t>()->default_value(0),
      "fold the views in memory up to this position and hash that");
  po::positional_options_description positional;
  positional.add("view", -1);
  po::variables_map vm;
  int rc = ParseVerbOptions("view-hash", "Prints a SHA-256 of each view's content.", desc, args,
                            &vm, &positional);
  if (rc >= 0) return rc;
  std::vector<std::string> views;
  if (vm.count("view")) views = vm["view"].as<std::vector<std::string>>();
  if (views.empty() == !vm.count("all")) {
    std::cerr << "tandem view-hash: name the views to hash, or --all\n";
    return kExitUsage;
  }
  std::vector<std::unique_ptr<Projection>> check;
  Status s = MakeProjections(views, &check);
  if (!s.ok()) return FailView("view-hash", s);
  if (views.empty()) views = StoredViewNames();

  const uint64_t as_of = vm["as-of-position"].as<uint64_t>();
  ViewEngine engine;
  if (!OpenViewEngine(vm, as_of == 0, ViewProgress::kQuiet, &engine)) return kExitFailed;
  std::unique_ptr<ViewSource> source;
  if (as_of == 0) {
    s = OpenLiveViewSource(engine.store.get(), &source);
  } else {
    AsOfScope scope;
    scope.position = as_of;
    scope.views = views;
    s = FoldAsOf(engine.log.get(), scope, &source);
  }
  if (!s.ok()) return FailView("view-hash", s);
  for (const std::string& view : views) {
    std::string hex;
    s = HashView(source.get(), view, &hex);
    if (!s.ok()) return FailView("view-hash", s);
    std::cout << "view=" << view << " position=" << source->Position() << " sha256=" << hex << "\n";
  }
  return kExitOk;
}

}  // namespace tandem::cli
