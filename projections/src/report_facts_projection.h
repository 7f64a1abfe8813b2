// Report facts: per project, the facts the reports' KPIs are computed from, one small row per
// thing (milestone, document request, approval, client question, card), each marked with its
// audience. Stored twice, like the timelines: "client-report-facts" folds only the events
// shared with the client (nothing internal enters it), "internal-report-facts" folds them all.
//
// What the facts are:
//  - milestone: original planned date, current date, completed date, slips and the days they
//    moved the date (new minus old, summed), time blocked (closed blocks, plus the start of
//    the one in progress), from the recorded times of MilestoneBlocked/Unblocked;
//  - document request: when requested, its due date, when first fulfilled (the first upload
//    naming it; a client request only by a client-shared upload, so both views agree);
//  - approval: when requested, its due date, when answered and how;
//  - client question: a comment in a client thread by a client-side member opens one when
//    none is waiting in that thread (later client comments join it); the firm's first comment
//    in the thread afterwards answers it;
//  - card: its board's audience, the column it is in since when, and per column the time its
//    finished stays lasted and how many there were.
// Whether a commenter is client-side is folded from MemberInvited into a row per member of the
// view's own (MemberSides: a fold decides only from its own rows); a commenter the view never
// saw invited counts as the firm.
//
// Fails closed like the domain's folds: events of a project never created, or about a thing
// never created, change nothing; the first creation decides; a card is client-visible only if
// its board and its creation are.
#pragma once

#include <map>
#include <string>

#include "curation.h"
#include "doc_cache.h"
#include "json_line.h"
#include "member_sides.h"
#include "project_run.h"
#include "row_fields.h"
#include "view_key.h"

namespace tandem {

struct MilestoneFact {
  bool client = false;
  bool completed = false;  // a completion folded, whether or not it carried a date
  std::string original_date, current_date, completed_date;
  uint64_t slips = 0;
  int64_t slip_days = 0;
  int64_t blocked_us = 0;        // closed blocks
  int64_t blocked_since_us = 0;  // the block in progress, 0 when not blocked

  static constexpr std::tuple kFields{Field("client", &MilestoneFact::client),
                                      Field("completed", &MilestoneFact::completed),
                                      Field("original_date", &MilestoneFact::original_date),
                                      Field("current_date", &MilestoneFact::current_date),
                                      Field("completed_date", &MilestoneFact::completed_date),
                                      Field("slips", &MilestoneFact::slips),
                                      Field("slip_days", &MilestoneFact::slip_days),
                                      Field("blocked_us", &MilestoneFact::blocked_us),
                                      Field("blocked_since_us", &MilestoneFact::blocked_since_us)};
};

struct RequestFact {
  bool client = false;
  std::string milestone;  // a request closes, unanswered, when its milestone completes
  int64_t requested_at_us = 0;
  std::string due_date;
  int64_t fulfilled_at_us = 0;  // 0 while unanswered

  static constexpr std::tuple kFields{Field("client", &RequestFact::client),
                                      Field("milestone", &RequestFact::milestone),
                                      Field("requested_at_us", &RequestFact::requested_at_us),
                                      Field("due_date", &RequestFact::due_date),
                                      Field("fulfilled_at_us", &RequestFact::fulfilled_at_us)};
};

struct ApprovalFact {
  bool client = false;
  int64_t requested_at_us = 0;
  std::string due_date;
  int64_t answered_at_us = 0;  // 0 while pending
  std::string outcome;         // "", "granted", "rejected"

  static constexpr std::tuple kFields{Field("client", &ApprovalFact::client),
                                      Field("requested_at_us", &ApprovalFact::requested_at_us),
                                      Field("due_date", &ApprovalFact::due_date),
                                      Field("answered_at_us", &ApprovalFact::answered_at_us),
                                      Field("outcome", &ApprovalFact::outcome)};
};

struct QuestionFact {
  std::string thread;
  int64_t asked_at_us = 0;
  int64_t answered_at_us = 0;  // 0 while waiting on the firm

  static constexpr std::tuple kFields{Field("thread", &QuestionFact::thread),
                                      Field("asked_at_us", &QuestionFact::asked_at_us),
                                      Field("answered_at_us", &QuestionFact::answered_at_us)};
};

struct ColumnTime {
  int64_t us = 0;
  uint64_t stays = 0;
};

struct CardFact {
  bool client = false;
  std::string board, column;
  int64_t created_at_us = 0, entered_at_us = 0;
  std::map<std::string, ColumnTime> columns;  // finished stays only

  void Write(JsonLine* out) const;
  void FromJson(const boost::json::object& in);
};

// The fold's own bookkeeping rows, which no report reads.
struct FactsThread {  // first comment decides the audience
  bool client = false;
  std::string waiting_question;  // the question waiting on the firm, if any
  static constexpr std::tuple kFields{Field("client", &FactsThread::client),
                                      Field("waiting_question", &FactsThread::waiting_question)};
};
struct FactsBoard {
  bool client = false;
  static constexpr std::tuple kFields{Field("client", &FactsBoard::client)};
};
struct FactsProject {
  std::string client_id;
  static constexpr std::tuple kFields{Field("client", &FactsProject::client_id)};
};

// The kinds of fact rows, as their key's kind part.
namespace fact_kind {
constexpr std::string_view kMilestone = "m";
constexpr std::string_view kRequest = "r";
constexpr std::string_view kApproval = "a";
constexpr std::string_view kQuestion = "q";
constexpr std::string_view kCard = "c";
}  // namespace fact_kind

// Fact rows are keyed (tenant, "f", project, kind, id): one prefix scan reads a project's.
std::string FactPrefix(const std::string& tenant, const std::string& project);

class ReportFactsProjection : public Projection {
 public:
  ReportFactsProjection(Curation curation, std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)),
        curation_(curation),
        name_(CuratedName(curation, "report-facts")) {}
  std::string_view name() const override { return name_; }
  uint32_t version() const override { return 4; }
  bool projects_fold_apart() const override { return true; }
  EventFilter filter() const override { return Curated(curation_, EventFilter::All()); }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  Status ApplyWorkspace(const schema::Event& event, const std::string& tenant, ViewRows* rows);
  Status ApplyComment(const schema::Event& event, const std::string& tenant,
                      const std::string& project, ViewRows* rows);
  Status ApplyCard(const schema::Event& event, const std::string& tenant,
                   const std::string& project, ViewRows* rows);

  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  Curation curation_;
  std::string name_;
  DocCache<MilestoneFact> milestones_{budget_.get()};
  DocCache<RequestFact> requests_{budget_.get()};
  DocCache<ApprovalFact> approvals_{budget_.get()};
  DocCache<QuestionFact> questions_{budget_.get()};
  DocCache<CardFact> cards_{budget_.get()};
  MemberSides members_{{.part = "w"}, budget_.get()};
  DocCache<FactsThread> threads_{budget_.get()};
  DocCache<FactsBoard> boards_{budget_.get()};
  DocCache<FactsProject> projects_{budget_.get()};
  ProjectRun<FactsProject> run_{&projects_, ProjectRowKey};
};

}  // namespace tandem
