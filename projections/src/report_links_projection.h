// Report links: who holds a link's secret reads a report without being a member. The domain's
// report_link.issue stores only the SHA-256 of the secret, so this view indexes links by that
// hash (lower-case hex), across tenants, since whoever presents a link names no tenant: each
// row says whose link it is (tenant, project, link id), what it shows (report, audience) and
// until when. A revocation finds its link through a second row keyed by (tenant, project, link).
//
// Fails closed: a hash that is not 64 hex digits is no link; the first issue of a hash decides
// (a later link, of any tenant, with the same hash changes nothing, so no tenant can take over
// another's link); a link id is issued once per project; a link is client-audience only if
// everything about its issue says so.
//
// A link lives no longer than its issuer's right to issue it: the view folds each member's
// roles (as the directory does, from the domain's MemberState) and each project's client, and
// keeps per issuer the links that still stand; the first role change after which the issuer
// may not issue a link on its project revokes the link for good (a later grant does not bring
// it back), and a link its issuer could not issue (the project missing, outside a client-side
// issuer's client, or an internal link by one) is revoked as it is issued. Rows besides the
// links': {"member", tenant, member} the member's roles, {"issued", tenant, member} its
// standing links, {"project", tenant, project} the project's client.
#pragma once

#include <map>
#include <string>

#include "directory_projection.h"
#include "doc_cache.h"
#include "row_fields.h"

namespace tandem {

struct ReportLinkDoc {
  std::string tenant, project, link_id, report;
  int64_t expires_at_us = 0;
  bool client = false;
  bool revoked = false;
  std::string issuer;  // the member who issued it (the event's actor)

  static constexpr std::tuple kFields{Field("tenant", &ReportLinkDoc::tenant),
                                      Field("project", &ReportLinkDoc::project),
                                      Field("link", &ReportLinkDoc::link_id),
                                      Field("report", &ReportLinkDoc::report),
                                      Field("expires_at_us", &ReportLinkDoc::expires_at_us),
                                      Field("client", &ReportLinkDoc::client),
                                      Field("revoked", &ReportLinkDoc::revoked),
                                      Field("issuer", &ReportLinkDoc::issuer)};
};

// The links a member issued that still stand, by token hash: what a change of the member's roles
// must look at. Revoked links leave it, and so do links that had expired by the time the member
// issued its latest link (known without a clock: a link expiring at E was issued at
// E - kMaxReportLinkLifetimeUs or later); such a link is revoked as it leaves. So the row holds
// the links of about the last two link lifetimes, not the member's whole history.
struct IssuedLink {
  std::string project;
  int64_t expires_at_us = 0;
  bool operator==(const IssuedLink&) const = default;
};
struct IssuedLinksDoc {
  std::map<std::string, IssuedLink> links;
  void ToJson(boost::json::object* out) const;
  bool FromJson(const boost::json::object& in);
};

// A project as this view knows it: created, and for which client.
struct LinkProjectDoc {
  std::string client_id;
  static constexpr std::tuple kFields{Field("client", &LinkProjectDoc::client_id)};
};

struct ReportLinkIdDoc {
  std::string token_sha256;
  static constexpr std::tuple kFields{Field("token_sha256", &ReportLinkIdDoc::token_sha256)};
};

class ReportLinksProjection : public Projection {
 public:
  explicit ReportLinksProjection(std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)) {}
  static constexpr std::string_view kName = "report-links";
  std::string_view name() const override { return kName; }
  // 2: a link's row names its issuer (ReadReportByLink checks the issuer still stands).
  // 3: an issuer's loss of the right to issue a link revokes it for good.
  // 4: so does issuing it on a project that does not exist or outside the issuer's client.
  uint32_t version() const override { return 5; }
  bool gates_reads() const override { return true; }
  // A token's row is claimed by the first issue in the log of any project: folded in log order
  // (projects_fold_apart stays false).
  EventFilter filter() const override {
    return EventFilter::Of({schema::Payload::ReportLinkIssued, schema::Payload::ReportLinkRevoked,
                            schema::Payload::MemberInvited, schema::Payload::RoleGranted,
                            schema::Payload::RoleRevoked, schema::Payload::ProjectCreated});
  }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  Status ApplyToMember(const std::string& tenant, const schema::Event& event, ViewRows* rows);
  Status Issue(const std::string& tenant, const std::string& project, const schema::Event& event,
               ViewRows* rows);
  Status Revoke(const std::string& tenant, const std::string& project, const schema::Event& event,
                ViewRows* rows);
  // Takes out of `issued`, revoking them, the links that had expired when its latest was issued.
  Status ForgetExpired(const std::string& tenant, IssuedLinksDoc* issued, ViewRows* rows);
  // Revokes the link whose token hashes to `hex`, if it is the tenant's.
  Status RevokeLink(const std::string& tenant, const std::string& hex, ViewRows* rows);
  // Whether `member` may issue the link being issued by `event` on `project`, as this view's own
  // rows say: the project exists, the member's role on it issues links, and a client-side member
  // issues client links of its own client's projects only (the domain's rules).
  Status MayIssue(const std::string& tenant, const std::string& member, const std::string& project,
                  const schema::Event& event, ViewRows* rows, bool* may);

  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  DocCache<ReportLinkDoc> links_{budget_.get()};
  DocCache<ReportLinkIdDoc> ids_{budget_.get()};
  DocCache<MemberEntry> members_{budget_.get()};
  DocCache<IssuedLinksDoc> issued_{budget_.get()};
  DocCache<LinkProjectDoc> projects_{budget_.get()};
};

// Whether `member` may issue a link on `project` (of client `project_client`), a client link or
// not: its role on the project issues links, and a client-side member issues client links of
// its own client's projects only (the domain's rules, as both this view and a link's reader
// decide them).
bool MayIssueReportLink(const MemberState& member, const std::string& project,
                        const std::string& project_client, bool client_link);

// The row of the link whose secret hashes to `token_sha256_hex`. NotFound when there is none.
Status LoadReportLink(const RowReader& rows, const std::string& token_sha256_hex,
                      ReportLinkDoc* out);

}  // namespace tandem
