// What a client-side member creates lives in its client's namespace, "client:<client>:<id>", so
// a client's new id never meets an internal one and "already exists" tells it nothing internal;
// the firm names everything by its full id and may not create ids in a client's namespace.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

using boost::json::object;

class ClientIdSpaceTest : public StandardWorldTest {
 protected:
  const schema::Event& Only(const CommandResult& r) {
    EXPECT_EQ(r.events.size(), 1u);
    return r.events.at(0).event();
  }
};

TEST_F(ClientIdSpaceTest, ClientCommentIdNeverMeetsAnInternalOne) {
  CommandResult r;
  Status s = Run("comment.post", "acme-member",
                 {{"project_id", "p-acme"},
                  {"thread_id", "t-client"},
                  {"comment_id", "c2"},  // the internal thread's comment
                  {"body", "hi"}},
                 &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Only(r).payload_as_CommentPosted()->comment_id()->str(), "client:acme:c2");
}

TEST_F(ClientIdSpaceTest, NamingAnInternalThreadStartsTheClientsOwnThread) {
  CommandResult r;
  Status s = Run("comment.post", "acme-member",
                 {{"project_id", "p-acme"},
                  {"thread_id", "t-internal"},
                  {"comment_id", "x"},
                  {"body", "hi"},
                  {"anchor", object{{"kind", "milestone"}, {"id", "m-planned"}}}},
                 &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Only(r).audience(), schema::Audience::Client);
  EXPECT_EQ(Only(r).payload_as_CommentPosted()->thread_id()->str(), "client:acme:t-internal");
  // The firm's thread is untouched and still internal.
  EXPECT_TRUE(Run("comment.post", "pm",
                  {{"project_id", "p-acme"},
                   {"thread_id", "t-internal"},
                   {"comment_id", "c3"},
                   {"body", "still ours"},
                   {"audience", "internal"}})
                  .ok());
}

TEST_F(ClientIdSpaceTest, ClientFindsWhatItCreatedByTheIdItGave) {
  ASSERT_TRUE(Run("comment.post", "acme-member",
                  {{"project_id", "p-acme"},
                   {"thread_id", "t9"},
                   {"comment_id", "c9"},
                   {"body", "question"},
                   {"anchor", object{{"kind", "milestone"}, {"id", "m-planned"}}}})
                  .ok());
  CommandResult r;
  Status s = Run("comment.post", "acme-admin",
                 {{"project_id", "p-acme"},
                  {"thread_id", "t9"},
                  {"comment_id", "c10"},
                  {"body", "answer"},
                  {"reply_to", "c9"}},
                 &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto* c = Only(r).payload_as_CommentPosted();
  EXPECT_EQ(c->thread_id()->str(), "client:acme:t9");
  EXPECT_EQ(c->reply_to()->str(), "client:acme:c9");
  // The firm names it by its full id.
  EXPECT_TRUE(Run("comment.post", "pm",
                  {{"project_id", "p-acme"},
                   {"thread_id", "client:acme:t9"},
                   {"comment_id", "c11"},
                   {"body", "noted"},
                   {"reply_to", "client:acme:c10"}})
                  .ok());
}

TEST_F(ClientIdSpaceTest, FirmCannotCreateIdsInAClientNamespace) {
  const uint64_t before = Position();
  Status s = Run("comment.post", "pm",
                 {{"project_id", "p-acme"},
                  {"thread_id", "t-client"},
                  {"comment_id", "client:acme:x"},
                  {"body", "hi"}});
  EXPECT_EQ(s.reason(), "id.reserved") << s.ToString();
  EXPECT_EQ(Position(), before);
}

TEST_F(ClientIdSpaceTest, ClientAdminInvitesIntoItsOwnNamespace) {
  CommandResult r;
  Status s = Run("member.invite", "acme-admin",
                 {{"member_id", "staff"},  // a person of the firm holds this id
                  {"email", "s@acme.io"},
                  {"display_name", "S"},
                  {"role", "client_member"},
                  {"client_id", "acme"}},
                 &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Only(r).payload_as_MemberInvited()->member_id()->str(), "client:acme:staff");
  // The new person acts under its full id, as a client member of acme.
  EXPECT_TRUE(Run("comment.post", "client:acme:staff",
                  {{"project_id", "p-acme"},
                   {"thread_id", "t-client"},
                   {"comment_id", "hello"},
                   {"body", "hello"}})
                  .ok());
  // The admin manages it by the id it gave.
  EXPECT_TRUE(Run("role.grant", "acme-admin",
                  {{"member_id", "staff"}, {"role", "client_viewer"}, {"expected_version", 1}})
                  .ok());
}

TEST_F(ClientIdSpaceTest, ClientIdsCannotHoldTheNamespaceSeparator) {
  Status s = Run("client.add", "owner", {{"client_id", "a:b"}, {"name", "AB"}});
  EXPECT_EQ(s.reason(), "client.invalid_id") << s.ToString();
}

}  // namespace
}  // namespace tandem::test
