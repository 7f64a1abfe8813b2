// Events written before a field existed must read back with that field's default. An older
// writer's table simply ends before the newer fields, which is what these tests build.
#include <gtest/gtest.h>

#include "tandem/codec/event_json.h"
#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

// An Event whose FileUploaded payload was written by a schema that ended at `name` and whose
// envelope predates correlation, causation and schema_version.
std::string OldWriterFileUploaded() {
  flatbuffers::FlatBufferBuilder fbb;
  auto project = fbb.CreateString("p1");
  auto file = fbb.CreateString("f1");
  auto name = fbb.CreateString("contract.pdf");
  auto payload_start = fbb.StartTable();
  fbb.AddOffset(schema::FileUploaded::VT_PROJECT_ID, project);
  fbb.AddOffset(schema::FileUploaded::VT_FILE_ID, file);
  fbb.AddOffset(schema::FileUploaded::VT_NAME, name);
  auto payload = flatbuffers::Offset<void>(fbb.EndTable(payload_start));

  auto tenant = fbb.CreateString("acme");
  auto stream = fbb.CreateString("s");
  auto start = fbb.StartTable();
  fbb.AddOffset(schema::Event::VT_TENANT, tenant);
  fbb.AddOffset(schema::Event::VT_STREAM_ID, stream);
  fbb.AddElement<uint64_t>(schema::Event::VT_STREAM_VERSION, 1, 0);
  fbb.AddElement<uint64_t>(schema::Event::VT_GLOBAL_POSITION, 1, 0);
  fbb.AddElement<uint8_t>(schema::Event::VT_PAYLOAD_TYPE,
                          static_cast<uint8_t>(schema::Payload::FileUploaded), 0);
  fbb.AddOffset(schema::Event::VT_PAYLOAD, payload);
  fbb.Finish(flatbuffers::Offset<schema::Event>(fbb.EndTable(start)), schema::EventIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

TEST(SchemaEvolutionTest, OldWriterEventVerifiesAndReadsDefaults) {
  const std::string bytes = OldWriterFileUploaded();
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ASSERT_TRUE(schema::VerifyEventBuffer(verifier));
  RecordedEvent e(bytes);
  EXPECT_EQ(e.event().schema_version(), 1);
  EXPECT_EQ(e.event().audience(), schema::Audience::Internal);
  EXPECT_EQ(e.event().correlation_id(), nullptr);
  const auto* f = e.event().payload_as_FileUploaded();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name()->str(), "contract.pdf");
  EXPECT_EQ(f->version(), 1u);  // the default of a field the writer did not know
  EXPECT_EQ(f->size(), 0u);
  EXPECT_EQ(f->anchor(), nullptr);
  EXPECT_EQ(f->request_id(), nullptr);
}

TEST(SchemaEvolutionTest, OldWriterEventRendersAsJsonWithDefaults) {
  std::unique_ptr<EventJsonCodec> codec;
  ASSERT_TRUE(EventJsonCodec::Create(&codec).ok());
  std::string json;
  ASSERT_TRUE(codec->EventBytesToJson(OldWriterFileUploaded(), &json).ok());
  EXPECT_NE(json.find("\"version\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"schema_version\": 1"), std::string::npos) << json;
}

TEST(SchemaEvolutionTest, EventAppendedWithoutOptionalFieldsReadsDefaults) {
  test::ScratchDir dir;
  auto log = test::OpenLogOrDie(dir.path());
  schema::FileUploadedT f;
  f.project_id = "p1";
  f.file_id = "f1";
  f.name = "brief.docx";
  NewEvent e;
  e.payload.Set(std::move(f));
  AppendResult r;
  ASSERT_TRUE(log->Append({"acme", "s"}, ExpectedVersion::Any(), {e}, "", &r).ok());
  RecordedEvent got;
  ASSERT_TRUE(log->Get(r.first_position, &got).ok());
  const auto* up = got.event().payload_as_FileUploaded();
  EXPECT_EQ(up->version(), 1u);
  EXPECT_EQ(up->anchor(), nullptr);
  EXPECT_EQ(got.event().schema_version(), 1);
}

}  // namespace
}  // namespace tandem
