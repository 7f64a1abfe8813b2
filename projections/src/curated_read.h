// What the readers of the per-project curated views share: which of the two storages the
// asker reads (a client-side asker the client-curated one, a firm member with a role on the
// project the internal one), and typed reads of stored rows that trust nothing on disk.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "curated_project.h"
#include "view_access.h"

namespace tandem {

struct CuratedProject {
  bool internal = false;            // the asker reads the internal storage
  const RowReader* rows = nullptr;  // the storage the asker reads
  ProjectRoot root;
};

// The request's project in the storage of `base` ("board", ...) the asker may read; the
// project being missing, hidden, or absent from that storage is the same NotFound.
Status OpenCuratedProject(const QueryContext& ctx, const std::string& base, CuratedProject* out);

// The parts of `key` after `prefix` (a ViewKey that `key` extends); false when not a key.
bool SplitViewKeyTail(std::string_view key, std::string_view prefix,
                      std::vector<std::string>* parts);

// The stored row under `key` decoded into `doc`: NotFound when absent, Corruption when the
// row is not a JSON object.
template <class Doc>
Status LoadDoc(const RowReader& rows, const std::string& key, Doc* doc) {
  std::string value;
  Status s = rows.Get(key, &value);
  if (!s.ok()) return s;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("a stored view row is not a JSON object");
  *doc = Doc();
  ReadRow(v.get_object(), doc);
  return Status::OK();
}

// Visits the rows under `prefix` decoded, with the last part of each key (an id).
template <class Doc>
Status ScanDocs(const RowReader& rows, const std::string& prefix,
                const std::function<void(const std::string& id, Doc doc)>& visit) {
  Status bad;
  Status s = rows.Scan(prefix, [&](std::string_view key, std::string_view value) {
    std::vector<std::string> parts;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(value, ec);
    if (!SplitViewKeyTail(key, prefix, &parts) || parts.size() != 1 || ec || !v.is_object()) {
      bad = Status::Corruption("a stored view row is damaged");
      return false;
    }
    Doc doc;
    ReadRow(v.get_object(), &doc);
    visit(parts[0], std::move(doc));
    return true;
  });
  return s.ok() ? bad : s;
}

// The audience word readers see.
inline const char* AudienceWord(bool client) { return client ? "client" : "internal"; }

}  // namespace tandem
