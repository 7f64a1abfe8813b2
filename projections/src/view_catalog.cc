#include "view_catalog.h"

#include "report_facts_projection.h"
#include "report_links_projection.h"
#include "timeline_projection.h"

namespace tandem {

const std::vector<StoredView>& StoredViews() {
  static const std::vector<StoredView> kViews = {
      {"directory", [] { return std::make_unique<DirectoryProjection>(); }},
      {"client-timeline", [] { return std::make_unique<TimelineProjection>(Curation::kClient); }},
      {"internal-timeline",
       [] { return std::make_unique<TimelineProjection>(Curation::kInternal); }},
      {"client-report-facts",
       [] { return std::make_unique<ReportFactsProjection>(Curation::kClient); }},
      {"internal-report-facts",
       [] { return std::make_unique<ReportFactsProjection>(Curation::kInternal); }},
      {"report-links", [] { return std::make_unique<ReportLinksProjection>(); }},
  };
  return kViews;
}

const std::vector<ReadableView>& ReadableViews() {
  static const std::vector<ReadableView> kViews = {
      {"client-timeline",
       {"project"},
       {"client-timeline"},
       [](const QueryContext& ctx, boost::json::object* out, std::string* csv_rows) {
         *csv_rows = "milestones";
         return ReadTimeline(ctx, false, out);
       }},
      {"internal-timeline",
       {"project"},
       {"internal-timeline"},
       [](const QueryContext& ctx, boost::json::object* out, std::string* csv_rows) {
         *csv_rows = "milestones";
         return ReadTimeline(ctx, true, out);
       }},
  };
  return kViews;
}

}  // namespace tandem
