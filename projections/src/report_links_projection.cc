#include "report_links_projection.h"

#include <algorithm>
#include <climits>
#include "json_fields.h"

#include "tandem/domain/authorization.h"
#include "tandem/domain/client_visibility.h"
#include "tandem/domain/report_links.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Int;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

std::string TokenKey(const std::string& hex) { return ViewKey({"token", hex}); }
std::string IdKey(const std::string& tenant, const std::string& project,
                  const std::string& link_id) {
  return ViewKey({"id", tenant, project, link_id});
}
std::string MemberKey(const std::string& tenant, const std::string& member) {
  return ViewKey({"member", tenant, member});
}
std::string IssuedKey(const std::string& tenant, const std::string& member) {
  return ViewKey({"issued", tenant, member});
}
std::string LinkProjectKey(const std::string& tenant, const std::string& project) {
  return ViewKey({"project", tenant, project});
}

// The hash in lower case, or "" when it is not 64 hex digits.
std::string NormalHash(std::string hex) {
  if (hex.size() != 64) return "";
  for (char& c : hex) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return hex;
}

}  // namespace

void IssuedLinksDoc::ToJson(boost::json::object* out) const {
  boost::json::object list;
  for (const auto& [hex, link] : links) {
    list[hex] = {{"project", link.project}, {"expires_at_us", link.expires_at_us}};
  }
  *out = {{"links", std::move(list)}};
}
bool IssuedLinksDoc::FromJson(const boost::json::object& in) {
  links.clear();
  const boost::json::value* list = in.if_contains("links");
  if (list == nullptr || !list->is_object()) return false;
  for (const auto& [hex, item] : list->get_object()) {
    const boost::json::object* o = item.if_object();
    if (o == nullptr) return false;
    links[std::string(hex)] = {Str(*o, "project"), Int(*o, "expires_at_us")};
  }
  return true;
}

Status ReportLinksProjection::Apply(const schema::Event& event, ViewRows* rows) {
  const Payload type = event.payload_type();
  const std::string tenant = S(event.tenant());
  // An as-of fold may hand any event (projection.h), even one the log would refuse as unnamed.
  const std::string_view stream = event.stream_id() ? event.stream_id()->string_view() : "";
  if (type == Payload::MemberInvited || type == Payload::RoleGranted ||
      type == Payload::RoleRevoked) {
    // Members as the directory folds them: from the workspace's stream only.
    return stream == "workspace" ? ApplyToMember(tenant, event, rows) : Status::OK();
  }
  const std::string project = ProjectOfStream(stream);
  if (project.empty()) return Status::OK();
  if (type == Payload::ProjectCreated) {
    // The first creation decides, as in the domain.
    LinkProjectDoc* created = nullptr;
    Status s = projects_.Create(*rows, LinkProjectKey(tenant, project), &created);
    if (s.ok() && created != nullptr) {
      created->client_id = S(event.payload_as_ProjectCreated()->client_id());
    }
    return s;
  }
  if (type != Payload::ReportLinkIssued && type != Payload::ReportLinkRevoked) {
    return Status::OK();
  }
  return type == Payload::ReportLinkIssued ? Issue(tenant, project, event, rows)
                                           : Revoke(tenant, project, event, rows);
}

Status ReportLinksProjection::RevokeLink(const std::string& tenant, const std::string& hex,
                                         ViewRows* rows) {
  ReportLinkDoc* link = nullptr;
  Status s = links_.Find(*rows, TokenKey(hex), &link);
  if (s.ok() && link != nullptr && link->tenant == tenant) link->revoked = true;
  return s;
}

Status ReportLinksProjection::ForgetExpired(const std::string& tenant, IssuedLinksDoc* issued,
                                            ViewRows* rows) {
  // No event's recorded time: the domain decided expiries by its own clock, which the log's may
  // be ahead of. The latest expiry bounds the domain's clock from below.
  int64_t latest = INT64_MIN;
  for (const auto& [hex, link] : issued->links) latest = std::max(latest, link.expires_at_us);
  // A forged expiry that far in the past bounds nothing (and must not overflow).
  if (latest < INT64_MIN + kMaxReportLinkLifetimeUs) return Status::OK();
  const int64_t now_us = latest - kMaxReportLinkLifetimeUs;
  for (auto it = issued->links.begin(); it != issued->links.end();) {
    if (it->second.expires_at_us > now_us) {
      ++it;
      continue;
    }
    Status s = RevokeLink(tenant, it->first, rows);
    if (!s.ok()) return s;
    it = issued->links.erase(it);
  }
  return Status::OK();
}

Status ReportLinksProjection::MayIssue(const std::string& tenant, const std::string& member,
                                       const std::string& project, const schema::Event& event,
                                       ViewRows* rows, bool* may) {
  *may = false;
  const MemberEntry* m = nullptr;
  const LinkProjectDoc* p = nullptr;
  Status s = members_.Peek(*rows, MemberKey(tenant, member), &m);
  if (s.ok()) s = projects_.Peek(*rows, LinkProjectKey(tenant, project), &p);
  if (!s.ok() || m == nullptr || p == nullptr) return s;
  *may = MayIssueReportLink(m->state, project, p->client_id, SharedWithClient(event));
  return s;
}

bool MayIssueReportLink(const MemberState& member, const std::string& project,
                        const std::string& project_client, bool client_link) {
  if (!RoleMayIssue(CommandType::kIssueReportLink, member.RoleOn(project))) return false;
  return member.client_id.empty() || (project_client == member.client_id && client_link);
}

Status ReportLinksProjection::Issue(const std::string& tenant, const std::string& project,
                                    const schema::Event& event, ViewRows* rows) {
  const auto* e = event.payload_as_ReportLinkIssued();
  const std::string hex = NormalHash(S(e->token_sha256()));
  const std::string link_id = S(e->link_id());
  if (hex.empty()) return Status::OK();
  const ReportLinkIdDoc* id = nullptr;
  const ReportLinkDoc* taken = nullptr;
  Status s = ids_.Peek(*rows, IdKey(tenant, project, link_id), &id);
  if (s.ok()) s = links_.Peek(*rows, TokenKey(hex), &taken);
  if (!s.ok() || id != nullptr || taken != nullptr) return s;
  const std::string issuer = S(event.actor());
  bool may = false;
  s = MayIssue(tenant, issuer, project, event, rows, &may);
  ReportLinkIdDoc* new_id = nullptr;
  ReportLinkDoc* link = nullptr;
  if (s.ok()) s = ids_.Get(*rows, IdKey(tenant, project, link_id), &new_id);
  if (s.ok()) s = links_.Get(*rows, TokenKey(hex), &link);
  if (!s.ok()) return s;
  new_id->token_sha256 = hex;
  // Issued by someone who may not (only a write past the domain's rules): revoked at birth.
  *link = {tenant, project, link_id, S(e->report()), e->expires_at_us(), SharedWithClient(event),
           !may,   issuer};
  if (!may) return Status::OK();
  IssuedLinksDoc* issued = nullptr;
  s = issued_.Get(*rows, IssuedKey(tenant, issuer), &issued);
  if (!s.ok()) return s;
  issued->links[hex] = {project, e->expires_at_us()};
  return ForgetExpired(tenant, issued, rows);
}

Status ReportLinksProjection::Revoke(const std::string& tenant, const std::string& project,
                                     const schema::Event& event, ViewRows* rows) {
  const auto* e = event.payload_as_ReportLinkRevoked();
  const std::string link_id = S(e->link_id());
  const ReportLinkIdDoc* id = nullptr;
  Status s = ids_.Peek(*rows, IdKey(tenant, project, link_id), &id);
  if (!s.ok() || id == nullptr) return s;
  const std::string hex = id->token_sha256;
  ReportLinkDoc* link = nullptr;
  s = links_.Find(*rows, TokenKey(hex), &link);
  if (!s.ok() || link == nullptr) return s;
  if (link->tenant != tenant || link->project != project || link->link_id != link_id) {
    return Status::OK();
  }
  link->revoked = true;
  IssuedLinksDoc* issued = nullptr;
  s = issued_.Find(*rows, IssuedKey(tenant, link->issuer), &issued);
  if (!s.ok() || issued == nullptr) return s;
  issued->links.erase(hex);
  return s;
}

Status ReportLinksProjection::ApplyToMember(const std::string& tenant, const schema::Event& event,
                                            ViewRows* rows) {
  std::string member;
  if (!MemberNamedBy(event, S, &member)) return Status::OK();
  MemberEntry* m = nullptr;
  MemberState before;
  Status s = FoldMemberEvent(&members_, rows, MemberKey(tenant, member), event, &m, &before);
  // A member invited just now has issued nothing.
  if (!s.ok() || m == nullptr || !before.invited()) return s;
  IssuedLinksDoc* issued = nullptr;
  s = issued_.Find(*rows, IssuedKey(tenant, member), &issued);
  if (!s.ok() || issued == nullptr) return s;
  // Each link whose project the member may no longer issue links on is revoked for good.
  for (auto it = issued->links.begin(); it != issued->links.end() && s.ok();) {
    if (RoleMayIssue(CommandType::kIssueReportLink, m->state.RoleOn(it->second.project))) {
      ++it;
      continue;
    }
    s = RevokeLink(tenant, it->first, rows);
    it = issued->links.erase(it);
  }
  return s;
}

Status ReportLinksProjection::Flush(ViewRows* rows) {
  links_.Flush(rows);
  ids_.Flush(rows);
  members_.Flush(rows);
  issued_.Flush(rows);
  projects_.Flush(rows);
  return Status::OK();
}

void ReportLinksProjection::Forget() {
  links_.Forget();
  ids_.Forget();
  members_.Forget();
  issued_.Forget();
  projects_.Forget();
}

Status LoadReportLink(const RowReader& rows, const std::string& token_sha256_hex,
                      ReportLinkDoc* out) {
  std::string value;
  Status s = rows.Get(TokenKey(token_sha256_hex), &value);
  if (!s.ok()) return s;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("a report link row is damaged");
  ReadRow(v.get_object(), out);
  return Status::OK();
}

}  // namespace tandem
