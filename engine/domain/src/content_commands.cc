// Decisions about what people put into a project: files (versioned, content-addressed) and
// comments in threads anchored on a milestone, card, file or the project.
#include "command_context.h"

namespace tandem {
namespace {

using schema::Audience;

Status CheckClientAudience(const CommandContext& ctx, Audience audience) {
  if (ctx.client_side() && audience != Audience::Client) {
    return Status::PermissionDenied("scope.internal_audience",
                                    "client-side members cannot write internal content");
  }
  return Status::OK();
}

// A shared thing may only hang on a shared anchor.
Status CheckAnchorShared(Audience audience, Audience anchor_audience, const char* reason) {
  if (audience == Audience::Client && anchor_audience != Audience::Client) {
    return Status::Rejected(reason, "client-visible content cannot be attached to internal items");
  }
  return Status::OK();
}

schema::AnchorT ToAnchor(const AnchorRef& ref) {
  schema::AnchorT a;
  a.kind = AnchorKindOf(ref.kind);
  a.id = ref.id;
  return a;
}

// The anchor an upload hangs on: the one named, else the milestone of the request it answers.
Status UploadAnchor(const CommandContext& ctx, const DocumentRequestState* request,
                    Audience audience, AnchorRef* anchor) {
  AnchorRef named;
  if (ctx.args().Has("anchor")) {
    named = ctx.args().Anchor("anchor");
  } else if (request != nullptr) {
    named = {"milestone", request->milestone_id};
  } else {
    return Status::OK();
  }
  Audience anchor_audience;
  Status s = ResolveAnchor(ctx, named, anchor, &anchor_audience);
  if (!s.ok()) return s;
  return CheckAnchorShared(audience, anchor_audience, "file.anchor_not_shared");
}

// The document request an upload answers, if it names one: it must be visible to the actor,
// still open (its milestone not completed) and, for a client-side actor, asked of that actor
// (or of anyone of the client; a client admin answers for its people).
Status AnsweredRequest(const CommandContext& ctx, const DocumentRequestState** request) {
  *request = nullptr;
  const std::string& id = ctx.args().Str("request_id");
  if (!ctx.args().Has("request_id")) return Status::OK();
  auto it = ctx.project->requests.find(id);
  if (it == ctx.project->requests.end()) return Missing(ctx, "document request", id);
  if (!ctx.Sees(it->second.audience)) return NotVisible(Named("document request", id));
  const DocumentRequestState& r = it->second;
  if (ctx.client_side() && !r.requested_from.empty() && r.requested_from != ctx.command.actor &&
      ctx.role != schema::Role::ClientAdmin) {
    return Status::PermissionDenied("document.not_requested_from_actor",
                                    Named("document request", id) + " was asked of someone else");
  }
  auto milestone = ctx.project->milestones.find(r.milestone_id);
  if (milestone == ctx.project->milestones.end() ||
      milestone->second.status == MilestoneStatus::kCompleted) {
    return Status::Rejected("document.request_closed",
                            Named("document request", id) + " is closed: its milestone is over");
  }
  *request = &r;
  return Status::OK();
}

// A new file's id when the uploader names none. It is made from what identifies the file (its
// audience and name), never from the command id: a client sees the ids of files shared with it,
// and command ids chosen by a front end (numbered, dated, descriptive) would tell it how much
// the firm did, and when.
std::string DefaultFileId(Audience audience, const std::string& name, int attempt) {
  std::string key = FileKey(audience, name);
  if (attempt > 0) key += "\n" + std::to_string(attempt);
  return "file-" + Sha256Hex(key).substr(0, 20);
}

// The first default id for the file that no other file took (someone may have named a file
// with the id another name's default would be); a handful of tries, then the usual refusal.
std::string FreeDefaultFileId(const CommandContext& ctx, Audience audience,
                              const std::string& name) {
  constexpr int kAttempts = 8;
  std::string id, named;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    id = DefaultFileId(audience, name, attempt);
    if (!NewId(ctx, "file_id", id, &named).ok() || ctx.project->FindFileById(named) == nullptr) {
      break;
    }
  }
  return id;
}

// The file's identity: the existing file of that name, or a new one.
Status UploadIdentity(const CommandContext& ctx, Audience audience, const FileState* existing,
                      std::string* file_id) {
  const std::string& requested = ctx.args().Str("file_id");
  const std::string& name = ctx.args().Str("name");
  if (existing != nullptr) {
    Status s = CheckExpectedVersion(ctx, Named("file", name), existing->version);
    if (!s.ok()) return s;
    // A client-side member versions only the documents it gave in answer to this request, never
    // a file of the firm's that happens to be shared under the same name.
    if (ctx.client_side() && existing->request_id != ctx.args().Str("request_id")) {
      return Status::Rejected("file.not_from_request",
                              Named("file", name) +
                                  " does not answer this request; upload the "
                                  "document under another name");
    }
    std::string named = existing->file_id;
    if (!requested.empty()) {
      Status s = NewId(ctx, "file_id", requested, &named);
      if (!s.ok()) return s;
    }
    if (named != existing->file_id) {
      return Status::Rejected("file.id_mismatch", "a file named '" + name + "' exists with id '" +
                                                      existing->file_id + "', not '" + requested +
                                                      "'");
    }
    *file_id = existing->file_id;
    return Status::OK();
  }
  Status s = CheckExpectedNew(ctx, Named("file", name));
  if (!s.ok()) return s;
  s = NewId(ctx, "file_id", requested.empty() ? FreeDefaultFileId(ctx, audience, name) : requested,
            file_id);
  if (!s.ok()) return s;
  if (ctx.project->FindFileById(*file_id) != nullptr) {
    return Status::Rejected("file.id_exists", "file id '" + *file_id + "' is taken");
  }
  return Status::OK();
}

Status UploadFile(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  if (ctx.client_side() && !a.Has("request_id")) {
    return Status::PermissionDenied("file.client_needs_request",
                                    "client-side members upload documents that were requested: "
                                    "name the request_id");
  }
  const DocumentRequestState* request;
  Status s = AnsweredRequest(ctx, &request);
  if (!s.ok()) return s;
  // A document answering a request has the request's audience (the client sees what it was
  // asked for, the firm keeps what it asked of itself); other uploads of the firm stay internal
  // unless shared explicitly.
  const Audience fallback = request != nullptr  ? request->audience
                            : ctx.client_side() ? Audience::Client
                                                : Audience::Internal;
  const Audience audience = AudienceArg(ctx, "audience", fallback);
  s = CheckClientAudience(ctx, audience);
  if (!s.ok()) return s;
  if (request != nullptr && audience != request->audience) {
    return request->audience == Audience::Client
               ? Status::Rejected("file.request_needs_client_audience",
                                  "a document answering a client request is shared with the "
                                  "client")
               : Status::Rejected("file.request_needs_internal_audience",
                                  "a document answering an internal request stays internal");
  }
  AnchorRef anchor;
  s = UploadAnchor(ctx, request, audience, &anchor);
  if (!s.ok()) return s;
  auto existing = ctx.project->files.find(FileKey(audience, a.Str("name")));
  const FileState* file = existing == ctx.project->files.end() ? nullptr : &existing->second;
  std::string file_id;
  s = UploadIdentity(ctx, audience, file, &file_id);
  if (!s.ok()) return s;

  BlobRef blob;
  s = ctx.blobs->Put(a.Str("content_base64"), &blob);
  if (!s.ok()) return s;
  schema::FileUploadedT e;
  e.project_id = a.Str("project_id");
  e.file_id = file_id;
  e.name = a.Str("name");
  e.version = file == nullptr ? 1 : file->version + 1;
  e.sha256 = blob.sha256;
  e.size = blob.size;
  e.content_ref = blob.content_ref;
  e.content_type = a.Has("content_type") ? a.Str("content_type") : "application/octet-stream";
  if (!anchor.kind.empty()) e.anchor = std::make_unique<schema::AnchorT>(ToAnchor(anchor));
  e.request_id = a.Str("request_id");
  d->entity_version = e.version;
  Emit(ctx, audience, std::move(e), d);
  return Status::OK();
}

// The thread a comment goes to, by full id: checks an existing thread against what the
// command says, or sets up a new one. A client-side member cannot tell an internal thread from
// a missing one: naming either starts a thread of its own (ResolveId, NewId).
Status CommentThread(const CommandContext& ctx, std::string* thread_id, ThreadState* thread) {
  const CommandArgs& a = ctx.args();
  const auto& threads = ctx.project->threads;
  *thread_id = ResolveId(ctx, a.Str("thread_id"), [&](const std::string& id) {
    auto it = threads.find(id);
    return it != threads.end() && ctx.Sees(it->second.audience);
  });
  const std::string what = Named("thread", *thread_id);
  auto it = threads.find(*thread_id);
  if (it != threads.end()) {
    *thread = it->second;
    if (!ctx.Sees(thread->audience)) return NotVisible(what);
    if (a.Has("audience") && AudienceArg(ctx, "audience", thread->audience) != thread->audience) {
      return Status::Rejected("thread.audience_mismatch",
                              what + " is " + std::string(AudienceName(thread->audience)));
    }
    if (a.Has("anchor")) {
      AnchorRef anchor;
      Audience anchor_audience;
      Status s = ResolveAnchor(ctx, a.Anchor("anchor"), &anchor, &anchor_audience);
      if (!s.ok() || AnchorKindOf(anchor.kind) != thread->anchor_kind ||
          anchor.id != thread->anchor_id) {
        return Status::Rejected("thread.anchor_mismatch", what + " is anchored elsewhere");
      }
    }
    return Status::OK();
  }
  Status s = NewId(ctx, "thread_id", a.Str("thread_id"), thread_id);
  if (!s.ok()) return s;
  if (!a.Has("anchor")) {
    return Status::InvalidArgument("command.missing_field",
                                   "missing field 'anchor': a new thread needs an anchor");
  }
  thread->audience =
      AudienceArg(ctx, "audience", ctx.client_side() ? Audience::Client : Audience::Internal);
  s = CheckClientAudience(ctx, thread->audience);
  if (!s.ok()) return s;
  AnchorRef anchor;
  Audience anchor_audience;
  s = ResolveAnchor(ctx, a.Anchor("anchor"), &anchor, &anchor_audience);
  if (!s.ok()) return s;
  thread->anchor_kind = AnchorKindOf(anchor.kind);
  thread->anchor_id = anchor.id;
  return CheckAnchorShared(thread->audience, anchor_audience, "thread.anchor_not_shared");
}

// The comment `reply_to` names, which must be in `thread_id`.
Status RepliedComment(const CommandContext& ctx, const std::string& thread_id,
                      std::string* reply_to) {
  const auto& comments = ctx.project->comment_threads;
  *reply_to = ResolveId(ctx, ctx.args().Str("reply_to"), [&](const std::string& id) {
    auto it = comments.find(id);
    return it != comments.end() && it->second == thread_id;
  });
  auto replied = comments.find(*reply_to);
  if (replied == comments.end() || replied->second != thread_id) {
    return Status::Rejected(
        "comment.reply_to_unknown",
        Named("comment", ctx.args().Str("reply_to")) + " is not in this thread");
  }
  return Status::OK();
}

Status PostComment(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  std::string thread_id;
  ThreadState thread;
  Status s = CommentThread(ctx, &thread_id, &thread);
  if (!s.ok()) return s;
  std::string comment_id;
  s = NewId(ctx, "comment_id", a.Str("comment_id"), &comment_id);
  if (!s.ok()) return s;
  if (ctx.project->comment_threads.count(comment_id)) {
    return Status::Rejected("comment.exists", Named("comment", comment_id) + " exists");
  }
  std::string reply_to;
  if (a.Has("reply_to")) {
    s = RepliedComment(ctx, thread_id, &reply_to);
    if (!s.ok()) return s;
  }
  schema::CommentPostedT e;
  e.project_id = a.Str("project_id");
  e.thread_id = thread_id;
  e.comment_id = comment_id;
  schema::AnchorT anchor;
  anchor.kind = thread.anchor_kind;
  anchor.id = thread.anchor_id;
  e.anchor = std::make_unique<schema::AnchorT>(anchor);
  e.thread_audience = thread.audience;
  e.body = a.Str("body");
  e.reply_to = reply_to;
  Emit(ctx, thread.audience, std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

}  // namespace

Status DecideContentCommand(const CommandContext& ctx, Decision* d) {
  return ctx.command.type == CommandType::kUploadFile ? UploadFile(ctx, d) : PostComment(ctx, d);
}

}  // namespace tandem
