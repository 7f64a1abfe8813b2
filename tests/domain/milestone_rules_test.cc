// The milestone state machine: planned -> in progress -> completed, block/unblock with a reason,
// reschedule with a reason; every refusal has its own reason and writes nothing.
#include <gtest/gtest.h>

#include "command_world.h"

namespace tandem::test {
namespace {

class MilestoneRulesTest : public StandardWorldTest {
 protected:
  // Runs a change to `milestone` of p-acme as pm, with the given expected version.
  Status Change(const std::string& type, const std::string& milestone, uint64_t expected,
                boost::json::object extra = {}) {
    extra["project_id"] = "p-acme";
    extra["milestone_id"] = milestone;
    extra["expected_version"] = expected;
    return Run(type, "pm", std::move(extra));
  }

  // An internal milestone "m-internal" on acme's project.
  void PlanInternalMilestone() {
    ASSERT_TRUE(Run("milestone.plan", "pm",
                    {{"project_id", "p-acme"},
                     {"milestone_id", "m-internal"},
                     {"title", "Infra"},
                     {"planned_date", "2027-01-01"},
                     {"audience", "internal"}})
                    .ok());
  }

  // A document request on the shared milestone addressed to `who` (for `audience` when given)
  // is refused with `reason`, writing nothing.
  void ExpectRequestFromRejected(const std::string& who, const std::string& audience = "",
                                 const std::string& reason = "document.requested_from_not_client") {
    boost::json::object f{{"project_id", "p-acme"},
                          {"milestone_id", "m-planned"},
                          {"request_id", "r2"},
                          {"title", "Keys"},
                          {"requested_from", who}};
    if (!audience.empty()) f["audience"] = audience;
    const uint64_t before = Position();
    ExpectRejected(Run("document.request", "pm", std::move(f)), reason, before);
  }
};

TEST_F(MilestoneRulesTest, PlannedMilestoneStartsThenCompletes) {
  ASSERT_TRUE(Change("milestone.start", "m-planned", 1).ok());
  CommandResult r;
  ASSERT_TRUE(Run("milestone.complete", "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "m-planned"},
                   {"expected_version", 2},
                   {"completed_date", "2027-01-20"}},
                  &r)
                  .ok());
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].payload_type(), schema::Payload::MilestoneCompleted);
  EXPECT_EQ(r.entity_version, 3u);
}

TEST_F(MilestoneRulesTest, CompletingACompletedMilestoneIsRejected) {
  ASSERT_TRUE(
      Change("milestone.complete", "m-started", 2, {{"completed_date", "2027-01-02"}}).ok());
  const uint64_t before = Position();
  ExpectRejected(Change("milestone.complete", "m-started", 3, {{"completed_date", "2027-01-03"}}),
                 "milestone.already_completed", before);
}

TEST_F(MilestoneRulesTest, CompletingAPlannedMilestoneIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Change("milestone.complete", "m-planned", 1, {{"completed_date", "2027-01-03"}}),
                 "milestone.not_started", before);
}

TEST_F(MilestoneRulesTest, StartingAStartedMilestoneIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Change("milestone.start", "m-started", 2), "milestone.already_started", before);
}

TEST_F(MilestoneRulesTest, BlockedMilestoneCannotCompleteUntilUnblocked) {
  const uint64_t before = Position();
  ExpectRejected(Change("milestone.complete", "m-blocked", 3, {{"completed_date", "2027-01-03"}}),
                 "milestone.blocked", before);
  ASSERT_TRUE(Change("milestone.unblock", "m-blocked", 3, {{"reason", "content arrived"}}).ok());
  EXPECT_TRUE(
      Change("milestone.complete", "m-blocked", 4, {{"completed_date", "2027-01-03"}}).ok());
}

TEST_F(MilestoneRulesTest, BlockingTwiceIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Change("milestone.block", "m-blocked", 3, {{"reason", "again"}}),
                 "milestone.already_blocked", before);
}

TEST_F(MilestoneRulesTest, UnblockingAnUnblockedMilestoneIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Change("milestone.unblock", "m-started", 2, {{"reason", "why not"}}),
                 "milestone.not_blocked", before);
}

TEST_F(MilestoneRulesTest, RescheduleKeepsTheOldAndNewDateAndReason) {
  CommandResult r;
  ASSERT_TRUE(Run("milestone.reschedule", "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "m-planned"},
                   {"expected_version", 1},
                   {"new_date", "2027-02-01"},
                   {"reason", "client feedback late"}},
                  &r)
                  .ok());
  const auto* e = r.events.at(0).event().payload_as_MilestoneRescheduled();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->old_date()->str(), "2027-01-15");
  EXPECT_EQ(e->new_date()->str(), "2027-02-01");
  EXPECT_EQ(e->reason()->str(), "client feedback late");
  // Every slip is kept: a second one starts from the new date.
  ASSERT_TRUE(Change("milestone.reschedule", "m-planned", 2,
                     {{"new_date", "2027-03-01"}, {"reason", "again"}})
                  .ok());
}

TEST_F(MilestoneRulesTest, RescheduleToTheSameDateIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Change("milestone.reschedule", "m-planned", 1,
                        {{"new_date", "2027-01-15"}, {"reason", "no change"}}),
                 "milestone.same_date", before);
}

TEST_F(MilestoneRulesTest, ReschedulingACompletedMilestoneIsRejected) {
  ASSERT_TRUE(
      Change("milestone.complete", "m-started", 2, {{"completed_date", "2027-01-02"}}).ok());
  const uint64_t before = Position();
  ExpectRejected(Change("milestone.reschedule", "m-started", 3,
                        {{"new_date", "2027-04-01"}, {"reason", "late"}}),
                 "milestone.already_completed", before);
}

TEST_F(MilestoneRulesTest, PlanningAnExistingMilestoneIsRejected) {
  const uint64_t before = Position();
  ExpectRejected(Run("milestone.plan", "pm",
                     {{"project_id", "p-acme"},
                      {"milestone_id", "m-planned"},
                      {"title", "Again"},
                      {"planned_date", "2027-01-01"}}),
                 "milestone.exists", before);
}

TEST_F(MilestoneRulesTest, ChangingAnUnknownMilestoneIsNotFound) {
  EXPECT_TRUE(Change("milestone.start", "m-nope", 1).IsNotFound());
}

// A request is the client's unless it says otherwise: on an internal milestone it is refused,
// never quietly made internal, whoever it is asked of.
TEST_F(MilestoneRulesTest, ClientDocumentRequestNeedsASharedMilestone) {
  PlanInternalMilestone();
  for (const std::string who : {"", "acme-admin", "staff"}) {
    boost::json::object f{{"project_id", "p-acme"},
                          {"milestone_id", "m-internal"},
                          {"request_id", "r2"},
                          {"title", "Keys"}};
    if (!who.empty()) f["requested_from"] = who;
    const uint64_t before = Position();
    ExpectRejected(Run("document.request", "pm", f), "document.internal_milestone", before);
  }
}

TEST_F(MilestoneRulesTest, InternalDocumentRequestOnAnInternalMilestone) {
  PlanInternalMilestone();
  CommandResult r;
  ASSERT_TRUE(Run("document.request", "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "m-internal"},
                   {"request_id", "r2"},
                   {"title", "Keys"},
                   {"requested_from", "staff"},
                   {"audience", "internal"}},
                  &r)
                  .ok());
  EXPECT_EQ(r.events.at(0).event().audience(), schema::Audience::Internal);
}

TEST_F(MilestoneRulesTest, InternalDocumentRequestOnASharedMilestoneStaysInternal) {
  CommandResult r;
  ASSERT_TRUE(Run("document.request", "pm",
                  {{"project_id", "p-acme"},
                   {"milestone_id", "m-planned"},
                   {"request_id", "r2"},
                   {"title", "Signed SOW from legal"},
                   {"audience", "internal"}},
                  &r)
                  .ok());
  EXPECT_EQ(r.events.at(0).event().audience(), schema::Audience::Internal);
}

// An internal request is the firm's work: asked of one of its people on the project, never of
// a client's person nor of someone who only reads.
TEST_F(MilestoneRulesTest, InternalDocumentRequestOnlyAsksTheFirmsPeople) {
  for (const std::string who : {"acme-member", "auditor", "nobody"}) {
    ExpectRequestFromRejected(who, "internal", "document.requested_from_not_firm");
  }
}

TEST_F(MilestoneRulesTest, DocumentRequestFromSomeoneOutsideTheClientIsRejected) {
  ExpectRequestFromRejected("globex-member");
}

TEST_F(MilestoneRulesTest, DocumentRequestFromAViewerWhoCannotUploadIsRejected) {
  ExpectRequestFromRejected("acme-viewer");
}

}  // namespace
}  // namespace tandem::test
