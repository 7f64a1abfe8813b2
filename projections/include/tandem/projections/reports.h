// Role-based reports: KPIs over a workspace's projects, pivoted and filtered, as the asker may
// see them; and the same report through a report link.
//
// KPIs (per row and in total):
//   milestones_completed_on_time / _late   completed date vs the ORIGINALLY planned date
//   milestones_overdue                     not completed, current date before the report's date
//   milestone_slips, slip_days_total       reschedules, and the days they moved dates (new - old)
//   slip_days_mean                         slip_days_total / milestone_slips, to 0.01 (null
//                                          without slips)
//   time_blocked_seconds                   closed blocks, plus blocks in progress up to now_us
//   document_requests(_open, _overdue)     overdue: open with a due date before the report's date
//   client_questions(_waiting)             a client-side comment in a client thread opens a
//                                          question (later client comments join it until the
//                                          firm replies in that thread)
//   question_first_reply_median_seconds    question -> the firm's first reply, over answered ones
//   approvals(_pending), approval_turnaround_median_seconds / _mean_seconds
//   card_cycle_mean_seconds                per column, the mean of the finished stays of cards
//                                          in it (firm reports only)
// Durations are whole seconds (rounded), measured between the instants the log recorded;
// a median or mean of nothing is null.
// Each fact has a date: a milestone its completed date, else its current date; a request, an
// approval, a question and a card the UTC date they were made. `from`/`to` keep the facts
// whose date is within them (inclusive), and `week` pivots by that date's ISO week.
//
// Scope follows the asker (resolved in the workspace's directory):
//   owner, auditor, workspace-wide project manager  every project, every fact;
//   a member whose role on a project is project manager (a project-scoped grant)  those
//     projects, every fact;
//   staff  only projects it manages through such a grant; with none, refused;
//   client admin and client member  their client's projects, client-visible facts only, no
//     card cycle times (read from the client-curated facts, which hold nothing internal);
//   client viewer  refused (reports are for the client's decision makers);
//   no member named  the operator: everything.
// A member that is not an active member is NotFound (view.unknown_member); a refused one is
// PermissionDenied (report.not_permitted).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tandem/basics/status.h"
#include "tandem/projections/views.h"

namespace tandem {

struct ReportRequest {
  std::string workspace;
  std::string as_member;        // empty: the operator
  std::vector<std::string> by;  // pivots, in order: "client", "project", "manager", "week"
  std::string from, to;         // ISO dates, inclusive; empty: unbounded
  ViewFormat format = ViewFormat::kJson;
  // The moment the report is read at: blocks in progress count up to it, and its UTC date
  // (or `now_date` when set) decides what is overdue. 0 and no now_date: nothing is overdue.
  int64_t now_us = 0;
  std::string now_date;
  // As of a log position the caller named: refused to every named member, as for views
  // (view.position_not_allowed).
  bool as_of_named_position = false;
  // For a report of the past by a named member: the live views, where the member's standing
  // now is decided (as ViewRequest::live): a member no longer active, or no longer allowed
  // reports, reads no report of the past either, and the report covers only the projects the
  // member reads reports of both now and then. Null for a live report; a member's report of
  // the past without it is refused (view.standing_unknown). Call CheckReportStandingNow first,
  // before anything of the past is looked at.
  ViewSource* live = nullptr;
};

// Before a named member's report of the past: whether the member may ask at all, from the live
// views alone (view.unknown_member, report.not_permitted, view.position_not_allowed for a
// member naming a position, whatever the position), so that no range check and no
// fold answers someone who may not. Shape errors as ReadReport's. OK for the operator.
Status CheckReportStandingNow(const ReportRequest& request, ViewSource* live);

// The stored views a report reads (for FoldAsOf with the workspace as tenant).
std::vector<std::string> ReportViewsNeeded();

// What FoldAsOf must fold for the report as of `position`: the report's views over the
// workspace; for a named member, only the projects it reads reports of now (a report of the
// past covers no other), so that how long the fold takes does not follow how much other
// clients did on their projects. After CheckReportStandingNow.
Status ReportAsOfScope(const ReportRequest& request, uint64_t position, AsOfScope* scope);

// Renders the report. Errors: InvalidArgument (report.missing_option, report.bad_dimension,
// report.bad_date), NotFound (view.unknown_workspace, view.unknown_member),
// PermissionDenied (report.not_permitted).
Status ReadReport(const ReportRequest& request, ViewSource* source, std::string* out);

// The report a link shows: its project only, client-visible facts only for a client link, as
// the operator would see them otherwise; `by`, `from`, `to`, `format`, `now_us` and
// `now_date` of `request` shape it (its workspace and member are ignored), and `now_us` decides
// expiry. An unknown or malformed token is NotFound (report_link.invalid), the same answer for
// every tenant; a revoked or expired link, whose holder did have the secret, is NotFound with
// report_link.revoked or report_link.expired. A link lives no longer than its issuer's right to
// issue it: once the issuer is no longer an active member with a role on the project that
// issues links (of the project's client, for a client-side issuer), the link answers
// report_link.revoked. A link shows the live report only: a source that is an as-of fold is
// refused (InvalidArgument, report_link.live_only), and the CLI refuses --as-of-* with --link.
Status ReadReportByLink(const std::string& token, const ReportRequest& request, ViewSource* source,
                        std::string* out);

}  // namespace tandem
