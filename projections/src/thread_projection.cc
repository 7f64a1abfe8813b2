#include "thread_projection.h"

#include "json_fields.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Int;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

// The scope of the project's comment ids in the IdIndex.
std::string PlacesBase(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, project, "c"});
}

std::string EncodePlace(const std::string& thread, uint64_t index) {
  return OrderedNumber(index) + thread;
}

}  // namespace

std::string ThreadKey(const std::string& tenant, const std::string& project,
                      const std::string& thread) {
  return ViewKey({tenant, project, "t", thread});
}

std::string ThreadsPrefix(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, project, "t"});
}

std::string CommentsBase(const std::string& tenant, const std::string& project,
                         const std::string& thread) {
  return ViewKey({tenant, project, "m", thread});
}

std::string RepliesPrefix(const std::string& tenant, const std::string& project,
                          const std::string& thread, uint64_t index) {
  return ViewKey({tenant, project, "r", thread, OrderedNumber(index)});
}

Status ThreadProjection::Apply(const schema::Event& event, ViewRows* rows) {
  const Payload type = event.payload_type();
  if (type != Payload::ProjectCreated && type != Payload::CommentPosted) return Status::OK();
  ProjectRoot* root = nullptr;
  Status s = roots_.Resolve(curation_, event, rows, &root);
  if (!s.ok() || root == nullptr) return s;  // a creation, or a project never created
  const std::string& tenant = roots_.tenant();
  const std::string& project = roots_.project();
  const auto* e = event.payload_as_CommentPosted();
  const std::string thread_id = S(e->thread_id()), comment_id = S(e->comment_id());
  const std::string thread_key = ThreadKey(tenant, project, thread_id);
  const bool client = SharedWithClient(event);
  ThreadDoc* thread = nullptr;
  s = threads_.Find(*rows, thread_key, &thread);
  if (!s.ok()) return s;
  if (thread != nullptr && thread->client != client) return Status::OK();  // not part of it
  if (client && curation_ == Curation::kInternal && root->shared_with_client) {
    // The client view holds the client threads' comments; here a client thread is only its
    // place among the project's threads, taken by its first comment. (A project whose creation
    // was not shared is not in the client view: its client threads are held here whole.)
    if (thread == nullptr) return NewThread(thread_key, *e, client, root, rows, &thread);
    return Status::OK();
  }
  const std::string places = PlacesBase(tenant, project);
  const uint64_t index = thread == nullptr ? 0 : thread->comments;
  bool added = false;
  s = comment_places_.Add(*rows, places, comment_id, EncodePlace(thread_id, index), &added);
  if (!s.ok() || !added) return s;  // the first comment with that id decides
  std::string reply_to = S(e->reply_to());
  if (reply_to == comment_id) reply_to.clear();  // a reply names an earlier comment
  if (!reply_to.empty()) {
    std::string place;
    bool found = false;
    s = comment_places_.Find(*rows, places, reply_to, &place, &found);
    if (!s.ok()) return s;
    if (found && place.size() < 8) return Status::Corruption("a comment's place is damaged");
    if (!found || std::string_view(place).substr(8) != thread_id) {
      reply_to.clear();
    } else {
      rows->Put(
          ViewKey({tenant, project, "r", thread_id, place.substr(0, 8), OrderedNumber(index)}),
          comment_id);
    }
  }
  if (thread == nullptr) {
    s = NewThread(thread_key, *e, client, root, rows, &thread);
    if (!s.ok()) return s;
  }
  ++thread->comments;
  comments_.Append(CommentsBase(tenant, project, thread_id), index, [&](JsonLine& line) {
    line.Str("id", comment_id)
        .Str("author", event.actor())
        .Int("at_us", event.recorded_at_us())
        .Str("body", e->body())
        .Str("reply_to", reply_to);
  });
  return Status::OK();
}

Status ThreadProjection::NewThread(const std::string& key, const schema::CommentPosted& first,
                                   bool client, ProjectRoot* root, ViewRows* rows,
                                   ThreadDoc** thread) {
  Status s = threads_.Get(*rows, key, thread);
  if (!s.ok()) return s;
  (*thread)->seq = root->next_seq++;
  (*thread)->client = client;
  (*thread)->anchor_kind = AnchorKindOf(first.anchor());
  (*thread)->anchor_id = AnchorIdOf(first.anchor());
  return Status::OK();
}

Status ThreadProjection::Flush(ViewRows* rows) {
  roots_.Flush(rows);
  threads_.Flush(rows);
  comment_places_.Flush(rows);
  return comments_.Flush(rows);
}

void ThreadProjection::Forget() {
  roots_.Forget();
  threads_.Forget();
  comment_places_.Forget();
  comments_.Forget();
}

}  // namespace tandem
