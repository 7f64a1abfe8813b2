// The files view: each project's files with every version, and what each asker may see.
#include <gtest/gtest.h>

#include "view_json.h"
#include "view_world.h"

namespace tandem::test {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

const std::string kMarker = "INTERNAL-MARKER";

class FilesViewTest : public StandardViewTest {
 protected:
  uint64_t Upload(const std::string& actor, object fields) {
    fields["project_id"] = "p-acme";
    return world_->MustRun(Cmd("file.upload", "northwind", actor, std::move(fields)));
  }

  // On acme's project, beside the standard client file brief.pdf: the client answers the
  // request "req" with guide.pdf and uploads it again; the firm keeps an internal plan and an
  // internal file that is also named brief.pdf (a file of its own).
  void TellStory() {
    Upload("acme-member", {{"name", "guide.pdf"},
                           {"file_id", "guide"},
                           {"request_id", "req"},
                           {"content_type", "application/pdf"},
                           {"content_base64", "aGVsbG8="}});
    Upload("acme-member", {{"name", "guide.pdf"},
                           {"request_id", "req"},
                           {"content_type", "application/pdf"},
                           {"expected_version", 1},
                           {"content_base64", "aGVsbG8gYWdhaW4="}});
    Upload("pm", {{"name", kMarker + " plan.pdf"},
                  {"file_id", "plan"},
                  {"anchor", object{{"kind", "milestone"}, {"id", "m-started"}}},
                  {"content_base64", "cGxhbg=="}});
    Upload("pm", {{"name", "brief.pdf"},
                  {"file_id", "brief-internal"},
                  {"audience", "internal"},
                  {"content_base64", "c2VjcmV0"}});
  }

  // A version as readers see it, from its upload event.
  value Version(const std::string& file, uint32_t version, const std::string& by_name) {
    for (const RecordedEvent& e : ProjectEvents(world_->log(), "p-acme")) {
      const auto* u = e.event().payload_as_FileUploaded();
      if (u == nullptr || u->file_id()->str() != file || u->version() != version) continue;
      return object{{"version", version},
                    {"by", e.event().actor()->str()},
                    {"by_name", by_name},
                    {"by_side", StandardSide(e.event().actor()->str())},
                    {"at_us", e.event().recorded_at_us()},
                    {"size", u->size()},
                    {"sha256", u->sha256()->str()},
                    {"content_type", u->content_type()->str()},
                    {"name", u->name()->str()}};
    }
    ADD_FAILURE() << "no version " << version << " of " << file;
    return nullptr;
  }
};

value File(const std::string& id, const std::string& name, const char* audience, value anchor,
           value request, array versions) {
  object o{{"id", id}, {"name", name}};
  if (audience != nullptr) o["audience"] = audience;
  o["anchor"] = std::move(anchor);
  o["request"] = std::move(request);
  o["latest_version"] = versions.size();
  o["version_count"] = versions.size();
  o["versions"] = std::move(versions);
  return o;
}

value Envelope(array files) {
  return object{{"view", "files"},
                {"workspace", "northwind"},
                {"project", "p-acme"},
                {"files", std::move(files)}};
}

const object kOnPlanned{{"kind", "milestone"}, {"id", "m-planned"}};
const object kOnStarted{{"kind", "milestone"}, {"id", "m-started"}};
const object kBrandGuide{{"id", "req"}, {"title", "Brand guide"}};

TEST_F(FilesViewTest, ClientSeesClientFilesWithEveryVersion) {
  TellStory();
  const std::string read = world_->Read(Ask("files", "acme-viewer", "p-acme"));
  ExpectViewJson(
      read,
      Envelope({File("brief", "brief.pdf", nullptr, nullptr, nullptr, {Version("brief", 1, "pm")}),
                File("client:acme:guide", "guide.pdf", nullptr, kOnPlanned, kBrandGuide,
                     {Version("client:acme:guide", 1, "acme member"),
                      Version("client:acme:guide", 2, "acme member")})}));
  // The digest and size are those of the bytes uploaded ("hello").
  const value v = ViewBody(read);
  EXPECT_EQ(v.at("files").at(1).at("versions").at(0).at("sha256"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(v.at("files").at(1).at("versions").at(0).at("size"), 5);
  EXPECT_EQ(read.find(kMarker), std::string::npos);
  EXPECT_EQ(read.find("brief-internal"), std::string::npos);
}

TEST_F(FilesViewTest, FirmSeesEveryFileWithItsAudience) {
  TellStory();
  ExpectViewJson(
      world_->Read(Ask("files", "pm", "p-acme")),
      Envelope({File("brief", "brief.pdf", "client", nullptr, nullptr, {Version("brief", 1, "pm")}),
                File("client:acme:guide", "guide.pdf", "client", kOnPlanned, kBrandGuide,
                     {Version("client:acme:guide", 1, "acme member"),
                      Version("client:acme:guide", 2, "acme member")}),
                File("plan", kMarker + " plan.pdf", "internal", kOnStarted, nullptr,
                     {Version("plan", 1, "pm")}),
                File("brief-internal", "brief.pdf", "internal", nullptr, nullptr,
                     {Version("brief-internal", 1, "pm")})}));
}

TEST_F(FilesViewTest, ClientFileStorageHoldsNoInternalFile) {
  TellStory();
  world_->CatchUp();
  ExpectStorageFree(world_->store(), "client-files", kMarker, {"plan", "brief-internal"});
}

TEST_F(FilesViewTest, ClientAskingForAnotherClientsFilesIsRefusedLikeAMissingProject) {
  Status other, missing;
  world_->Read(Ask("files", "acme-admin", "p-globex"), &other);
  world_->Read(Ask("files", "acme-admin", "p-nothing"), &missing);
  EXPECT_TRUE(other.IsNotFound());
  EXPECT_EQ(other.reason(), "view.not_found");
  EXPECT_EQ(other.message(), "project 'p-globex' does not exist");
  EXPECT_EQ(missing.message(), "project 'p-nothing' does not exist");
}

TEST_F(FilesViewTest, ReUploadsGrowNoRow) {
  auto file_row = [&] {
    world_->CatchUp();
    size_t size = 0, max = 0;
    for (const auto& [key, value] : StoredRows(world_->store(), "internal-files")) {
      if (value.find("\"latest_version\"") != std::string::npos &&
          value.find("\"notes.txt\"") != std::string::npos) {
        size = value.size();
      }
      max = std::max(max, value.size());
    }
    return std::make_pair(size, max);
  };
  uint64_t version = Upload("pm", {{"name", "notes.txt"}, {"content_base64", "MA=="}});
  for (int i = 0; i < 8; ++i) {
    version = Upload(
        "pm", {{"name", "notes.txt"}, {"expected_version", version}, {"content_base64", "MQ=="}});
  }
  const auto [before, max_before] = file_row();
  for (int i = 0; i < 70; ++i) {
    version = Upload(
        "pm", {{"name", "notes.txt"}, {"expected_version", version}, {"content_base64", "MQ=="}});
  }
  const auto [after, max_after] = file_row();
  EXPECT_GT(before, 0u);
  EXPECT_LE(after, before + 2);     // the count gains a digit; the versions live in chunks
  EXPECT_LT(max_after, 64u * 400);  // no row holds more than a chunk of versions
}

TEST_F(FilesViewTest, RebuildHashesLikeTheLiveView) {
  TellStory();
  world_->ExpectRebuildHashesLikeLive({"client-files", "internal-files"});
}

TEST_F(FilesViewTest, AsOfAPositionReadsLikeTheLiveViewAtThatMoment) {
  AsOfRecorder recorder(world_.get(),
                        {Ask("files", "acme-member", "p-acme"), Ask("files", "pm", "p-acme")});
  recorder.Snapshot();
  Upload("acme-member", {{"name", "guide.pdf"}, {"request_id", "req"}, {"content_base64", "aGk="}});
  recorder.Snapshot();
  Upload("pm", {{"name", "plan.pdf"}, {"content_base64", "cGxhbg=="}});
  recorder.Snapshot();
  Upload("pm", {{"name", "brief.pdf"},
                {"audience", "client"},
                {"expected_version", 1},
                {"content_base64", "djI="}});
  recorder.Snapshot();
  recorder.ExpectAsOfReadsLikeLive();
}

TEST_F(FilesViewTest, CsvHasOneLinePerVersion) {
  TellStory();
  ViewRequest r = Ask("files", "acme-member", "p-acme");
  r.format = ViewFormat::kCsv;
  const std::string csv = world_->Read(r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);  // a header and 3 versions
  const value brief = Version("brief", 1, "pm");
  EXPECT_EQ(csv.substr(0, csv.find('\n', csv.find('\n') + 1) + 1),
            "file,anchor_kind,anchor_id,request,version,by,by_name,by_side,at_us,size,sha256,"
            "content_type,name\r\n"
            "brief,,,,1,pm,pm,firm," +
                std::to_string(brief.at("at_us").as_int64()) + ",5," +
                std::string(brief.at("sha256").as_string()) +
                ",application/octet-stream,brief.pdf\r\n");
}

}  // namespace
}  // namespace tandem::test
