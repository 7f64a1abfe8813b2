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
namespace {

template <class P, class... Args>
StoredView Stored(std::string name, Args... args) {
  return {std::move(name), [=](const std::shared_ptr<RowCacheBudget>& budget) {
            return std::make_unique<P>(args..., budget);
          }};
}

}  // namespace

const std::vector<StoredView>& StoredViews() {
  static const std::vector<StoredView> kViews = {
      Stored<DirectoryProjection>("directory"),
      Stored<TimelineProjection>("client-timeline", Curation::kClient),
      Stored<TimelineProjection>("internal-timeline", Curation::kInternal),
      Stored<ActionItemsProjection>("action-items"),
      Stored<FeedProjection>("client-feed"),
      Stored<BoardProjection>("client-board", Curation::kClient),
      Stored<BoardProjection>("internal-board", Curation::kInternal),
      Stored<ThreadProjection>("client-threads", Curation::kClient),
      Stored<ThreadProjection>("internal-threads", Curation::kInternal),
      Stored<FileProjection>("client-files", Curation::kClient),
      Stored<FileProjection>("internal-files", Curation::kInternal),
      Stored<ReportFactsProjection>("client-report-facts", Curation::kClient),
      Stored<ReportFactsProjection>("internal-report-facts", Curation::kInternal),
      Stored<ReportLinksProjection>("report-links"),
  };
  return kViews;
}

const std::vector<ReadableView>& ReadableViews() {
  static const std::vector<ReadableView> kViews = {
      {"client-timeline",
       {"project"},
       {"client-timeline"},
       [](const QueryContext& ctx, boost::json::object* out, CsvRows* csv) {
         return ReadTimeline(ctx, false, out, csv);
       }},
      {"internal-timeline",
       {"project"},
       {"internal-timeline"},
       [](const QueryContext& ctx, boost::json::object* out, CsvRows* csv) {
         return ReadTimeline(ctx, true, out, csv);
       }},
      {"action-items", {"member"}, {"action-items"}, ReadActionItems},
      {"feed", {"project"}, {"client-feed"}, ReadFeed},
      {"board", {"project"}, {"client-board", "internal-board"}, ReadBoard},
      {"threads", {"project"}, {"client-threads", "internal-threads"}, ReadThreads},
      {"files", {"project"}, {"client-files", "internal-files"}, ReadFiles},
  };
  return kViews;
}

}  // namespace tandem
