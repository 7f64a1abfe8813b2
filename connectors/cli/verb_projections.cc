// `tandem projections`: each stored view's version, checkpoint, lag and whether queries are
// served it, as they are (nothing is folded first: the lag is the point), and the positions of
// the views' snapshots.
#include <iomanip>
#include <iostream>

#include "verbs.h"
#include "view_engine.h"

namespace tandem::cli {

int RunProjections(const std::vector<std::string>& args) {
  po::options_description desc("projections options");
  AddCommonOptions(&desc);
  desc.add_options()("format", po::value<std::string>()->default_value("text"), "text or json");
  po::variables_map vm;
  int rc = ParseVerbOptions(
      "projections",
      "Shows each view's version, checkpoint, lag and whether queries are served it "
      "(not while it is folded again from the start).",
      desc, args, &vm);
  if (rc >= 0) return rc;
  const bool json = vm["format"].as<std::string>() == "json";
  ViewEngine engine;
  if (!OpenViewEngine(vm, false, ViewProgress::kQuiet, &engine)) return kExitFailed;
  std::vector<std::unique_ptr<Projection>> projections;
  Status s = MakeProjections({}, &projections);
  if (!s.ok()) return FailView("projections", s);
  const uint64_t head = engine.log->LastPosition();
  if (!json) {
    std::cout << std::left << std::setw(22) << "VIEW" << std::setw(9) << "VERSION" << std::setw(9)
              << "STORED" << std::setw(13) << "CHECKPOINT" << std::setw(11) << "LAG"
              << std::setw(14) << "SERVED"
              << "BYTES\n";
  }
  for (const auto& p : projections) {
    const std::string name(p->name());
    ViewCheckpoint c;
    s = engine.store->GetCheckpoint(name, &c);
    if (!s.ok()) return FailView("projections", s);
    const uint64_t lag = head > c.position ? head - c.position : 0;
    const uint64_t bytes = engine.store->ApproximateSize(name);
    if (json) {
      std::cout << "{\"view\":\"" << name << "\",\"version\":" << p->version()
                << ",\"stored_version\":" << c.version << ",\"checkpoint\":" << c.position
                << ",\"lag\":" << lag << ",\"served\":\""
                << ViewServingName(ServingOf(c, p->version())) << "\",\"bytes\":" << bytes << "}\n";
    } else {
      std::cout << std::left << std::setw(22) << name << std::setw(9) << p->version()
                << std::setw(9) << c.version << std::setw(13) << c.position << std::setw(11) << lag
                << std::setw(14) << ViewServingName(ServingOf(c, p->version())) << bytes << "\n";
    }
  }
  // The copies reads of the past start from (text only: the JSON lines are one per view).
  std::vector<ViewSnapshotManifest> snapshots;
  if (!json && ListViewSnapshots(ViewSnapshotsDir(vm), &snapshots).ok() && !snapshots.empty()) {
    std::cout << "snapshots in " << ViewSnapshotsDir(vm) << ", at positions";
    for (const ViewSnapshotManifest& m : snapshots) std::cout << " " << m.position;
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace tandem::cli
