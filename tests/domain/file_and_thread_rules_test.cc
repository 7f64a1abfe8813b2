// Files (versioned by name, content-addressed, size-limited) and threads (anchored, with an
// audience that client-side members cannot cross).
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

using boost::json::object;

class FileAndThreadRulesTest : public StandardWorldTest {
 protected:
  Status Upload(const std::string& actor, const std::string& base64, boost::json::object extra,
                CommandResult* r = nullptr) {
    extra["project_id"] = "p-acme";
    extra["content_base64"] = base64;
    if (!extra.contains("name")) extra["name"] = "guide.pdf";
    return Run("file.upload", actor, std::move(extra), r);
  }
};

TEST_F(FileAndThreadRulesTest, UploadingTheSameNameAgainMakesTheNextVersion) {
  CommandResult v1, v2;
  ASSERT_TRUE(Upload("acme-member", "dmVyc2lvbiAx", {{"request_id", "req"}}, &v1).ok());
  ASSERT_TRUE(
      Upload("acme-member", "dmVyc2lvbiAy", {{"request_id", "req"}, {"expected_version", 1}}, &v2)
          .ok());
  const auto* first = v1.events.at(0).event().payload_as_FileUploaded();
  const auto* second = v2.events.at(0).event().payload_as_FileUploaded();
  EXPECT_EQ(first->version(), 1u);
  EXPECT_EQ(second->version(), 2u);
  EXPECT_EQ(first->file_id()->str(), second->file_id()->str());
  EXPECT_NE(first->sha256()->str(), second->sha256()->str());
  // The requested document lands on the milestone it was requested for.
  EXPECT_EQ(second->anchor()->kind(), schema::AnchorKind::Milestone);
  EXPECT_EQ(second->anchor()->id()->str(), "m-planned");
  std::string bytes;
  ASSERT_TRUE(world_->blobs()->Get(second->sha256()->str(), &bytes).ok());
  EXPECT_EQ(bytes, "version 2");
}

TEST_F(FileAndThreadRulesTest, NewVersionNeedsTheCurrentVersion) {
  ASSERT_TRUE(Upload("pm", "YQ==", {{"request_id", "req"}}).ok());
  EXPECT_TRUE(Upload("pm", "Yg==", {{"request_id", "req"}, {"expected_version", 5}})
                  .IsWrongExpectedVersion());
}

TEST_F(FileAndThreadRulesTest, ClientUploadNeedsARequest) {
  const uint64_t before = Position();
  ExpectDenied(Upload("acme-member", "YQ==", {}), "file.client_needs_request", before);
}

TEST_F(FileAndThreadRulesTest, ClientCannotUploadInternalFiles) {
  const uint64_t before = Position();
  ExpectDenied(Upload("acme-admin", "YQ==", {{"request_id", "req"}, {"audience", "internal"}}),
               "scope.internal_audience", before);
}

TEST_F(FileAndThreadRulesTest, ClientFileOfTheSameNameAsAnInternalOneIsASeparateFile) {
  ASSERT_TRUE(Upload("pm", "aW50ZXJuYWw=", {{"name", "notes.txt"}}).ok());
  CommandResult r;
  ASSERT_TRUE(
      Upload("acme-member", "Y2xpZW50", {{"name", "notes.txt"}, {"request_id", "req"}}, &r).ok());
  EXPECT_EQ(r.events.at(0).event().payload_as_FileUploaded()->version(), 1u);
}

TEST_F(FileAndThreadRulesTest, FileOverTheSizeLimitIsRefusedAndNothingIsStored) {
  const uint64_t before = Position();
  std::string big((1024 * 1024 + 3) / 3 * 4, 'Q');  // decodes to just over 1 MiB
  Status s = Upload("pm", big, {});
  EXPECT_EQ(s.reason(), "command.too_large") << s.ToString();
  EXPECT_EQ(Position(), before);
}

TEST_F(FileAndThreadRulesTest, ClientCannotPostInAnInternalThread) {
  const uint64_t before = Position();
  ExpectDenied(Run("comment.post", "acme-member",
                   {{"project_id", "p-acme"},
                    {"thread_id", "t-internal"},
                    {"comment_id", "x"},
                    {"body", "hi"}}),
               "scope.not_visible", before);
}

TEST_F(FileAndThreadRulesTest, ClientSharedThreadCannotHangOnAnInternalItem) {
  const uint64_t before = Position();
  ExpectRejected(Run("comment.post", "pm",
                     {{"project_id", "p-acme"},
                      {"thread_id", "t-new"},
                      {"comment_id", "x"},
                      {"body", "hi"},
                      {"audience", "client"},
                      {"anchor", object{{"kind", "card"}, {"id", "ic"}}}}),
                 "thread.anchor_not_shared", before);
}

TEST_F(FileAndThreadRulesTest, NewThreadNeedsAnAnchor) {
  Status s =
      Run("comment.post", "pm",
          {{"project_id", "p-acme"}, {"thread_id", "t-new"}, {"comment_id", "x"}, {"body", "hi"}});
  EXPECT_EQ(s.reason(), "command.missing_field") << s.ToString();
}

TEST_F(FileAndThreadRulesTest, ReplyMustBeToACommentOfTheSameThread) {
  const uint64_t before = Position();
  ExpectRejected(Run("comment.post", "pm",
                     {{"project_id", "p-acme"},
                      {"thread_id", "t-client"},
                      {"comment_id", "x"},
                      {"body", "hi"},
                      {"reply_to", "c2"}}),
                 "comment.reply_to_unknown", before);
  EXPECT_TRUE(Run("comment.post", "acme-member",
                  {{"project_id", "p-acme"},
                   {"thread_id", "t-client"},
                   {"comment_id", "y"},
                   {"body", "thanks"},
                   {"reply_to", "c1"}})
                  .ok());
}

TEST_F(FileAndThreadRulesTest, ThreadAudienceCannotChange) {
  const uint64_t before = Position();
  ExpectRejected(Run("comment.post", "pm",
                     {{"project_id", "p-acme"},
                      {"thread_id", "t-internal"},
                      {"comment_id", "x"},
                      {"body", "hi"},
                      {"audience", "client"}}),
                 "thread.audience_mismatch", before);
}

}  // namespace
}  // namespace tandem::test
