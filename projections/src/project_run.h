// ProjectRun: what a fold resolved for the project of the event before, kept for the next one.
//
// Why: a catch-up round hands a view its events grouped by project (round_events.h), about a
// hundred of a project's events in a row. Each of them named its tenant and project again
// (copied and checked as UTF-8), built its project row's key and looked the row up in the
// view's DocCache: the same work, with the same answer, on every event of the run.
//
// An event is of the same run when its tenant and stream are byte for byte those of the event
// resolved before: names that differ but read alike once sanitised (written past the rules) are
// resolved again, as before. The row is held through its cache entry, read again at each event
// (a ProjectCreated of the run creates it), and only while the cache has freed no entry since
// (DocCache::epoch: its Flush and Forget change it).
#pragma once

#include <string>
#include <string_view>

#include "directory_projection.h"
#include "doc_cache.h"
#include "json_fields.h"

namespace tandem {

template <class Doc>
class ProjectRun {
 public:
  using KeyOf = std::string (*)(const std::string& tenant, const std::string& project);

  // `cache` holds the project rows, each under key_of(tenant, project); it must outlive this.
  ProjectRun(DocCache<Doc>* cache, KeyOf key_of) : cache_(cache), key_of_(key_of) {}
  ProjectRun(const ProjectRun&) = delete;
  ProjectRun& operator=(const ProjectRun&) = delete;

  // Names the project of `event` and opens its row, as DocCache::Open would. An event of no
  // project stream leaves project() empty and opens nothing.
  Status Open(const schema::Event& event, const RowReader& rows) {
    const std::string_view tenant = Bytes(event.tenant());
    const std::string_view stream = Bytes(event.stream_id());
    if (valid_ && epoch_ == cache_->epoch() && tenant == raw_tenant_ && stream == raw_stream_) {
      if (!project_.empty()) cache_->Refresh(&row_);
      return Status::OK();
    }
    valid_ = false;
    raw_tenant_.assign(tenant);
    raw_stream_.assign(stream);
    tenant_ = json_fields::S(event.tenant());
    project_ = ProjectOfStream(stream);
    row_ = {};
    key_.clear();
    if (!project_.empty()) {
      key_ = key_of_(tenant_, project_);
      Status s = cache_->Open(rows, key_, &row_);
      if (!s.ok()) return s;
    }
    epoch_ = cache_->epoch();
    valid_ = true;
    return Status::OK();
  }

  // The event's tenant and project (sanitised, as its rows' keys spell them); the project is
  // empty for an event of another stream.
  const std::string& tenant() const { return tenant_; }
  const std::string& project() const { return project_; }
  // The project row's key, and the row (a null doc while the project has none).
  const std::string& key() const { return key_; }
  typename DocCache<Doc>::Ref& row() { return row_; }

 private:
  static std::string_view Bytes(const flatbuffers::String* s) {
    return s == nullptr ? std::string_view() : s->string_view();
  }

  DocCache<Doc>* cache_;
  KeyOf key_of_;
  bool valid_ = false;
  uint64_t epoch_ = 0;
  std::string raw_tenant_, raw_stream_;
  std::string tenant_, project_, key_;
  typename DocCache<Doc>::Ref row_;
};

}  // namespace tandem
