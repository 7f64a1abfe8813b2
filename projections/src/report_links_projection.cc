#include "report_links_projection.h"

#include "directory_projection.h"
#include "json_fields.h"
#include "tandem/domain/client_visibility.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Bool;
using json_fields::Int;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

std::string TokenKey(const std::string& hex) { return ViewKey({"token", hex}); }
std::string IdKey(const std::string& tenant, const std::string& project,
                  const std::string& link_id) {
  return ViewKey({"id", tenant, project, link_id});
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

void ReportLinkDoc::ToJson(boost::json::object* out) const {
  *out = {{"tenant", tenant},
          {"project", project},
          {"link", link_id},
          {"report", report},
          {"expires_at_us", expires_at_us},
          {"client", client},
          {"revoked", revoked},
          {"issuer", issuer}};
}
void ReportLinkDoc::FromJson(const boost::json::object& in) {
  tenant = Str(in, "tenant");
  project = Str(in, "project");
  link_id = Str(in, "link");
  report = Str(in, "report");
  expires_at_us = Int(in, "expires_at_us");
  client = Bool(in, "client");
  revoked = Bool(in, "revoked");
  issuer = Str(in, "issuer");
}

void ReportLinkIdDoc::ToJson(boost::json::object* out) const {
  *out = {{"token_sha256", token_sha256}};
}
void ReportLinkIdDoc::FromJson(const boost::json::object& in) {
  token_sha256 = Str(in, "token_sha256");
}

Status ReportLinksProjection::Apply(const schema::Event& event, ViewRows* rows) {
  const Payload type = event.payload_type();
  if (type != Payload::ReportLinkIssued && type != Payload::ReportLinkRevoked) {
    return Status::OK();
  }
  const std::string tenant = S(event.tenant());
  const std::string project = ProjectOfStream(event.stream_id()->string_view());
  if (project.empty()) return Status::OK();
  if (type == Payload::ReportLinkIssued) {
    const auto* e = event.payload_as_ReportLinkIssued();
    const std::string hex = NormalHash(S(e->token_sha256()));
    const std::string link_id = S(e->link_id());
    if (hex.empty()) return Status::OK();
    const ReportLinkIdDoc* id = nullptr;
    const ReportLinkDoc* taken = nullptr;
    Status s = ids_.Peek(*rows, IdKey(tenant, project, link_id), &id);
    if (s.ok()) s = links_.Peek(*rows, TokenKey(hex), &taken);
    if (!s.ok() || id != nullptr || taken != nullptr) return s;
    ReportLinkIdDoc* new_id = nullptr;
    ReportLinkDoc* link = nullptr;
    s = ids_.Get(*rows, IdKey(tenant, project, link_id), &new_id);
    if (s.ok()) s = links_.Get(*rows, TokenKey(hex), &link);
    if (!s.ok()) return s;
    new_id->token_sha256 = hex;
    *link = {tenant,
             project,
             link_id,
             S(e->report()),
             e->expires_at_us(),
             SharedWithClient(event),
             false,
             S(event.actor())};
    return Status::OK();
  }
  const auto* e = event.payload_as_ReportLinkRevoked();
  const std::string link_id = S(e->link_id());
  const ReportLinkIdDoc* id = nullptr;
  Status s = ids_.Peek(*rows, IdKey(tenant, project, link_id), &id);
  if (!s.ok() || id == nullptr) return s;
  ReportLinkDoc* link = nullptr;
  s = links_.Find(*rows, TokenKey(id->token_sha256), &link);
  if (!s.ok() || link == nullptr) return s;
  if (link->tenant == tenant && link->project == project && link->link_id == link_id) {
    link->revoked = true;
  }
  return Status::OK();
}

Status ReportLinksProjection::Flush(ViewRows* rows) {
  links_.Flush(rows);
  ids_.Flush(rows);
  return Status::OK();
}

void ReportLinksProjection::Forget() {
  links_.Forget();
  ids_.Forget();
}

Status LoadReportLink(const RowReader& rows, const std::string& token_sha256_hex,
                      ReportLinkDoc* out) {
  std::string value;
  Status s = rows.Get(TokenKey(token_sha256_hex), &value);
  if (!s.ok()) return s;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("a report link row is damaged");
  out->FromJson(v.get_object());
  return Status::OK();
}

}  // namespace tandem
