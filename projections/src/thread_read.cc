// Reading the threads: every thread of the project the asker may see (or the one --thread
// names), each with a page of its comments (--offset, --limit) in the order they were posted.
// Each comment carries the comment it replies to and the ids of the comments replying to it.
#include <algorithm>

#include "curated_read.h"
#include "json_fields.h"
#include "thread_projection.h"
#include "view_catalog.h"

namespace tandem {
namespace {

// A page never holds more comments than this, whatever the request asks.
constexpr uint64_t kMaxPage = 1000;

struct Thread {
  std::string id;
  ThreadDoc doc;
  const RowReader* rows = nullptr;  // the view holding its comments
};

// Whether the internal storage holds only the thread's place, its comments being in the client
// storage (thread_projection.h).
bool HeldByClientView(const CuratedProject& p, const ThreadDoc& doc) {
  return p.internal && doc.client && p.root.shared_with_client;
}

// For an internal reader, a client thread's place in the internal view stands for the thread
// the client view holds (thread_projection.h): `*t` becomes that thread, in its place; false
// when the client view has not folded it yet (it may be behind the internal one).
Status FromClientView(const QueryContext& ctx, Thread* t, bool* found) {
  *found = false;
  const RowReader* client = nullptr;
  Status s = ctx.Rows(CuratedName(Curation::kClient, "threads"), &client);
  if (!s.ok()) return s;
  ThreadDoc doc;
  s = LoadDoc(*client, ThreadKey(ctx.request.workspace, ctx.request.project, t->id), &doc);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  if (!doc.client) return Status::Corruption("a stored client thread is not a client thread");
  doc.seq = t->doc.seq;
  t->doc = std::move(doc);
  t->rows = client;
  *found = true;
  return Status::OK();
}

Status Replies(const RowReader& rows, const std::string& prefix, boost::json::array* out) {
  return rows.Scan(prefix, [&](std::string_view, std::string_view id) {
    out->emplace_back(id);
    return true;
  });
}

Status ThreadJson(const QueryContext& ctx, const CuratedProject& p, const Thread& t,
                  boost::json::object* out, boost::json::array* csv) {
  const std::string& ws = ctx.request.workspace;
  const std::string& project = ctx.request.project;
  std::vector<boost::json::object> items;
  Status s =
      ChunkedList::Read(*t.rows, CommentsBase(ws, project, t.id), t.doc.comments,
                        ctx.request.offset, std::min(ctx.request.limit, kMaxPage), false, &items);
  if (!s.ok()) return s;
  *out = {{"id", t.id}};
  if (p.internal) (*out)["audience"] = AudienceWord(t.doc.client);
  (*out)["anchor"] = AnchorJson(t.doc.anchor_kind, t.doc.anchor_id);
  (*out)["comment_count"] = t.doc.comments;
  boost::json::array comments;
  for (size_t i = 0; i < items.size(); ++i) {
    const boost::json::object& item = items[i];
    const std::string author = json_fields::Str(item, "author");
    boost::json::array replies;
    s = Replies(*t.rows, RepliesPrefix(ws, project, t.id, ctx.request.offset + i), &replies);
    if (!s.ok()) return s;
    boost::json::object c{{"id", json_fields::Str(item, "id")},
                          {"author", author},
                          {"author_name", ctx.directory.NameOf(author)},
                          {"author_side", ctx.directory.SideOf(author)},
                          {"at_us", json_fields::Int(item, "at_us")},
                          {"body", json_fields::Str(item, "body")},
                          {"reply_to", json_fields::Str(item, "reply_to")},
                          {"replies", std::move(replies)}};
    if (csv != nullptr) {
      boost::json::object row{{"thread", t.id}};
      if (p.internal) row["audience"] = AudienceWord(t.doc.client);
      row["anchor_kind"] = t.doc.anchor_kind;
      row["anchor_id"] = t.doc.anchor_id;
      for (const auto& [k, v] : c) row[k] = v;
      csv->push_back(std::move(row));
    }
    comments.push_back(std::move(c));
  }
  (*out)["comments"] = std::move(comments);
  return Status::OK();
}

}  // namespace

Status ReadThreads(const QueryContext& ctx, boost::json::object* out, CsvRows* csv_rows) {
  CuratedProject p;
  Status s = OpenCuratedProject(ctx, "threads", &p);
  if (!s.ok()) return s;
  const std::string& ws = ctx.request.workspace;
  const std::string& project = ctx.request.project;
  std::vector<Thread> threads;
  if (!ctx.request.thread.empty()) {
    // As in commands (ResolveId), a client-side asker may leave out its namespace: the id as
    // given if the asker sees such a thread, else the client's own.
    std::vector<std::string> ids = {ctx.request.thread};
    const std::string own = "client:" + ctx.asker.client_id + ":";
    if (ctx.asker.client_side() && !ctx.request.thread.starts_with(own)) {
      ids.push_back(own + ctx.request.thread);
    }
    bool found = false;
    Thread t;
    for (size_t i = 0; i < ids.size() && !found; ++i) {
      t = Thread{ids[i], {}, p.rows};
      s = LoadDoc(*p.rows, ThreadKey(ws, project, t.id), &t.doc);
      found = s.ok() && (p.internal || t.doc.client);
      if (s.IsNotFound()) s = Status::OK();
      if (found && HeldByClientView(p, t.doc)) s = FromClientView(ctx, &t, &found);
      if (!s.ok()) return s;
    }
    if (!found) return NotFoundView("thread '" + ctx.request.thread + "'");
    threads.push_back(std::move(t));
  } else {
    s = ScanDocs<ThreadDoc>(*p.rows, ThreadsPrefix(ws, project),
                            [&](const std::string& id, ThreadDoc doc) {
                              if (p.internal || doc.client) {
                                threads.push_back({id, std::move(doc), p.rows});
                              }
                            });
    if (!s.ok()) return s;
    std::sort(threads.begin(), threads.end(),
              [](const Thread& a, const Thread& b) { return a.doc.seq < b.doc.seq; });
    if (p.internal) {
      std::vector<Thread> held;
      for (Thread& t : threads) {
        bool found = true;
        if (HeldByClientView(p, t.doc)) s = FromClientView(ctx, &t, &found);
        if (!s.ok()) return s;
        if (found) held.push_back(std::move(t));
      }
      threads = std::move(held);
    }
  }
  const bool csv = ctx.request.format == ViewFormat::kCsv;
  boost::json::array list, rows;
  for (const Thread& t : threads) {
    boost::json::object o;
    s = ThreadJson(ctx, p, t, &o, csv ? &rows : nullptr);
    if (!s.ok()) return s;
    list.push_back(std::move(o));
  }
  (*out)["project"] = project;
  (*out)["offset"] = ctx.request.offset;
  (*out)["limit"] = std::min(ctx.request.limit, kMaxPage);
  (*out)["threads"] = std::move(list);
  if (csv) (*out)["comments"] = std::move(rows);
  // One line per comment of the page, as ThreadJson writes it.
  csv_rows->member = "comments";
  csv_rows->columns = {"thread"};
  if (p.internal) csv_rows->columns.push_back("audience");
  csv_rows->columns.insert(csv_rows->columns.end(),
                           {"anchor_kind", "anchor_id", "id", "author", "author_name",
                            "author_side", "at_us", "body", "reply_to", "replies"});
  return Status::OK();
}

}  // namespace tandem
