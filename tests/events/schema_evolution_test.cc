// Events written before a field existed must read back with that field's default. An older
// writer's table simply ends before the newer fields, which is what these tests build.
#include <gtest/gtest.h>

#include "tandem/codec/event_json.h"
#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

// An Event carrying `payload` (built by the caller in `fbb`) whose envelope predates correlation,
// causation and schema_version.
std::string OldWriterEvent(flatbuffers::FlatBufferBuilder& fbb, schema::Payload type,
                           flatbuffers::Offset<void> payload) {
  auto tenant = fbb.CreateString("acme");
  auto stream = fbb.CreateString("s");
  auto start = fbb.StartTable();
  fbb.AddOffset(schema::Event::VT_TENANT, tenant);
  fbb.AddOffset(schema::Event::VT_STREAM_ID, stream);
  fbb.AddElement<uint64_t>(schema::Event::VT_STREAM_VERSION, 1, 0);
  fbb.AddElement<uint64_t>(schema::Event::VT_GLOBAL_POSITION, 1, 0);
  fbb.AddElement<uint8_t>(schema::Event::VT_PAYLOAD_TYPE, static_cast<uint8_t>(type), 0);
  fbb.AddOffset(schema::Event::VT_PAYLOAD, payload);
  fbb.Finish(flatbuffers::Offset<schema::Event>(fbb.EndTable(start)), schema::EventIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

// A FileUploaded payload written by a schema that ended at `name`.
std::string OldWriterFileUploaded() {
  flatbuffers::FlatBufferBuilder fbb;
  auto project = fbb.CreateString("p1");
  auto file = fbb.CreateString("f1");
  auto name = fbb.CreateString("contract.pdf");
  auto start = fbb.StartTable();
  fbb.AddOffset(schema::FileUploaded::VT_PROJECT_ID, project);
  fbb.AddOffset(schema::FileUploaded::VT_FILE_ID, file);
  fbb.AddOffset(schema::FileUploaded::VT_NAME, name);
  return OldWriterEvent(fbb, schema::Payload::FileUploaded,
                        flatbuffers::Offset<void>(fbb.EndTable(start)));
}

// A DocumentRequested payload written by a schema that ended at `requested_from`, before
// requests had a due date.
std::string OldWriterDocumentRequested() {
  flatbuffers::FlatBufferBuilder fbb;
  auto project = fbb.CreateString("p1");
  auto milestone = fbb.CreateString("m1");
  auto request = fbb.CreateString("r1");
  auto title = fbb.CreateString("Brand guide");
  auto from = fbb.CreateString("acme-member");
  auto start = fbb.StartTable();
  fbb.AddOffset(schema::DocumentRequested::VT_PROJECT_ID, project);
  fbb.AddOffset(schema::DocumentRequested::VT_MILESTONE_ID, milestone);
  fbb.AddOffset(schema::DocumentRequested::VT_REQUEST_ID, request);
  fbb.AddOffset(schema::DocumentRequested::VT_TITLE, title);
  fbb.AddOffset(schema::DocumentRequested::VT_REQUESTED_FROM, from);
  return OldWriterEvent(fbb, schema::Payload::DocumentRequested,
                        flatbuffers::Offset<void>(fbb.EndTable(start)));
}

// An ApprovalRequested payload written by a schema that ended at `requested_from`, before
// approvals had a due date.
std::string OldWriterApprovalRequested() {
  flatbuffers::FlatBufferBuilder fbb;
  auto project = fbb.CreateString("p1");
  auto approval = fbb.CreateString("ap1");
  auto title = fbb.CreateString("Approve the plan");
  auto from = fbb.CreateString("acme-member");
  auto start = fbb.StartTable();
  fbb.AddOffset(schema::ApprovalRequested::VT_PROJECT_ID, project);
  fbb.AddOffset(schema::ApprovalRequested::VT_APPROVAL_ID, approval);
  fbb.AddOffset(schema::ApprovalRequested::VT_TITLE, title);
  fbb.AddOffset(schema::ApprovalRequested::VT_REQUESTED_FROM, from);
  return OldWriterEvent(fbb, schema::Payload::ApprovalRequested,
                        flatbuffers::Offset<void>(fbb.EndTable(start)));
}

// The payload of `bytes`, after the verification every stored event passes.
template <typename T>
const T* VerifiedPayload(const std::string& bytes) {
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!schema::VerifyEventBuffer(verifier)) return nullptr;
  return flatbuffers::GetRoot<schema::Event>(bytes.data())->payload_as<T>();
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

TEST(SchemaEvolutionTest, DocumentRequestFromBeforeDueDatesReadsWithNoDueDate) {
  const std::string bytes = OldWriterDocumentRequested();
  const auto* r = VerifiedPayload<schema::DocumentRequested>(bytes);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->requested_from()->str(), "acme-member");
  EXPECT_EQ(r->due_date(), nullptr);
}

TEST(SchemaEvolutionTest, ApprovalRequestFromBeforeDueDatesReadsWithNoDueDate) {
  const std::string bytes = OldWriterApprovalRequested();
  const auto* a = VerifiedPayload<schema::ApprovalRequested>(bytes);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->requested_from()->str(), "acme-member");
  EXPECT_EQ(a->due_date(), nullptr);
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
