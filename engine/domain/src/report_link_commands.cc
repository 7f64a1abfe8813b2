// Decisions about report links: shareable, expiring, revocable links to a live report. The
// log stores only the SHA-256 of the link's secret, so reading the log never yields a usable
// link. A client admin manages client links of its own projects only.
#include "command_context.h"
#include "tandem/domain/report_links.h"

namespace tandem {
namespace {

using schema::Audience;

Status IssueReportLink(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const Audience audience = AudienceArg(ctx, "audience", Audience::Client);
  if (ctx.client_side() && audience != Audience::Client) {
    return Status::PermissionDenied("scope.internal_audience",
                                    "client-side members issue client links only");
  }
  std::string link_id;
  Status s = NewId(ctx, "link_id", a.Str("link_id"), &link_id);
  if (!s.ok()) return s;
  if (ctx.project->report_links.count(link_id)) {
    return Status::Rejected("report_link.exists",
                            Named("report link", link_id) + " already exists");
  }
  const int64_t expires = a.Int("expires_at_us");
  if (expires <= ctx.now_us) {
    return Status::Rejected("report_link.expiry_in_past", "expires_at_us must be in the future");
  }
  if (expires - ctx.now_us > kMaxReportLinkLifetimeUs) {
    return Status::Rejected("report_link.expiry_too_far",
                            "a report link may live at most 366 days");
  }
  schema::ReportLinkIssuedT e;
  e.link_id = link_id;
  e.project_id = a.Str("project_id");
  e.report = a.Str("report");
  e.expires_at_us = expires;
  e.token_sha256 = a.Str("token_sha256");
  e.audience = audience;
  Emit(ctx, audience, std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

Status RevokeReportLink(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  const auto& links = ctx.project->report_links;
  const std::string what = Named("report link", a.Str("link_id"));
  const std::string link_id = ResolveId(ctx, a.Str("link_id"), [&](const std::string& id) {
    auto it = links.find(id);
    return it != links.end() && ctx.Sees(it->second.audience);
  });
  auto it = links.find(link_id);
  if (it == links.end()) return Missing(ctx, "report link", a.Str("link_id"));
  if (!ctx.Sees(it->second.audience)) return NotVisible(what);
  Status s = CheckExpectedVersion(ctx, what, it->second.version);
  if (!s.ok()) return s;
  if (it->second.revoked)
    return Status::Rejected("report_link.already_revoked", what + " is revoked");
  schema::ReportLinkRevokedT e;
  e.link_id = link_id;
  e.project_id = a.Str("project_id");
  e.reason = a.Str("reason");
  Emit(ctx, it->second.audience, std::move(e), d);
  d->entity_version = it->second.version + 1;
  return Status::OK();
}

}  // namespace

Status DecideReportLinkCommand(const CommandContext& ctx, Decision* d) {
  return ctx.command.type == CommandType::kIssueReportLink ? IssueReportLink(ctx, d)
                                                           : RevokeReportLink(ctx, d);
}

}  // namespace tandem
