// The comment threads of each project: each thread with its anchor and audience, and its
// comments (author, when, body, the comment it replies to) in the order they were posted.
// The client view (Curation::kClient) folds only comments of client threads. The internal view
// folds the internal threads' comments; a client thread is there only as its place among the
// project's threads (a thread row with no comments, written by its first comment), and readers
// take its comments from the client view: a client comment is stored once, not in both views.
//
// Rows (keys extend the project's root row, curated_project.h):
//   {tenant, project, "t", thread}                   the thread: anchor, audience, comment count
//   {tenant, project, "m", thread} + chunk           its comments (ChunkedList)
//   {tenant, project, "c", ...}                      which thread and place each comment has
//                                                    (IdIndex; value OrderedNumber(place) +
//                                                    the thread's id)
//   {tenant, project, "r", thread, n(parent), n(child)}  a reply (value: the reply's id)
// No row grows with comments: a thread of 100k comments is a fixed-size thread row, chunks of
// 64 comments, index buckets of at most a few hundred comments, and one small row per reply.
//
// The rules are the domain's (project_state.cc): a thread's audience and anchor are set by its
// first comment, and a comment whose audience differs is not part of it; a comment id is
// taken by its first comment (each view knows the ids of the comments it holds: the domain,
// which refuses a taken id, knows them project-wide). A reply_to that names no earlier comment of
// the same thread is dropped (shown as none): a reply never points outside its thread.
#pragma once

#include <string>

#include "chunked_list.h"
#include "curated_project.h"
#include "id_index.h"
#include "row_fields.h"

namespace tandem {

struct ThreadDoc {
  uint64_t seq = 0;  // order of the first comment
  bool client = false;
  std::string anchor_kind, anchor_id;
  uint64_t comments = 0;

  static constexpr std::tuple kFields{
      Field("seq", &ThreadDoc::seq), Field("client", &ThreadDoc::client),
      Field("anchor_kind", &ThreadDoc::anchor_kind), Field("anchor_id", &ThreadDoc::anchor_id),
      Field("comments", &ThreadDoc::comments)};
};

class ThreadProjection : public Projection {
 public:
  ThreadProjection(Curation curation, std::shared_ptr<RowCacheBudget> budget)
      : budget_(std::move(budget)), curation_(curation), name_(CuratedName(curation, "threads")) {}
  std::string_view name() const override { return name_; }
  uint32_t version() const override { return curation_ == Curation::kClient ? 5 : 6; }
  bool projects_fold_apart() const override { return true; }
  EventFilter filter() const override {
    return Curated(curation_, EventFilter::Of({schema::Payload::ProjectCreated,
                                               schema::Payload::CommentPosted}));
  }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  // The thread `key` started by `first`, in the order of the project's threads.
  Status NewThread(const std::string& key, const schema::CommentPosted& first, bool client,
                   ProjectRoot* root, ViewRows* rows, ThreadDoc** thread);

  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  Curation curation_;
  std::string name_;
  ProjectRoots roots_{budget_.get()};
  DocCache<ThreadDoc> threads_{budget_.get()};
  IdIndex comment_places_{budget_.get()};
  ChunkedList comments_;
};

std::string ThreadKey(const std::string& tenant, const std::string& project,
                      const std::string& thread);
std::string ThreadsPrefix(const std::string& tenant, const std::string& project);
// The ChunkedList base of a thread's comments.
std::string CommentsBase(const std::string& tenant, const std::string& project,
                         const std::string& thread);
// The replies to comment number `index` of a thread (prefix; values are the replies' ids).
std::string RepliesPrefix(const std::string& tenant, const std::string& project,
                          const std::string& thread, uint64_t index);

}  // namespace tandem
