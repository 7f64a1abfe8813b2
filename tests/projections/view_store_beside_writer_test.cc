// A reader's open of the views database (`tandem view` beside `tandem serve`) sees every view
// the writer has, even when the writer drops a view or restarts during the open.
#include <functional>

#include <gtest/gtest.h>
#include <rocksdb/file_system.h>

#include "tandem/projections/view_store.h"
#include "tandem/projections/views.h"
#include "test_util.h"

namespace tandem::test {
namespace {

// Runs `hook` (once) when the open reads its first MANIFEST: the view names are being listed.
class ManifestHook : public rocksdb::FileSystemWrapper {
 public:
  ManifestHook() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "ManifestHook"; }
  rocksdb::IOStatus NewSequentialFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    if (f.find("/MANIFEST-") != std::string::npos && hook) std::exchange(hook, nullptr)();
    return target()->NewSequentialFile(f, o, r, dbg);
  }
  std::function<void()> hook;
};

class ViewStoreBesideWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &writer_).ok());
    for (const std::string view : {"client-timeline", "action-items"}) {
      std::vector<std::unique_ptr<Projection>> projection;
      ASSERT_TRUE(MakeProjections({view}, &projection).ok());
      auto batch = writer_->NewBatch();
      batch->Rows(view)->Put("row", "value");
      batch->SetCheckpoint(view, {7, projection.front()->version()});
      ASSERT_TRUE(writer_->Commit(batch.get()).ok());
    }
  }
  Status OpenReader(std::function<void()> during_listing) {
    auto fs = std::make_shared<ManifestHook>();
    fs->hook = std::move(during_listing);
    ViewStoreOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    options.file_system = fs;
    return ViewStore::Open(options, dir_.Sub("views"), &reader_);
  }
  uint64_t ReaderCheckpoint(const std::string& view) {
    ViewCheckpoint checkpoint;
    EXPECT_TRUE(reader_->GetCheckpoint(view, &checkpoint).ok());
    return checkpoint.position;
  }

  ScratchDir dir_;
  std::unique_ptr<ViewStore> writer_, reader_;
};

TEST_F(ViewStoreBesideWriterTest, AViewDroppedDuringTheOpenReadsAsDropped) {
  Status s = OpenReader([&] { ASSERT_TRUE(writer_->Drop("action-items").ok()); });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReaderCheckpoint("client-timeline"), 7u);
  EXPECT_EQ(ReaderCheckpoint("action-items"), 0u);
}

TEST_F(ViewStoreBesideWriterTest, AWriterRestartedDuringTheOpenHidesNoView) {
  Status s = OpenReader([&] {
    writer_.reset();
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir_.Sub("views"), &writer_).ok());
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReaderCheckpoint("client-timeline"), 7u);
  EXPECT_EQ(ReaderCheckpoint("action-items"), 7u);
}

TEST_F(ViewStoreBesideWriterTest, NoDatabaseAtAllIsNotFound) {
  ViewStoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  std::unique_ptr<ViewStore> reader;
  EXPECT_TRUE(ViewStore::Open(options, dir_.Sub("none"), &reader).IsNotFound());
}

}  // namespace
}  // namespace tandem::test
