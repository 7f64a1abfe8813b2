// Reading the activity feed: a page of a project's lines, newest first, with members named.
#include <algorithm>

#include "feed_projection.h"
#include "json_fields.h"
#include "snippet.h"
#include "tandem/basics/utf8.h"
#include "view_catalog.h"

namespace tandem {
namespace {

constexpr uint64_t kMaxPage = 500;

// The line's text: its parts, members by their display names; and the members it names, in
// order, each with its side (a name alone proves nothing).
std::string Render(const QueryContext& ctx, const boost::json::object& item,
                   boost::json::array* named) {
  std::string text;
  const boost::json::value* parts = item.if_contains("parts");
  if (parts == nullptr || !parts->is_array()) return text;
  for (const auto& part : parts->get_array()) {
    if (part.is_string()) {
      text += std::string_view(part.get_string());
    } else if (part.is_object()) {
      const std::string member = utf8::Sanitize(json_fields::Str(part.get_object(), "m"));
      text += Snippet(ctx.directory.NameOf(member), 80);
      named->push_back({{"id", member}, {"side", ctx.directory.SideOf(member)}});
    }
  }
  return text;
}

}  // namespace

Status ReadFeed(const QueryContext& ctx, boost::json::object* out, CsvRows* csv) {
  *csv = {"lines", {"at_us", "kind", "actor", "actor_side", "line", "named"}};
  ProjectEntry project;
  Status s = ctx.VisibleProject(&project);
  if (!s.ok()) return s;
  const std::string what = "project '" + ctx.request.project + "'";
  const RowReader* rows = nullptr;
  s = ctx.Rows(std::string(FeedProjection::kName), &rows);
  if (!s.ok()) return s;
  std::string value;
  s = rows->Get(FeedProjectKey(ctx.request.workspace, ctx.request.project), &value);
  if (s.IsNotFound()) return NotFoundView(what);
  if (!s.ok()) return s;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("a feed row is damaged");
  FeedProject doc;
  ReadRow(v.get_object(), &doc);
  uint64_t count = 0;
  s = LoadFeedCount(*rows, ctx.request.workspace, ctx.request.project, &count);
  if (!s.ok()) return s;
  // 0: the total alone, as a thread's comments with --limit 0 (no page, so no next one).
  const uint64_t limit = std::min(ctx.request.limit, kMaxPage);
  const uint64_t offset = ctx.request.offset;
  std::vector<boost::json::object> items;
  if (offset < count) {
    s = ChunkedList::Read(*rows, FeedLinesKey(ctx.request.workspace, ctx.request.project), count,
                          offset, limit, /*newest_first=*/true, &items);
    if (!s.ok()) return s;
  }
  boost::json::array lines;
  for (const boost::json::object& item : items) {
    const std::string actor = utf8::Sanitize(json_fields::Str(item, "actor"));
    boost::json::array named;
    std::string line = Render(ctx, item, &named);
    lines.push_back({{"at_us", json_fields::Int(item, "at_us")},
                     {"kind", json_fields::Str(item, "kind")},
                     {"actor", actor},
                     {"actor_side", ctx.directory.SideOf(actor)},
                     {"line", std::move(line)},
                     {"named", std::move(named)}});
  }
  const uint64_t next = limit == 0 ? count : offset + items.size();
  *out = {{"project", ctx.request.project},
          {"total", count},
          {"offset", offset},
          {"limit", limit},
          {"next_offset", next < count ? boost::json::value(next) : boost::json::value()},
          {"lines", std::move(lines)}};
  return Status::OK();
}

}  // namespace tandem
