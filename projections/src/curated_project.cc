#include "curated_project.h"

#include "directory_projection.h"
#include "json_fields.h"
#include "view_key.h"

namespace tandem {

using json_fields::Int;
using json_fields::S;
using json_fields::Str;

void ProjectRoot::Write(JsonLine* out) const {
  out->Str("client", client_id).UInt("next_seq", next_seq);
  if (!shared_with_client) out->Bool("unshared", true);
}

void ProjectRoot::FromJson(const boost::json::object& in) {
  client_id = Str(in, "client");
  next_seq = static_cast<uint64_t>(Int(in, "next_seq"));
  shared_with_client = !json_fields::Bool(in, "unshared");
}

std::string ProjectRootKey(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, project});
}

Status ProjectRoots::Resolve(Curation curation, const schema::Event& event, ViewRows* rows,
                             ProjectRoot** root) {
  *root = nullptr;
  if (!Admits(curation, event)) return Status::OK();
  Status s = run_.Open(event, *rows);
  if (!s.ok() || run_.project().empty()) return s;
  DocCache<ProjectRoot>::Ref& row = run_.row();
  if (event.payload_type() != schema::Payload::ProjectCreated) {
    if (row.doc != nullptr) row.Changed();
    *root = row.doc;
    return Status::OK();
  }
  ProjectRoot* created = nullptr;
  s = roots_.Create(*rows, run_.key(), &created);
  if (!s.ok() || created == nullptr) return s;  // the first creation decides
  created->client_id = S(event.payload_as_ProjectCreated()->client_id());
  created->shared_with_client = SharedWithClient(event);
  return s;
}

boost::json::value AnchorJson(const std::string& kind, const std::string& id) {
  if (kind.empty()) return nullptr;
  return boost::json::object{{"kind", kind}, {"id", id}};
}

std::string AnchorKindOf(const schema::Anchor* anchor) {
  if (anchor == nullptr) return "";
  switch (anchor->kind()) {
    case schema::AnchorKind::Project:
      return "project";
    case schema::AnchorKind::Milestone:
      return "milestone";
    case schema::AnchorKind::Card:
      return "card";
    case schema::AnchorKind::File:
      return "file";
    default:
      return "";
  }
}

std::string AnchorIdOf(const schema::Anchor* anchor) {
  return anchor == nullptr || AnchorKindOf(anchor).empty() ? "" : S(anchor->id());
}

}  // namespace tandem
