// Document requests and approval requests may say by when they are wanted: the optional
// `due_date` is checked like every other date and recorded in the event; left out, the event
// carries none.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

using boost::json::object;

class DueDateTest : public StandardWorldTest {
 protected:
  // A document request on acme's shared milestone, with `extra` fields added.
  Status RequestDocument(object extra, CommandResult* result = nullptr) {
    extra["project_id"] = "p-acme";
    extra["milestone_id"] = "m-planned";
    extra["request_id"] = "r-due";
    extra["title"] = "Brand guide";
    return Run("document.request", "pm", std::move(extra), result);
  }
  // An approval of acme's shared milestone asked of acme-member, with `extra` fields added.
  Status RequestApproval(object extra, CommandResult* result = nullptr) {
    extra["project_id"] = "p-acme";
    extra["approval_id"] = "ap-due";
    extra["subject"] = object{{"kind", "milestone"}, {"id", "m-planned"}};
    extra["title"] = "Approve the plan";
    extra["requested_from"] = "acme-member";
    return Run("approval.request", "pm", std::move(extra), result);
  }
  // Expects the refusal every malformed date gets, having written nothing.
  void ExpectMalformedDate(const Status& s, uint64_t before) {
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(s.reason(), "command.invalid_value") << s.ToString();
    EXPECT_NE(s.message().find("due_date"), std::string::npos) << s.message();
    EXPECT_EQ(Position(), before);
  }
};

TEST_F(DueDateTest, DocumentRequestRecordsItsDueDate) {
  CommandResult r;
  ASSERT_TRUE(RequestDocument({{"due_date", "2026-12-08"}}, &r).ok());
  const auto* e = r.events.at(0).event().payload_as_DocumentRequested();
  ASSERT_NE(e, nullptr);
  ASSERT_NE(e->due_date(), nullptr);
  EXPECT_EQ(e->due_date()->str(), "2026-12-08");
}

TEST_F(DueDateTest, ApprovalRequestRecordsItsDueDate) {
  CommandResult r;
  ASSERT_TRUE(RequestApproval({{"due_date", "2026-12-08"}}, &r).ok());
  const auto* e = r.events.at(0).event().payload_as_ApprovalRequested();
  ASSERT_NE(e, nullptr);
  ASSERT_NE(e->due_date(), nullptr);
  EXPECT_EQ(e->due_date()->str(), "2026-12-08");
}

TEST_F(DueDateTest, DocumentRequestWithAMalformedDueDateIsRefused) {
  const uint64_t before = Position();
  ExpectMalformedDate(RequestDocument({{"due_date", "2026-02-30"}}), before);
}

TEST_F(DueDateTest, ApprovalRequestWithAMalformedDueDateIsRefused) {
  const uint64_t before = Position();
  ExpectMalformedDate(RequestApproval({{"due_date", "8 Dec 2026"}}), before);
}

TEST_F(DueDateTest, DocumentRequestWithoutADueDateRecordsNone) {
  CommandResult r;
  ASSERT_TRUE(RequestDocument({}, &r).ok());
  const auto* e = r.events.at(0).event().payload_as_DocumentRequested();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->due_date(), nullptr);
}

TEST_F(DueDateTest, ApprovalRequestWithoutADueDateRecordsNone) {
  CommandResult r;
  ASSERT_TRUE(RequestApproval({}, &r).ok());
  const auto* e = r.events.at(0).event().payload_as_ApprovalRequested();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->due_date(), nullptr);
}

}  // namespace
}  // namespace tandem::test
