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
Status UploadAnchor(const CommandContext& ctx, Audience audience, AnchorRef* anchor) {
  const CommandArgs& a = ctx.args();
  if (a.Has("anchor")) {
    *anchor = a.Anchor("anchor");
  } else if (a.Has("request_id")) {
    *anchor = {"milestone", ctx.project->requests.at(a.Str("request_id")).milestone_id};
  } else {
    return Status::OK();
  }
  Audience anchor_audience;
  Status s = ResolveAnchor(ctx, *anchor, &anchor_audience);
  if (!s.ok()) return s;
  return CheckAnchorShared(audience, anchor_audience, "file.anchor_not_shared");
}

// The file's identity: the existing file of that name, or a new one.
Status UploadIdentity(const CommandContext& ctx, const FileState* existing, std::string* file_id) {
  const std::string& requested = ctx.args().Str("file_id");
  const std::string& name = ctx.args().Str("name");
  if (existing != nullptr) {
    Status s = CheckExpectedVersion(ctx, "file '" + name + "'", existing->version);
    if (!s.ok()) return s;
    if (!requested.empty() && requested != existing->file_id) {
      return Status::Rejected("file.id_mismatch", "a file named '" + name + "' exists with id '" +
                                                      existing->file_id + "', not '" + requested +
                                                      "'");
    }
    *file_id = existing->file_id;
    return Status::OK();
  }
  *file_id = requested.empty() ? "file-" + ctx.command.command_id : requested;
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
  if (a.Has("request_id") && !ctx.project->requests.count(a.Str("request_id"))) {
    return Missing(ctx, "document request '" + a.Str("request_id") + "'");
  }
  // Documents requested from the client are for the client to see; other uploads of the firm
  // stay internal unless shared explicitly.
  const Audience fallback =
      ctx.client_side() || a.Has("request_id") ? Audience::Client : Audience::Internal;
  const Audience audience = AudienceArg(ctx, "audience", fallback);
  Status s = CheckClientAudience(ctx, audience);
  if (!s.ok()) return s;
  if (a.Has("request_id") && audience != Audience::Client) {
    return Status::Rejected("file.request_needs_client_audience",
                            "a document answering a client request is shared with the client");
  }
  AnchorRef anchor;
  s = UploadAnchor(ctx, audience, &anchor);
  if (!s.ok()) return s;
  auto existing = ctx.project->files.find(FileKey(audience, a.Str("name")));
  const FileState* file = existing == ctx.project->files.end() ? nullptr : &existing->second;
  std::string file_id;
  s = UploadIdentity(ctx, file, &file_id);
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

// The thread a comment goes to: checks an existing thread against what the command says, or
// sets up a new one.
Status CommentThread(const CommandContext& ctx, ThreadState* thread) {
  const CommandArgs& a = ctx.args();
  const std::string what = "thread '" + a.Str("thread_id") + "'";
  auto it = ctx.project->threads.find(a.Str("thread_id"));
  if (it != ctx.project->threads.end()) {
    *thread = it->second;
    if (!ctx.Sees(thread->audience)) return NotVisible(what);
    if (a.Has("audience") && AudienceArg(ctx, "audience", thread->audience) != thread->audience) {
      return Status::Rejected("thread.audience_mismatch",
                              what + " is " + std::string(AudienceName(thread->audience)));
    }
    if (a.Has("anchor") && (AnchorKindOf(a.Anchor("anchor").kind) != thread->anchor_kind ||
                            a.Anchor("anchor").id != thread->anchor_id)) {
      return Status::Rejected("thread.anchor_mismatch", what + " is anchored elsewhere");
    }
    return Status::OK();
  }
  if (!a.Has("anchor")) {
    return Status::InvalidArgument("command.missing_field",
                                   "missing field 'anchor': a new thread needs an anchor");
  }
  thread->audience =
      AudienceArg(ctx, "audience", ctx.client_side() ? Audience::Client : Audience::Internal);
  Status s = CheckClientAudience(ctx, thread->audience);
  if (!s.ok()) return s;
  Audience anchor_audience;
  s = ResolveAnchor(ctx, a.Anchor("anchor"), &anchor_audience);
  if (!s.ok()) return s;
  thread->anchor_kind = AnchorKindOf(a.Anchor("anchor").kind);
  thread->anchor_id = a.Anchor("anchor").id;
  return CheckAnchorShared(thread->audience, anchor_audience, "thread.anchor_not_shared");
}

Status PostComment(const CommandContext& ctx, Decision* d) {
  const CommandArgs& a = ctx.args();
  ThreadState thread;
  Status s = CommentThread(ctx, &thread);
  if (!s.ok()) return s;
  if (ctx.project->comment_threads.count(a.Str("comment_id"))) {
    return Status::Rejected("comment.exists", "comment '" + a.Str("comment_id") + "' exists");
  }
  if (a.Has("reply_to")) {
    auto replied = ctx.project->comment_threads.find(a.Str("reply_to"));
    if (replied == ctx.project->comment_threads.end() || replied->second != a.Str("thread_id")) {
      return Status::Rejected("comment.reply_to_unknown",
                              "comment '" + a.Str("reply_to") + "' is not in this thread");
    }
  }
  schema::CommentPostedT e;
  e.project_id = a.Str("project_id");
  e.thread_id = a.Str("thread_id");
  e.comment_id = a.Str("comment_id");
  schema::AnchorT anchor;
  anchor.kind = thread.anchor_kind;
  anchor.id = thread.anchor_id;
  e.anchor = std::make_unique<schema::AnchorT>(anchor);
  e.thread_audience = thread.audience;
  e.body = a.Str("body");
  e.reply_to = a.Str("reply_to");
  Emit(ctx, thread.audience, std::move(e), d);
  d->entity_version = 1;
  return Status::OK();
}

}  // namespace

Status DecideContentCommand(const CommandContext& ctx, Decision* d) {
  return ctx.command.type == CommandType::kUploadFile ? UploadFile(ctx, d) : PostComment(ctx, d);
}

}  // namespace tandem
