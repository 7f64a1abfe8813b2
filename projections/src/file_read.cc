// Reading the files: every file of the project the asker may see, in order of first upload,
// each with its anchor, the request it answered and every version, oldest first.
#include <algorithm>

#include "curated_read.h"
#include "file_projection.h"
#include "json_fields.h"
#include "view_catalog.h"

namespace tandem {
namespace {

struct File {
  std::string id;
  FileDoc doc;
};

Status RequestJson(const CuratedProject& p, const QueryContext& ctx, const std::string& id,
                   boost::json::value* out) {
  if (id.empty()) {
    *out = nullptr;
    return Status::OK();
  }
  NoteDoc title;
  Status s = LoadDoc(*p.rows, RequestKey(ctx.request.workspace, ctx.request.project, id), &title);
  if (!s.ok() && !s.IsNotFound()) return s;
  *out = boost::json::object{{"id", id}, {"title", title.text}};
  return Status::OK();
}

}  // namespace

Status ReadFiles(const QueryContext& ctx, boost::json::object* out, CsvRows* csv_rows) {
  CuratedProject p;
  Status s = OpenCuratedProject(ctx, "files", &p);
  if (!s.ok()) return s;
  const std::string& ws = ctx.request.workspace;
  const std::string& project = ctx.request.project;
  std::vector<File> files;
  s = ScanDocs<FileDoc>(*p.rows, FilesPrefix(ws, project), [&](const std::string& id, FileDoc doc) {
    if (p.internal || doc.client) files.push_back({id, std::move(doc)});
  });
  if (!s.ok()) return s;
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return a.doc.seq < b.doc.seq; });
  const bool csv = ctx.request.format == ViewFormat::kCsv;
  boost::json::array list, rows;
  for (const File& f : files) {
    std::vector<boost::json::object> items;
    s = ChunkedList::Read(*p.rows, VersionsBase(ws, project, f.id), f.doc.versions, 0,
                          f.doc.versions, false, &items);
    if (!s.ok()) return s;
    boost::json::value request;
    s = RequestJson(p, ctx, f.doc.request_id, &request);
    if (!s.ok()) return s;
    boost::json::object o{{"id", f.id}, {"name", f.doc.name}};
    if (p.internal) o["audience"] = AudienceWord(f.doc.client);
    o["anchor"] = AnchorJson(f.doc.anchor_kind, f.doc.anchor_id);
    o["request"] = request;
    o["latest_version"] = f.doc.latest_version;
    o["version_count"] = f.doc.versions;
    boost::json::array versions;
    for (const boost::json::object& item : items) {
      const std::string by = json_fields::Str(item, "by");
      boost::json::object v{{"version", json_fields::Int(item, "version")},
                            {"by", by},
                            {"by_name", ctx.directory.NameOf(by)},
                            {"by_side", ctx.directory.SideOf(by)},
                            {"at_us", json_fields::Int(item, "at_us")},
                            {"size", json_fields::Int(item, "size")},
                            {"sha256", json_fields::Str(item, "sha256")},
                            {"content_type", json_fields::Str(item, "content_type")},
                            {"name", json_fields::Str(item, "name")}};
      if (csv) {
        boost::json::object row{{"file", f.id}};
        if (p.internal) row["audience"] = AudienceWord(f.doc.client);
        row["anchor_kind"] = f.doc.anchor_kind;
        row["anchor_id"] = f.doc.anchor_id;
        row["request"] = f.doc.request_id;
        for (const auto& [k, val] : v) row[k] = val;
        rows.push_back(std::move(row));
      }
      versions.push_back(std::move(v));
    }
    o["versions"] = std::move(versions);
    list.push_back(std::move(o));
  }
  (*out)["project"] = project;
  (*out)["files"] = std::move(list);
  if (csv) (*out)["versions"] = std::move(rows);
  // One line per version, as written above.
  csv_rows->member = "versions";
  csv_rows->columns = {"file"};
  if (p.internal) csv_rows->columns.push_back("audience");
  csv_rows->columns.insert(csv_rows->columns.end(),
                           {"anchor_kind", "anchor_id", "request", "version", "by", "by_name",
                            "by_side", "at_us", "size", "sha256", "content_type", "name"});
  return Status::OK();
}

}  // namespace tandem
