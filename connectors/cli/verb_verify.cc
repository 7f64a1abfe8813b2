#include <filesystem>
#include <iostream>

#include "cli_options.h"
#include "tandem/log/log_verifier.h"
#include "tandem/projections/view_store.h"
#include "verbs.h"
#include "view_engine.h"

namespace tandem::cli {

int RunVerify(const std::vector<std::string>& args) {
  po::options_description desc("verify options");
  AddCommonOptions(&desc);
  po::variables_map vm;
  int rc = ParseVerbOptions("verify",
                            "Checks the data folder: positions gap-free, every record verifies, "
                            "indexes agree with the log, the views' tables are whole.",
                            desc, args, &vm);
  if (rc >= 0) return rc;
  VerifyOptions options;
  options.progress = [](const std::string& pass, uint64_t done, uint64_t total) {
    std::cerr << "verify: " << pass << " " << done << "/" << total << "\n";
  };
  VerifyReport report;
  Status s = VerifyEventLogFolder(DataDir(vm), options, &report);
  if (!s.ok()) {
    std::cout << "FAILED " << Printable(s.ToString()) << "\n";
    return kExitFailed;
  }
  // The views are derived from the log, but a damaged table would be read as rows missing.
  const std::string views = ViewsDir(vm);
  const bool has_views = std::filesystem::exists(views + "/CURRENT");
  if (has_views) {
    ViewStoreOptions view_options;
    view_options.read_only = true;
    view_options.create_if_missing = false;
    std::unique_ptr<ViewStore> store;
    s = ViewStore::Open(view_options, views, &store);
    if (s.ok()) s = store->VerifyChecksums();
    if (!s.ok()) {
      std::cout << "FAILED views: " << Printable(s.ToString());
      // Only damage: a database busy beside a writer is no reason to delete a live one.
      if (s.IsCorruption()) {
        std::cout << " (the views are derived from the log: stop the engine, delete " << views
                  << " and they are folded again)";
      }
      std::cout << "\n";
      return kExitFailed;
    }
  }
  std::cout << "OK events=" << report.events << " streams=" << report.streams
            << " tenants=" << report.tenants << " idempotency_keys=" << report.idempotency_keys
            << " views=" << (has_views ? "checked" : "none");
  if (report.awaiting_recovery > 0) {
    std::cout << " awaiting_recovery=" << report.awaiting_recovery
              << " (acknowledged events only the journal holds: readers wait until a read-write "
                 "open, such as starting tandem serve, replays them)";
  }
  std::cout << "\n";
  return kExitOk;
}

}  // namespace tandem::cli
