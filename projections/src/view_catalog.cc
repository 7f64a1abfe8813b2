#include "view_catalog.h"

#include "action_items_projection.h"
#include "board_projection.h"
#include "feed_projection.h"
#include "file_projection.h"
#include "report_facts_projection.h"
#include "report_links_projection.h"
#include "thread_projection.h"
#include "timeline_projection.h"

namespace tandem {

const std::vector<StoredView>& StoredViews() {
  static const std::vector<StoredView> kViews = {
      {"directory", [] { return std::make_unique<DirectoryProjection>(); }},
      {"client-timeline", [] { return std::make_unique<TimelineProjection>(Curation::kClient); }},
      {"internal-timeline",
       [] { return std::make_unique<TimelineProjection>(Curation::kInternal); }},
      {"action-items", [] { return std::make_unique<ActionItemsProjection>(); }},
      {"client-feed", [] { return std::make_unique<FeedProjection>(); }},
      {"client-board", [] { return std::make_unique<BoardProjection>(Curation::kClient); }},
      {"internal-board", [] { return std::make_unique<BoardProjection>(Curation::kInternal); }},
      {"client-threads", [] { return std::make_unique<ThreadProjection>(Curation::kClient); }},
      {"internal-threads", [] { return std::make_unique<ThreadProjection>(Curation::kInternal); }},
      {"client-files", [] { return std::make_unique<FileProjection>(Curation::kClient); }},
      {"internal-files", [] { return std::make_unique<FileProjection>(Curation::kInternal); }},
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
      {"action-items",
       {"member"},
       {"action-items"},
       [](const QueryContext& ctx, boost::json::object* out, std::string* csv_rows) {
         *csv_rows = "items";
         return ReadActionItems(ctx, out);
       }},
      {"feed",
       {"project"},
       {"client-feed"},
       [](const QueryContext& ctx, boost::json::object* out, std::string* csv_rows) {
         *csv_rows = "lines";
         return ReadFeed(ctx, out);
       }},
      {"board", {"project"}, {"client-board", "internal-board"}, ReadBoard},
      {"threads", {"project"}, {"client-threads", "internal-threads"}, ReadThreads},
      {"files", {"project"}, {"client-files", "internal-files"}, ReadFiles},
  };
  return kViews;
}

}  // namespace tandem
