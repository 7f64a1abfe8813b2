#include <iostream>

#include "cli_options.h"
#include "tandem/log/log_verifier.h"
#include "verbs.h"

namespace tandem::cli {

int RunVerify(const std::vector<std::string>& args) {
  po::options_description desc("verify options");
  AddCommonOptions(&desc);
  po::variables_map vm;
  int rc = ParseVerbOptions("verify",
                            "Checks the data folder: positions gap-free, every record verifies, "
                            "indexes agree with the log.",
                            desc, args, &vm);
  if (rc >= 0) return rc;
  VerifyOptions options;
  options.progress = [](const std::string& pass, uint64_t done, uint64_t total) {
    std::cerr << "verify: " << pass << " " << done << "/" << total << "\n";
  };
  VerifyReport report;
  Status s = VerifyEventLogFolder(DataDir(vm), options, &report);
  if (!s.ok()) {
    std::cout << "FAILED " << s.ToString() << "\n";
    return kExitFailed;
  }
  std::cout << "OK events=" << report.events << " streams=" << report.streams
            << " tenants=" << report.tenants << " idempotency_keys=" << report.idempotency_keys
            << "\n";
  return kExitOk;
}

}  // namespace tandem::cli
