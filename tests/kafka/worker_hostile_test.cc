// Records a hostile producer could put on the events topic, folded by every stored projection
// through the worker's fold: events that pass the verifier but carry nothing else (every
// payload type with none of its fields). The log never holds such events; the topic may.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tandem::kafka
