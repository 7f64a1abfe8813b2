#include "thread_projection.h"

#include <algorithm>
#include <vector>

#include "batch_table.h"
#include "json_fields.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Bool;
using json_fields::Int;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

std::string RefKey(const std::string& tenant, const std::string& project,
                   const std::string& comment) {
  return ViewKey({tenant, project, "c", comment});
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

void ThreadDoc::ToJson(boost::json::object* out) const {
  (*out)["seq"] = seq;
  (*out)["client"] = client;
  (*out)["anchor_kind"] = anchor_kind;
  (*out)["anchor_id"] = anchor_id;
  (*out)["comments"] = comments;
}

void ThreadDoc::FromJson(const boost::json::object& in) {
  seq = static_cast<uint64_t>(Int(in, "seq"));
  client = Bool(in, "client");
  anchor_kind = Str(in, "anchor_kind");
  anchor_id = Str(in, "anchor_id");
  comments = static_cast<uint64_t>(Int(in, "comments"));
}

// A check of the place and thread (FNV-1a): a ref row cut short or overwritten is Corruption,
// never a ref to another thread or place.
std::string RefCheck(std::string_view body) {
  uint32_t h = 2166136261u;
  for (unsigned char c : body) h = (h ^ c) * 16777619u;
  return OrderedNumber(h).substr(4);
}

std::string EncodeRef(const std::string& thread, uint64_t index) {
  std::string out = OrderedNumber(index) + thread;
  return out + RefCheck(out);
}

Status ThreadProjection::FindRef(const RowReader& rows, const std::string& key, CommentRef* ref,
                                 bool* found) {
  auto it = batch_refs_.find(key);
  *found = it != batch_refs_.end();
  if (*found) {
    *ref = it->second;
    return Status::OK();
  }
  std::string value;
  Status s = rows.Get(key, &value);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  if (value.size() < 12 || RefCheck(std::string_view(value).substr(0, value.size() - 4)) !=
                               value.substr(value.size() - 4)) {
    return Status::Corruption("a comment's ref row is damaged");
  }
  ref->index = ParseOrderedNumber(value);
  ref->thread = value.substr(8, value.size() - 12);
  *found = true;
  return Status::OK();
}

Status ThreadProjection::Apply(const schema::Event& event, ViewRows* rows) {
  const Payload type = event.payload_type();
  if (type != Payload::ProjectCreated && type != Payload::CommentPosted) return Status::OK();
  std::string tenant, project;
  ProjectRoot* root = nullptr;
  Status s = roots_.Resolve(curation_, event, rows, &tenant, &project, &root);
  if (!s.ok() || root == nullptr) return s;  // a creation, or a project never created
  const auto* e = event.payload_as_CommentPosted();
  const std::string thread_id = S(e->thread_id()), comment_id = S(e->comment_id());
  const std::string thread_key = ThreadKey(tenant, project, thread_id);
  const bool client = SharedWithClient(event);
  ThreadDoc* thread = nullptr;
  s = threads_.Find(*rows, thread_key, &thread);
  if (!s.ok()) return s;
  if (thread != nullptr && thread->client != client) return Status::OK();  // not part of it
  const std::string ref_key = RefKey(tenant, project, comment_id);
  CommentRef ref;
  bool found = false;
  s = FindRef(*rows, ref_key, &ref, &found);
  if (!s.ok() || found) return s;  // the first comment with that id decides
  std::string reply_to = S(e->reply_to());
  if (!reply_to.empty()) {
    s = FindRef(*rows, RefKey(tenant, project, reply_to), &ref, &found);
    if (!s.ok()) return s;
    if (!found || ref.thread != thread_id) {
      reply_to.clear();
    } else {
      rows->Put(ViewKey({tenant, project, "r", thread_id, OrderedNumber(ref.index),
                         OrderedNumber(thread == nullptr ? 0 : thread->comments)}),
                comment_id);
    }
  }
  if (thread == nullptr) {
    s = threads_.Get(*rows, thread_key, &thread);
    if (!s.ok()) return s;
    thread->seq = root->next_seq++;
    thread->client = client;
    thread->anchor_kind = AnchorKindOf(e->anchor());
    thread->anchor_id = AnchorIdOf(e->anchor());
  }
  const uint64_t index = thread->comments++;
  batch_refs_.insert_or_assign(ref_key, CommentRef{thread_id, index});
  comments_.Append(CommentsBase(tenant, project, thread_id), index,
                   {{"id", comment_id},
                    {"author", S(event.actor())},
                    {"at_us", event.recorded_at_us()},
                    {"body", S(e->body())},
                    {"reply_to", reply_to}});
  return Status::OK();
}

Status ThreadProjection::Flush(ViewRows* rows) {
  roots_.Flush(rows);
  threads_.Flush(rows);
  // In key order: the memtable inserts a run of neighbouring keys instead of searching for each.
  std::vector<const std::pair<const std::string, CommentRef>*> refs;
  refs.reserve(batch_refs_.size());
  for (const auto& entry : batch_refs_) refs.push_back(&entry);
  std::sort(refs.begin(), refs.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* ref : refs)
    rows->Put(ref->first, EncodeRef(ref->second.thread, ref->second.index));
  EmptyAfterBatch(&batch_refs_);
  return comments_.Flush(rows);
}

void ThreadProjection::Forget() {
  roots_.Forget();
  threads_.Forget();
  EmptyAfterBatch(&batch_refs_);
  comments_.Forget();
}

}  // namespace tandem
