#include "project_state.h"

#include "fb_string.h"

namespace tandem {

using schema::Audience;
using schema::Payload;

namespace {

// Client only if both say so: a thing is shared only when everything about its creation agrees.
Audience Narrowest(Audience a, Audience b) {
  return a == Audience::Client && b == Audience::Client ? Audience::Client : Audience::Internal;
}

// The existing entity `id` of `things`, or null: events about unknown things change nothing.
template <typename Map>
typename Map::mapped_type* Existing(Map* things, const flatbuffers::String* id) {
  auto it = things->find(FbStr(id));
  return it == things->end() ? nullptr : &it->second;
}

// A new entity `id` of `things`, or null if the id is taken (a second creation changes nothing).
template <typename Map>
typename Map::mapped_type* Created(Map* things, const flatbuffers::String* id) {
  auto [it, added] = things->try_emplace(FbStr(id));
  return added ? &it->second : nullptr;
}

// Applies `change` to an existing milestone and counts it as a new version.
template <typename Change>
void ChangeMilestone(ProjectState* p, const flatbuffers::String* id, Change change) {
  if (MilestoneState* m = Existing(&p->milestones, id)) {
    change(m);
    m->version++;
  }
}

}  // namespace

void ProjectState::Apply(const schema::Event& event) {
  stream_version = event.stream_version();
  if (!exists && event.payload_type() != Payload::ProjectCreated) return;
  const Audience audience = event.audience();
  switch (event.payload_type()) {
    case Payload::ProjectCreated:
      if (exists) break;  // created once: a second creation cannot hand it to another client
      exists = true;
      client_id = FbStr(event.payload_as_ProjectCreated()->client_id());
      break;
    case Payload::MilestonePlanned: {
      const auto* e = event.payload_as_MilestonePlanned();
      if (MilestoneState* m = Created(&milestones, e->milestone_id())) {
        m->planned_date = FbStr(e->planned_date());
        m->audience = audience;
        m->version = 1;
      }
      break;
    }
    case Payload::MilestoneStarted:
      ChangeMilestone(this, event.payload_as_MilestoneStarted()->milestone_id(),
                      [](MilestoneState* m) { m->status = MilestoneStatus::kInProgress; });
      break;
    case Payload::MilestoneRescheduled: {
      const auto* e = event.payload_as_MilestoneRescheduled();
      ChangeMilestone(this, e->milestone_id(),
                      [&](MilestoneState* m) { m->planned_date = FbStr(e->new_date()); });
      break;
    }
    case Payload::MilestoneCompleted:
      ChangeMilestone(this, event.payload_as_MilestoneCompleted()->milestone_id(),
                      [](MilestoneState* m) { m->status = MilestoneStatus::kCompleted; });
      break;
    case Payload::MilestoneBlocked:
      ChangeMilestone(this, event.payload_as_MilestoneBlocked()->milestone_id(),
                      [](MilestoneState* m) { m->blocked = true; });
      break;
    case Payload::MilestoneUnblocked:
      ChangeMilestone(this, event.payload_as_MilestoneUnblocked()->milestone_id(),
                      [](MilestoneState* m) { m->blocked = false; });
      break;
    case Payload::DocumentRequested: {
      const auto* e = event.payload_as_DocumentRequested();
      if (DocumentRequestState* r = Created(&requests, e->request_id())) {
        *r = {FbStr(e->milestone_id()), FbStr(e->requested_from()), audience};
      }
      break;
    }
    case Payload::FileUploaded: {
      const auto* e = event.payload_as_FileUploaded();
      const std::string key = FileKey(audience, FbStr(e->name()));
      const std::string file_id = FbStr(e->file_id());
      auto by_id = file_keys_by_id.find(file_id);
      if (by_id != file_keys_by_id.end() && by_id->second != key) break;  // an id is one file
      auto [it, added] = files.try_emplace(key);
      FileState& f = it->second;
      if (added) {
        f.audience = audience;
        f.file_id = file_id;
        f.request_id = FbStr(e->request_id());
        file_keys_by_id[file_id] = key;
      } else if (f.file_id != file_id) {
        break;  // a name is one file
      }
      f.version = e->version();
      break;
    }
    case Payload::CommentPosted: {
      const auto* e = event.payload_as_CommentPosted();
      const std::string thread_id = FbStr(e->thread_id());
      const Audience said = Narrowest(audience, e->thread_audience());
      auto existing = threads.find(thread_id);
      // A comment is as visible as its thread: one that says otherwise is not part of it.
      if (existing != threads.end() && existing->second.audience != said) break;
      if (!comment_threads.try_emplace(FbStr(e->comment_id()), thread_id).second) break;
      if (existing == threads.end()) {
        ThreadState& t = threads[thread_id];
        t.audience = said;
        if (e->anchor() != nullptr) {
          t.anchor_kind = e->anchor()->kind();
          t.anchor_id = FbStr(e->anchor()->id());
        }
      }
      break;
    }
    case Payload::WorkflowConfigured: {
      const auto* e = event.payload_as_WorkflowConfigured();
      auto [it, added] = boards.try_emplace(FbStr(e->board_id()));
      BoardState& b = it->second;
      const Audience said = Narrowest(audience, e->board_audience());
      // A board's audience is fixed when created; a later event can only narrow it.
      b.audience = added ? said : Narrowest(b.audience, said);
      b.columns.clear();
      if (e->columns() != nullptr) {
        for (const auto* c : *e->columns()) b.columns.push_back(FbStr(c));
      }
      b.version++;
      break;
    }
    case Payload::CardCreated: {
      const auto* e = event.payload_as_CardCreated();
      if (CardState* c = Created(&cards, e->card_id())) {
        c->board_id = FbStr(e->board_id());
        c->column = FbStr(e->column());
        c->version = 1;
      }
      break;
    }
    case Payload::CardMoved: {
      const auto* e = event.payload_as_CardMoved();
      if (CardState* c = Existing(&cards, e->card_id())) {
        c->column = FbStr(e->to_column());
        c->version++;
      }
      break;
    }
    case Payload::CardLinked: {
      const auto* e = event.payload_as_CardLinked();
      CardState* a = Existing(&cards, e->card_id());
      CardState* b = Existing(&cards, e->linked_card_id());
      if (a == nullptr || b == nullptr || a == b) break;
      a->links.insert(FbStr(e->linked_card_id()));
      a->version++;
      b->links.insert(FbStr(e->card_id()));
      b->version++;
      break;
    }
    case Payload::ApprovalRequested: {
      const auto* e = event.payload_as_ApprovalRequested();
      if (ApprovalState* a = Created(&approvals, e->approval_id())) {
        a->requested_from = FbStr(e->requested_from());
        a->audience = audience;
        a->version = 1;
      }
      break;
    }
    case Payload::ApprovalGranted:
      if (ApprovalState* a =
              Existing(&approvals, event.payload_as_ApprovalGranted()->approval_id())) {
        a->status = ApprovalStatus::kGranted;
        a->version++;
      }
      break;
    case Payload::ApprovalRejected:
      if (ApprovalState* a =
              Existing(&approvals, event.payload_as_ApprovalRejected()->approval_id())) {
        a->status = ApprovalStatus::kRejected;
        a->version++;
      }
      break;
    case Payload::ReportLinkIssued: {
      const auto* e = event.payload_as_ReportLinkIssued();
      if (ReportLinkState* l = Created(&report_links, e->link_id())) {
        l->audience = Narrowest(audience, e->audience());
        l->version = 1;
      }
      break;
    }
    case Payload::ReportLinkRevoked:
      if (ReportLinkState* l =
              Existing(&report_links, event.payload_as_ReportLinkRevoked()->link_id())) {
        l->revoked = true;
        l->version++;
      }
      break;
    default:
      break;
  }
}

std::string FileKey(Audience audience, const std::string& name) {
  return (audience == Audience::Client ? "client/" : "internal/") + name;
}

const FileState* ProjectState::FindFileById(const std::string& file_id) const {
  auto it = file_keys_by_id.find(file_id);
  if (it == file_keys_by_id.end()) return nullptr;
  auto file = files.find(it->second);
  return file == files.end() ? nullptr : &file->second;
}

std::string ProjectState::ClientBoardId() const {
  for (const auto& [id, b] : boards) {
    if (b.audience == Audience::Client) return id;
  }
  return "";
}

}  // namespace tandem
