// The catalogue of views: which projections are stored, and which readable views read them.
// A new view adds its projection to StoredViews() and its reader to ReadableViews().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "row_cache_budget.h"
#include "view_access.h"

namespace tandem {

struct StoredView {
  std::string name;
  // A fresh projection whose row caches charge `budget`.
  std::function<std::unique_ptr<Projection>(const std::shared_ptr<RowCacheBudget>& budget)> make;
};
const std::vector<StoredView>& StoredViews();

// What CSV prints of a view: the array `member` of its JSON, one line per element, under the
// header `columns` (the same whatever the rows, so an empty list still has its header).
struct CsvRows {
  std::string member;
  std::vector<std::string> columns;
};

struct ReadableView {
  std::string name;
  // Request fields the view cannot do without ("project", "member", ...).
  std::vector<std::string> required;
  // The stored views it reads, besides the directory.
  std::vector<std::string> stored;
  // Renders the view into `out`, and says what of it CSV prints.
  std::function<Status(const QueryContext& ctx, boost::json::object* out, CsvRows* csv)> read;
};
const std::vector<ReadableView>& ReadableViews();

// Readers, one per view family (each in its own file).
Status ReadTimeline(const QueryContext& ctx, bool internal, boost::json::object* out, CsvRows* csv);
Status ReadActionItems(const QueryContext& ctx, boost::json::object* out, CsvRows* csv);
Status ReadFeed(const QueryContext& ctx, boost::json::object* out, CsvRows* csv);
Status ReadBoard(const QueryContext& ctx, boost::json::object* out, CsvRows* csv);
Status ReadThreads(const QueryContext& ctx, boost::json::object* out, CsvRows* csv);
Status ReadFiles(const QueryContext& ctx, boost::json::object* out, CsvRows* csv);

}  // namespace tandem
