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
// roles (as the directory does, from the domain's MemberState) and keeps, per issuer, the links
// that still stand; the first role change after which the issuer may not issue a link on its
// project revokes the link for good (a later grant does not bring it back), and a link whose
// issuer may not issue it is revoked as it is issued. Rows besides the links':
// {"member", tenant, member} the member's roles, {"issued", tenant, member} its standing links.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "directory_projection.h"
#include "doc_cache.h"

namespace tandem {

struct ReportLinkDoc {
  std::string tenant, project, link_id, report;
  int64_t expires_at_us = 0;
  bool client = false;
  bool revoked = false;
  std::string issuer;  // the member who issued it (the event's actor)

  void ToJson(boost::json::object* out) const;
  void FromJson(const boost::json::object& in);
};

// The links a member issued that still stand, as (project, token hash): what a change of the
// member's roles must look at. Revoked links leave it.
struct IssuedLinksDoc {
  std::vector<std::pair<std::string, std::string>> links;
  void ToJson(boost::json::object* out) const;
  bool FromJson(const boost::json::object& in);
};

struct ReportLinkIdDoc {
  std::string token_sha256;
  void ToJson(boost::json::object* out) const;
  void FromJson(const boost::json::object& in);
};

class ReportLinksProjection : public Projection {
 public:
  explicit ReportLinksProjection(std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)) {}
  static constexpr std::string_view kName = "report-links";
  std::string_view name() const override { return kName; }
  // 2: a link's row names its issuer (ReadReportByLink checks the issuer still stands).
  // 3: an issuer's loss of the right to issue a link revokes it for good.
  uint32_t version() const override { return 3; }
  bool gates_reads() const override { return true; }
  // A token's row is claimed by the first issue in the log of any project: folded in log order
  // (projects_fold_apart stays false).
  EventFilter filter() const override {
    return EventFilter::Of({schema::Payload::ReportLinkIssued, schema::Payload::ReportLinkRevoked,
                            schema::Payload::MemberInvited, schema::Payload::RoleGranted,
                            schema::Payload::RoleRevoked});
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
  // Whether `member` may issue a link on `project` now, as this view's own rows say.
  Status MayIssue(const std::string& tenant, const std::string& member, const std::string& project,
                  ViewRows* rows, bool* may);

  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  DocCache<ReportLinkDoc> links_{budget_.get()};
  DocCache<ReportLinkIdDoc> ids_{budget_.get()};
  DocCache<MemberEntry> members_{budget_.get()};
  DocCache<IssuedLinksDoc> issued_{budget_.get()};
};

// The row of the link whose secret hashes to `token_sha256_hex`. NotFound when there is none.
Status LoadReportLink(const RowReader& rows, const std::string& token_sha256_hex,
                      ReportLinkDoc* out);

}  // namespace tandem
