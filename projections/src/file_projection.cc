#include "file_projection.h"

#include "json_fields.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Int;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

std::string FileRowKey(const std::string& tenant, const std::string& project,
                       const std::string& file) {
  return ViewKey({tenant, project, "f", file});
}

std::string NameKey(const std::string& tenant, const std::string& project, bool client,
                    const std::string& name) {
  return ViewKey({tenant, project, "n", client ? "client" : "internal", name});
}

}  // namespace

std::string FilesPrefix(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, project, "f"});
}

std::string VersionsBase(const std::string& tenant, const std::string& project,
                         const std::string& file) {
  return ViewKey({tenant, project, "v", file});
}

std::string RequestKey(const std::string& tenant, const std::string& project,
                       const std::string& request) {
  return ViewKey({tenant, project, "q", request});
}

Status FileProjection::Apply(const schema::Event& event, ViewRows* rows) {
  const Payload type = event.payload_type();
  if (type != Payload::ProjectCreated && type != Payload::FileUploaded &&
      type != Payload::DocumentRequested) {
    return Status::OK();
  }
  ProjectRoot* root = nullptr;
  Status s = roots_.Resolve(curation_, event, rows, &root);
  if (!s.ok() || root == nullptr) return s;  // a creation, or a project never created
  const std::string& tenant = roots_.tenant();
  const std::string& project = roots_.project();
  if (type == Payload::FileUploaded) return Upload(event, rows, tenant, project, root);
  const auto* e = event.payload_as_DocumentRequested();
  const std::string key = RequestKey(tenant, project, S(e->request_id()));
  NoteDoc* title = nullptr;
  s = notes_.Create(*rows, key, &title);
  if (!s.ok() || title == nullptr) return s;  // the first request decides
  title->text = S(e->title());
  return s;
}

Status FileProjection::Upload(const schema::Event& event, ViewRows* rows, const std::string& tenant,
                              const std::string& project, ProjectRoot* root) {
  const auto* e = event.payload_as_FileUploaded();
  // As in the domain, an upload's own audience places it among the client or internal files.
  const bool client = event.audience() == schema::Audience::Client;
  const std::string file_id = S(e->file_id()), name = S(e->name());
  const std::string file_key = FileRowKey(tenant, project, file_id);
  const std::string name_key = NameKey(tenant, project, client, name);
  FileDoc* file = nullptr;
  Status s = files_.Find(*rows, file_key, &file);
  if (!s.ok()) return s;
  if (file != nullptr && (file->client != client || file->name != name)) {
    return Status::OK();  // an id is one file
  }
  const NoteDoc* holder = nullptr;
  s = notes_.Peek(*rows, name_key, &holder);
  if (!s.ok()) return s;
  if (holder != nullptr && holder->text != file_id) return Status::OK();  // a name is one file
  if (file == nullptr) {
    NoteDoc* named = nullptr;
    s = notes_.Get(*rows, name_key, &named);
    if (s.ok()) s = files_.Get(*rows, file_key, &file);
    if (!s.ok()) return s;
    named->text = file_id;
    file->seq = root->next_seq++;
    file->name = name;
    file->client = client;
    file->anchor_kind = AnchorKindOf(e->anchor());
    file->anchor_id = AnchorIdOf(e->anchor());
    file->request_id = S(e->request_id());
  }
  const uint64_t index = file->versions++;
  file->latest_version = e->version();
  versions_.Append(VersionsBase(tenant, project, file_id), index, [&](JsonLine& line) {
    line.UInt("version", e->version())
        .Str("by", event.actor())
        .Int("at_us", event.recorded_at_us())
        .UInt("size", e->size())
        .Str("sha256", e->sha256())
        .Str("content_type", e->content_type())
        .Str("name", name)
        .Str("request", e->request_id());
  });
  return Status::OK();
}

Status FileProjection::Flush(ViewRows* rows) {
  roots_.Flush(rows);
  files_.Flush(rows);
  notes_.Flush(rows);
  return versions_.Flush(rows);
}

void FileProjection::Forget() {
  roots_.Forget();
  files_.Forget();
  notes_.Forget();
  versions_.Forget();
}

}  // namespace tandem
