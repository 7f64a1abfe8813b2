// A process that commits to a views database and is then killed with SIGKILL
// (view_store_buffered_commit_test): `view_store_committer PATH SCENARIO`, where SCENARIO is
//   flushed     two buffered commits (positions 1 and 2), then FlushCommits
//   unflushed   a commit (1), then a buffered one (2)
//   unbuffered  a buffered commit (1), then a commit (2)
//   behind      written behind (ViewStoreOptions::write_behind, never on its own here): a
//               commit (1), then a buffered one (2)
// Prints "committed" once done, then waits to be killed.
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "child_process.h"
#include "tandem/projections/view_store.h"

namespace tandem::test {
namespace {

void CommitPosition(ViewStore* store, uint64_t position, bool buffered) {
  auto batch = store->NewBatch();
  batch->Rows("client-feed")->Put("row-" + std::to_string(position), "value");
  batch->SetCheckpoint("client-feed", {position, 1});
  CommitOptions options;
  options.buffered = buffered;
  ChildDieIf(store->Commit(batch.get(), options), "commit");
}

int Run(const std::string& path, const std::string& scenario) {
  std::unique_ptr<ViewStore> store;
  ViewStoreOptions options;
  if (scenario == "behind") options.write_behind = std::chrono::hours(1);
  ChildDieIf(ViewStore::Open(options, path, &store), "open");
  if (scenario == "flushed") {
    CommitPosition(store.get(), 1, true);
    CommitPosition(store.get(), 2, true);
    ChildDieIf(store->FlushCommits(), "flush");
  } else if (scenario == "unflushed" || scenario == "behind") {
    CommitPosition(store.get(), 1, false);
    CommitPosition(store.get(), 2, true);
  } else if (scenario == "unbuffered") {
    CommitPosition(store.get(), 1, true);
    CommitPosition(store.get(), 2, false);
  } else {
    ChildSay("error scenario unknown");
    return 1;
  }
  ChildSay("committed");
  for (;;) pause();
}

}  // namespace
}  // namespace tandem::test

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  return tandem::test::Run(argv[1], argv[2]);
}
