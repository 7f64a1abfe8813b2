#include "project_state.h"

#include "fb_string.h"

namespace tandem {

using schema::Payload;

namespace {

MilestoneState* Milestone(ProjectState* p, const flatbuffers::String* id) {
  MilestoneState& m = p->milestones[FbStr(id)];
  m.version++;
  return &m;
}

}  // namespace

void ProjectState::Apply(const schema::Event& event) {
  stream_version = event.stream_version();
  switch (event.payload_type()) {
    case Payload::ProjectCreated:
      exists = true;
      client_id = FbStr(event.payload_as_ProjectCreated()->client_id());
      break;
    case Payload::MilestonePlanned: {
      const auto* e = event.payload_as_MilestonePlanned();
      MilestoneState* m = Milestone(this, e->milestone_id());
      m->planned_date = FbStr(e->planned_date());
      m->audience = event.audience();
      break;
    }
    case Payload::MilestoneStarted:
      Milestone(this, event.payload_as_MilestoneStarted()->milestone_id())->status =
          MilestoneStatus::kInProgress;
      break;
    case Payload::MilestoneRescheduled: {
      const auto* e = event.payload_as_MilestoneRescheduled();
      Milestone(this, e->milestone_id())->planned_date = FbStr(e->new_date());
      break;
    }
    case Payload::MilestoneCompleted:
      Milestone(this, event.payload_as_MilestoneCompleted()->milestone_id())->status =
          MilestoneStatus::kCompleted;
      break;
    case Payload::MilestoneBlocked:
      Milestone(this, event.payload_as_MilestoneBlocked()->milestone_id())->blocked = true;
      break;
    case Payload::MilestoneUnblocked:
      Milestone(this, event.payload_as_MilestoneUnblocked()->milestone_id())->blocked = false;
      break;
    case Payload::DocumentRequested: {
      const auto* e = event.payload_as_DocumentRequested();
      requests[FbStr(e->request_id())] = {FbStr(e->milestone_id()), FbStr(e->requested_from())};
      break;
    }
    case Payload::FileUploaded: {
      const auto* e = event.payload_as_FileUploaded();
      const std::string key = FileKey(event.audience(), FbStr(e->name()));
      FileState& f = files[key];
      f.audience = event.audience();
      f.file_id = FbStr(e->file_id());
      f.version = e->version();
      file_keys_by_id[f.file_id] = key;
      break;
    }
    case Payload::CommentPosted: {
      const auto* e = event.payload_as_CommentPosted();
      const std::string thread = FbStr(e->thread_id());
      if (!threads.count(thread)) {
        ThreadState& t = threads[thread];
        t.audience = e->thread_audience();
        if (e->anchor() != nullptr) {
          t.anchor_kind = e->anchor()->kind();
          t.anchor_id = FbStr(e->anchor()->id());
        }
      }
      comment_threads[FbStr(e->comment_id())] = thread;
      break;
    }
    case Payload::WorkflowConfigured: {
      const auto* e = event.payload_as_WorkflowConfigured();
      BoardState& b = boards[FbStr(e->board_id())];
      b.audience = e->board_audience();
      b.columns.clear();
      if (e->columns() != nullptr) {
        for (const auto* c : *e->columns()) b.columns.push_back(FbStr(c));
      }
      b.version++;
      break;
    }
    case Payload::CardCreated: {
      const auto* e = event.payload_as_CardCreated();
      CardState& c = cards[FbStr(e->card_id())];
      c.board_id = FbStr(e->board_id());
      c.column = FbStr(e->column());
      c.version++;
      break;
    }
    case Payload::CardMoved: {
      const auto* e = event.payload_as_CardMoved();
      CardState& c = cards[FbStr(e->card_id())];
      c.column = FbStr(e->to_column());
      c.version++;
      break;
    }
    case Payload::CardLinked: {
      const auto* e = event.payload_as_CardLinked();
      const std::string a = FbStr(e->card_id());
      const std::string b = FbStr(e->linked_card_id());
      cards[a].links.insert(b);
      cards[a].version++;
      cards[b].links.insert(a);
      cards[b].version++;
      break;
    }
    case Payload::ApprovalRequested: {
      const auto* e = event.payload_as_ApprovalRequested();
      ApprovalState& a = approvals[FbStr(e->approval_id())];
      a.requested_from = FbStr(e->requested_from());
      a.version++;
      break;
    }
    case Payload::ApprovalGranted: {
      ApprovalState& a = approvals[FbStr(event.payload_as_ApprovalGranted()->approval_id())];
      a.status = ApprovalStatus::kGranted;
      a.version++;
      break;
    }
    case Payload::ApprovalRejected: {
      ApprovalState& a = approvals[FbStr(event.payload_as_ApprovalRejected()->approval_id())];
      a.status = ApprovalStatus::kRejected;
      a.version++;
      break;
    }
    case Payload::ReportLinkIssued: {
      const auto* e = event.payload_as_ReportLinkIssued();
      ReportLinkState& l = report_links[FbStr(e->link_id())];
      l.audience = e->audience();
      l.version++;
      break;
    }
    case Payload::ReportLinkRevoked: {
      ReportLinkState& l = report_links[FbStr(event.payload_as_ReportLinkRevoked()->link_id())];
      l.revoked = true;
      l.version++;
      break;
    }
    default:
      break;
  }
}

std::string FileKey(schema::Audience audience, const std::string& name) {
  return (audience == schema::Audience::Client ? "client/" : "internal/") + name;
}

const FileState* ProjectState::FindFileById(const std::string& file_id) const {
  auto it = file_keys_by_id.find(file_id);
  if (it == file_keys_by_id.end()) return nullptr;
  auto file = files.find(it->second);
  return file == files.end() ? nullptr : &file->second;
}

std::string ProjectState::ClientBoardId() const {
  for (const auto& [id, b] : boards) {
    if (b.audience == schema::Audience::Client) return id;
  }
  return "";
}

}  // namespace tandem
