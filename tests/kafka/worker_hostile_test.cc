// Bytes the worker's fold must not trust: records a hostile producer could put on the events
// topic, folded by every stored projection (events that pass the verifier but carry nothing
// else: every payload type with none of its fields; the log never holds such events, the topic
// may), and a damaged source offset on disk.
#include <functional>
#include <map>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "tandem/events/recorded_event.h"
#include "tandem/projections/view_store.h"
#include "tandem/projections/views.h"
#include "test_util.h"
#include "worker_fold.h"

namespace tandem::kafka {
namespace {

// A verifiable event of payload type `type` whose payload table has no field at all.
std::string EmptyPayloadEvent(schema::Payload type, uint64_t position) {
  flatbuffers::FlatBufferBuilder fbb;
  auto event_id = fbb.CreateString("hostile-" + std::to_string(position));
  auto tenant = fbb.CreateString("acme");
  auto stream = fbb.CreateString("project:p");
  const auto start = fbb.StartTable();
  const flatbuffers::Offset<void> payload(fbb.EndTable(start));
  schema::EventBuilder b(fbb);
  b.add_event_id(event_id);
  b.add_tenant(tenant);
  b.add_stream_id(stream);
  b.add_global_position(position);
  b.add_stream_version(position);
  b.add_payload_type(type);
  b.add_payload(payload);
  fbb.Finish(b.Finish(), schema::EventIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

TEST(WorkerHostileRecordTest, EventsWithEmptyPayloadsOfEveryTypeNeitherCrashNorStopTheFold) {
  test::ScratchDir dir;
  std::unique_ptr<ViewStore> store;
  ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir.Sub("views"), &store).ok());
  for (const std::string& view : StoredViewNames()) {
    SCOPED_TRACE(view);
    std::vector<std::unique_ptr<Projection>> projections;
    ASSERT_TRUE(MakeProjections({view}, &projections).ok());
    WorkerFold fold(std::move(projections.front()), store.get(), "tandem.events");
    ASSERT_TRUE(fold.Load().ok());
    uint64_t position = 0;
    for (const schema::Payload type : schema::EnumValuesPayload()) {
      if (type == schema::Payload::NONE) continue;
      position++;
      const std::string value = EmptyPayloadEvent(type, position);
      const std::string header = std::to_string(position);
      WorkerRecord record;
      record.offset = static_cast<int64_t>(position) - 1;
      record.value = value;
      record.position_header = header;
      RecordOutcome outcome;
      Status s = fold.Offer(record, &outcome);
      EXPECT_TRUE(s.ok()) << schema::EnumNamePayload(type) << ": " << s.ToString();
      EXPECT_EQ(outcome, RecordOutcome::kFolded) << schema::EnumNamePayload(type);
      if (!s.ok()) fold.Forget();
    }
    Status s = fold.Commit();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

// Overwrites the value of every key starting with `prefix` in column family `view` of the
// RocksDB at `path`, as a damaged disk would.
void DamageKeys(const std::string& path, const std::string& view, const std::string& prefix,
                const std::function<std::string(const std::string&)>& damage) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &raw).ok());
  std::map<std::string, std::string> keys;
  rocksdb::ColumnFamilyHandle* family = nullptr;
  for (auto* h : handles) {
    if (h->GetName() == view) family = h;
  }
  ASSERT_NE(family, nullptr);
  {
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), family));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      keys[it->key().ToString()] = it->value().ToString();
    }
  }
  for (const auto& [key, value] : keys)
    EXPECT_TRUE(raw->Put(rocksdb::WriteOptions(), family, key, damage(value)).ok());
  EXPECT_FALSE(keys.empty());
  for (auto* h : handles) EXPECT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
  EXPECT_TRUE(raw->Close().ok());
  delete raw;
}

TEST(WorkerDamagedOffsetTest, ADamagedSourceOffsetIsCorruptionWithAReasonAndTheViewIsFoldedAgain) {
  const std::string view = "internal-timeline";
  const std::vector<std::function<std::string(const std::string&)>> damages = {
      [](const std::string&) { return std::string("garbage"); },
      [](const std::string&) { return std::string(24, '\x07'); },
      // An unfinished partition's offset cut back to the older 24-byte form.
      [](const std::string& stored) { return stored.substr(0, 24); },
  };
  for (const auto& damage : damages) {
    test::ScratchDir dir;
    std::unique_ptr<ViewStore> store;
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir.Sub("views"), &store).ok());
    std::vector<std::unique_ptr<Projection>> projections;
    ASSERT_TRUE(MakeProjections({view}, &projections).ok());
    auto batch = store->NewBatch();
    batch->Rows(view)->Put("row", "value");
    batch->SetCheckpoint(view, {10, projections.front()->version()});
    SourceOffset unfinished{"tandem.events", 2, 50, 10};
    unfinished.unfinished = true;
    batch->SetSourceOffset(view, unfinished);
    ASSERT_TRUE(store->Commit(batch.get()).ok());
    batch.reset();  // it holds the view's column family
    store.reset();
    DamageKeys(dir.Sub("views"), view, std::string("\x00\x02offset", 8), damage);

    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), dir.Sub("views"), &store).ok());
    std::vector<SourceOffset> offsets;
    Status s = store->GetSourceOffsets(view, &offsets);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(s.reason(), "view.bad_source_offset");
    WorkerFold fold(std::move(projections.front()), store.get(), "tandem.events");
    ASSERT_TRUE(fold.Load().ok());
    EXPECT_EQ(fold.NextOffset(2), -1);
    ASSERT_TRUE(store->GetSourceOffsets(view, &offsets).ok());
    EXPECT_TRUE(offsets.empty());
  }
}

}  // namespace
}  // namespace tandem::kafka
