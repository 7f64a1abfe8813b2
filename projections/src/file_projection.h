// The files of each project: each file with its anchor, the document request it answered,
// and every version uploaded (version, who, when, size, sha256, content type, name). The client
// view (Curation::kClient) folds only client uploads and client requests.
//
// Rows (keys extend the project's root row, curated_project.h):
//   {tenant, project, "f", file}             the file: name, audience, anchor, request, count
//   {tenant, project, "v", file} + chunk     its versions (ChunkedList: re-uploads never grow
//                                            a row)
//   {tenant, project, "n", audience/name}    which file holds a name
//   {tenant, project, "q", request}          a document request's title, for readers
//
// The rules are the domain's (project_state.cc): client and internal files live side by side
// (the same name in each is two files); an id is one file and a name is one file, so an upload
// naming an id of another name, or a name held by another id, changes nothing.
#pragma once

#include <string>

#include "chunked_list.h"
#include "curated_project.h"
#include "row_fields.h"

namespace tandem {

struct FileDoc {
  uint64_t seq = 0;  // order of the first upload
  std::string name;
  bool client = false;
  std::string anchor_kind, anchor_id, request_id;
  uint64_t versions = 0;
  uint64_t latest_version = 0;

  static constexpr std::tuple kFields{Field("seq", &FileDoc::seq),
                                      Field("name", &FileDoc::name),
                                      Field("client", &FileDoc::client),
                                      Field("anchor_kind", &FileDoc::anchor_kind),
                                      Field("anchor_id", &FileDoc::anchor_id),
                                      Field("request", &FileDoc::request_id),
                                      Field("versions", &FileDoc::versions),
                                      Field("latest_version", &FileDoc::latest_version)};
};

// A one-field row: a name's file, a request's title.
struct NoteDoc {
  std::string text;

  static constexpr std::tuple kFields{Field("text", &NoteDoc::text)};
};

class FileProjection : public Projection {
 public:
  FileProjection(Curation curation, std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)), curation_(curation), name_(CuratedName(curation, "files")) {}
  std::string_view name() const override { return name_; }
  uint32_t version() const override { return 2; }
  bool projects_fold_apart() const override { return true; }
  EventFilter filter() const override {
    using schema::Payload;
    return Curated(curation_, EventFilter::Of({Payload::ProjectCreated, Payload::FileUploaded,
                                               Payload::DocumentRequested}));
  }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  Status Upload(const schema::Event& event, ViewRows* rows, const std::string& tenant,
                const std::string& project, ProjectRoot* root);

  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  Curation curation_;
  std::string name_;
  ProjectRoots roots_{budget_.get()};
  DocCache<FileDoc> files_{budget_.get()};
  DocCache<NoteDoc> notes_{budget_.get()};
  ChunkedList versions_;
};

std::string FilesPrefix(const std::string& tenant, const std::string& project);
std::string VersionsBase(const std::string& tenant, const std::string& project,
                         const std::string& file);
std::string RequestKey(const std::string& tenant, const std::string& project,
                       const std::string& request);

}  // namespace tandem
