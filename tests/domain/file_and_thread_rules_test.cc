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

  // The project manager asks the firm's staff for a document on the shared milestone.
  void RequestInternalDocument(const std::string& id) {
    ASSERT_TRUE(Run("document.request", "pm",
                    {{"project_id", "p-acme"},
                     {"milestone_id", "m-planned"},
                     {"request_id", id},
                     {"title", "Signed SOW from legal"},
                     {"requested_from", "staff"},
                     {"audience", "internal"}})
                    .ok());
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

// A caller expecting to change a file it misnamed must not create another beside it.
TEST_F(FileAndThreadRulesTest, ExpectingAVersionOfAFileNotThereIsRefusedAndCreatesNothing) {
  const uint64_t before = Position();
  ExpectStale(Upload("pm", "YQ==", {{"name", "gide.pdf"}, {"expected_version", 1}}), before);
  CommandResult r;
  ASSERT_TRUE(Upload("pm", "YQ==", {{"name", "gide.pdf"}, {"expected_version", 0}}, &r).ok());
  EXPECT_EQ(r.events.at(0).event().payload_as_FileUploaded()->version(), 1u);
}

TEST_F(FileAndThreadRulesTest, ClientExpectingAVersionOfAnInternalFileGetsWhatAMissingNameGets) {
  ASSERT_TRUE(Upload("pm", "aW50ZXJuYWw=", {{"name", "notes.txt"}}).ok());
  const uint64_t before = Position();
  auto upload = [&](const std::string& name) {
    return Upload("acme-member", "Y2xpZW50",
                  {{"name", name}, {"request_id", "req"}, {"expected_version", 1}});
  };
  const Status internal = upload("notes.txt"), missing = upload("nopes.txt");
  ExpectStale(internal, before);
  EXPECT_EQ(internal.ToString(),
            missing.ToString().replace(missing.ToString().find("nopes"), 5, "notes"));
}

TEST_F(FileAndThreadRulesTest, ClientUploadNeedsARequest) {
  const uint64_t before = Position();
  ExpectDenied(Upload("acme-member", "YQ==", {}), "file.client_needs_request", before);
}

TEST_F(FileAndThreadRulesTest, ClientCannotPublishANewVersionOfAFirmFile) {
  const uint64_t before = Position();
  // "brief.pdf" is the firm's file, shared with the client.
  ExpectRejected(Upload("acme-member", "bWluZQ==",
                        {{"name", "brief.pdf"}, {"request_id", "req"}, {"expected_version", 1}}),
                 "file.not_from_request", before);
}

TEST_F(FileAndThreadRulesTest, ClientAnswersOnlyRequestsAskedOfIt) {
  ASSERT_TRUE(Run("member.invite", "owner",
                  {{"member_id", "acme-member2"},
                   {"email", "m2@acme.io"},
                   {"display_name", "M2"},
                   {"role", "client_member"},
                   {"client_id", "acme"}})
                  .ok());
  const uint64_t before = Position();
  // "req" was asked of acme-member.
  ExpectDenied(Upload("acme-member2", "YQ==", {{"request_id", "req"}}),
               "document.not_requested_from_actor", before);
  // Their admin answers for them.
  EXPECT_TRUE(Upload("acme-admin", "YQ==", {{"request_id", "req"}}).ok());
}

TEST_F(FileAndThreadRulesTest, ClosedRequestCannotBeAnswered) {
  ASSERT_TRUE(Run("document.request", "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "m-started"},
                   {"request_id", "req-late"},
                   {"title", "Copy"}})
                  .ok());
  ASSERT_TRUE(Run("milestone.complete", "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "m-started"},
                   {"expected_version", 2},
                   {"completed_date", "2027-01-10"}})
                  .ok());
  const uint64_t before = Position();
  ExpectRejected(Upload("acme-member", "YQ==", {{"request_id", "req-late"}}),
                 "document.request_closed", before);
}

TEST_F(FileAndThreadRulesTest, ClientCannotUploadInternalFiles) {
  const uint64_t before = Position();
  ExpectDenied(Upload("acme-admin", "YQ==", {{"request_id", "req"}, {"audience", "internal"}}),
               "scope.internal_audience", before);
}

// An internal request's id, named by a client, gets what an id nobody used gets.
TEST_F(FileAndThreadRulesTest, ClientAnsweringAnInternalRequestGetsWhatAnUnknownRequestGets) {
  RequestInternalDocument("r-internal");
  const uint64_t before = Position();
  const Status internal = Upload("acme-admin", "YQ==", {{"request_id", "r-internal"}});
  const Status unknown = Upload("acme-admin", "YQ==", {{"request_id", "r-nothing"}});
  ExpectDenied(internal, "scope.not_visible", before);
  std::string text = internal.ToString();
  text.replace(text.find("r-internal"), std::string("r-internal").size(), "r-nothing");
  EXPECT_EQ(text, unknown.ToString());
}

TEST_F(FileAndThreadRulesTest, AnswerToAnInternalRequestStaysInternal) {
  RequestInternalDocument("r-internal");
  const uint64_t before = Position();
  ExpectRejected(Upload("staff", "YQ==", {{"request_id", "r-internal"}, {"audience", "client"}}),
                 "file.request_needs_internal_audience", before);
  CommandResult r;
  ASSERT_TRUE(Upload("staff", "YQ==", {{"request_id", "r-internal"}}, &r).ok());
  EXPECT_EQ(r.events.at(0).event().audience(), schema::Audience::Internal);
  // It lands on the request's milestone, as a client's answer does.
  EXPECT_EQ(r.events.at(0).event().payload_as_FileUploaded()->anchor()->id()->str(), "m-planned");
}

TEST_F(FileAndThreadRulesTest, ClientFileOfTheSameNameAsAnInternalOneIsASeparateFile) {
  ASSERT_TRUE(Upload("pm", "aW50ZXJuYWw=", {{"name", "notes.txt"}}).ok());
  CommandResult r;
  ASSERT_TRUE(
      Upload("acme-member", "Y2xpZW50", {{"name", "notes.txt"}, {"request_id", "req"}}, &r).ok());
  EXPECT_EQ(r.events.at(0).event().payload_as_FileUploaded()->version(), 1u);
}

// A client sees the ids of the files shared with it; an id made from the command that created
// the file would show it the firm's command ids (numbered, dated or descriptive).
TEST_F(FileAndThreadRulesTest, FileIdMadeForAnUploadTellsNothingOfItsCommand) {
  const auto upload = [&](const std::string& project, const std::string& command_id) {
    CommandResult r;
    EXPECT_TRUE(Run("file.upload", "pm",
                    {{"project_id", project},
                     {"command_id", command_id},
                     {"name", "kickoff.pdf"},
                     {"audience", "client"},
                     {"content_base64", "YQ=="}},
                    &r)
                    .ok());
    return r.events.empty() ? std::string()
                            : r.events.at(0).event().payload_as_FileUploaded()->file_id()->str();
  };
  const std::string acme = upload("p-acme", "firm-upload-number-41");
  const std::string globex = upload("p-globex", "firm-upload-number-42");
  EXPECT_EQ(acme.find("41"), std::string::npos) << acme;
  EXPECT_EQ(acme.find("upload-number"), std::string::npos) << acme;
  // The same file (name and audience) gets the same id, whichever command made it.
  EXPECT_EQ(acme, globex);
  EXPECT_EQ(acme.rfind("file-", 0), 0u) << acme;
}

// Someone naming a file with the id another name would get by default does not keep that
// name from being uploaded: it gets the next free default.
TEST_F(FileAndThreadRulesTest, DefaultFileIdTakenByAnotherFileMovesToTheNextFreeOne) {
  const auto upload = [&](const std::string& project, boost::json::object f) {
    f["project_id"] = project;
    f["content_base64"] = "YQ==";
    CommandResult r;
    EXPECT_TRUE(Run("file.upload", "pm", std::move(f), &r).ok());
    return r.events.empty() ? std::string()
                            : r.events.at(0).event().payload_as_FileUploaded()->file_id()->str();
  };
  const std::string b_default = upload("p-acme", {{"name", "b.pdf"}});
  upload("p-globex", {{"name", "a.pdf"}, {"file_id", b_default}});
  const std::string b_moved = upload("p-globex", {{"name", "b.pdf"}});
  EXPECT_NE(b_moved, b_default);
  EXPECT_EQ(b_moved.rfind("file-", 0), 0u) << b_moved;
}

TEST_F(FileAndThreadRulesTest, FileOverTheSizeLimitIsRefusedAndNothingIsStored) {
  const uint64_t before = Position();
  std::string big((1024 * 1024 + 3) / 3 * 4, 'Q');  // decodes to just over 1 MiB
  Status s = Upload("pm", big, {});
  EXPECT_EQ(s.reason(), "command.too_large") << s.ToString();
  EXPECT_EQ(Position(), before);
}

TEST_F(FileAndThreadRulesTest, ClientNamingAnInternalThreadGetsWhatAnUnknownThreadGets) {
  const uint64_t before = Position();
  auto post = [&](const std::string& thread) {
    return Run(
        "comment.post", "acme-member",
        {{"project_id", "p-acme"}, {"thread_id", thread}, {"comment_id", "x"}, {"body", "hi"}});
  };
  // Both start a new thread of the client's own, which needs an anchor.
  const Status internal = post("t-internal");
  const Status unknown = post("t-unknown");
  EXPECT_EQ(internal.reason(), "command.missing_field") << internal.ToString();
  EXPECT_EQ(internal.ToString(), unknown.ToString());
  EXPECT_EQ(Position(), before);
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
