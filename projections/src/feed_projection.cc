#include "feed_projection.h"

#include "curation.h"
#include "directory_projection.h"
#include "json_fields.h"
#include "json_line.h"
#include "snippet.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Int;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

constexpr size_t kTitleChars = 120;
constexpr size_t kBodyChars = 80;

// Text from an event, fit for a line.
std::string Clean(const flatbuffers::String* s, size_t max_chars = kTitleChars) {
  return Snippet(json_fields::Unchecked(s), max_chars);
}

// A line being written: text, and members named at read time. Its parts are written as the JSON
// array they are stored as ([{"m": member}, "text", ...], consecutive texts joined into one),
// without building the array first.
class Line {
 public:
  explicit Line(const schema::Event& event) { Member(S(event.actor())); }
  Line& Text(std::string_view text) {
    if (!in_text_) {
      Separate();
      parts_ += '"';
      in_text_ = true;
    }
    AppendJsonEscaped(&parts_, text);
    return *this;
  }
  Line& Title(const std::string& title) { return Text("*").Text(title).Text("*"); }
  Line& Member(const std::string& member) {
    EndText();
    Separate();
    JsonLine(&parts_).Str("m", member).Close();
    return *this;
  }
  // ": <text>" when there is any.
  Line& Reason(const std::string& text) { return text.empty() ? *this : Text(": ").Text(text); }
  Line& Due(const std::string& due_date) {
    return due_date.empty() ? *this : Text(" by ").Text(due_date);
  }
  // The parts as a JSON array.
  std::string Take() {
    EndText();
    parts_ += ']';
    return std::move(parts_);
  }

 private:
  void Separate() { parts_ += parts_.size() > 1 ? "," : ""; }
  void EndText() {
    if (in_text_) parts_ += '"';
    in_text_ = false;
  }
  std::string parts_ = "[";
  bool in_text_ = false;
};

// A project's titles (of its milestones, cards, requests, approvals and files), a row each:
// a new card writes its own title, not every title of the project again. The first error of
// a lookup sticks, for the fold to return.
class Titles {
 public:
  Titles(DocCache<FeedTitle>* cache, const RowReader* rows, const std::string& tenant,
         const std::string& project)
      : cache_(cache), rows_(rows), tenant_(tenant), project_(project) {}

  // The title of `id`, or nullptr: events about things never created make no line.
  const std::string* Known(std::string_view kind, const flatbuffers::String* id) {
    const FeedTitle* title = nullptr;
    Keep(cache_->Peek(*rows_, FeedTitleKey(tenant_, project_, kind, S(id)), &title));
    return title == nullptr ? nullptr : &title->title;
  }
  // The title of `id`, given `title` if it had none (`*added`): the first one decides.
  const std::string* Add(std::string_view kind, const flatbuffers::String* id, std::string title,
                         bool* added) {
    *added = false;
    const std::string key = FeedTitleKey(tenant_, project_, kind, S(id));
    const FeedTitle* known = nullptr;
    if (!Keep(cache_->Peek(*rows_, key, &known))) return nullptr;
    if (known != nullptr) return &known->title;
    FeedTitle* row = nullptr;
    if (!Keep(cache_->Get(*rows_, key, &row))) return nullptr;
    row->title = std::move(title);
    *added = true;
    return &row->title;
  }
  const Status& status() const { return status_; }

 private:
  bool Keep(const Status& s) {
    if (!s.ok() && status_.ok()) status_ = s;
    return s.ok();
  }
  DocCache<FeedTitle>* cache_;
  const RowReader* rows_;
  const std::string& tenant_;
  const std::string& project_;
  Status status_;
};

// The line for one client-visible event of a project, or false when it makes none; `*changed`
// when the event changed the project's row (its client board).
bool Describe(const schema::Event& event, const std::string& actor_client, FeedProject* doc,
              Titles* titles, std::string* parts, bool* changed) {
  Line line(event);
  switch (event.payload_type()) {
    case Payload::MilestonePlanned: {
      const auto* e = event.payload_as_MilestonePlanned();
      bool added = false;
      const std::string* title =
          titles->Add("milestone", e->milestone_id(), Clean(e->title()), &added);
      if (!added) return false;  // the first plan decides
      line.Text(" planned ").Title(*title).Text(" for ").Text(Clean(e->planned_date()));
      break;
    }
    case Payload::MilestoneStarted: {
      const std::string* title =
          titles->Known("milestone", event.payload_as_MilestoneStarted()->milestone_id());
      if (title == nullptr) return false;
      line.Text(" started ").Title(*title);
      break;
    }
    case Payload::MilestoneRescheduled: {
      const auto* e = event.payload_as_MilestoneRescheduled();
      const std::string* title = titles->Known("milestone", e->milestone_id());
      if (title == nullptr) return false;
      line.Text(" moved ").Title(*title).Text(" from ").Text(Clean(e->old_date()));
      line.Text(" to ").Text(Clean(e->new_date())).Reason(Clean(e->reason()));
      break;
    }
    case Payload::MilestoneCompleted: {
      const auto* e = event.payload_as_MilestoneCompleted();
      const std::string* title = titles->Known("milestone", e->milestone_id());
      if (title == nullptr) return false;
      line.Text(" completed ").Title(*title);
      if (const std::string on = Clean(e->completed_date()); !on.empty()) line.Text(" on " + on);
      break;
    }
    case Payload::MilestoneBlocked: {
      const auto* e = event.payload_as_MilestoneBlocked();
      const std::string* title = titles->Known("milestone", e->milestone_id());
      if (title == nullptr) return false;
      line.Text(" marked ").Title(*title).Text(" blocked").Reason(Clean(e->reason()));
      break;
    }
    case Payload::MilestoneUnblocked: {
      const auto* e = event.payload_as_MilestoneUnblocked();
      const std::string* title = titles->Known("milestone", e->milestone_id());
      if (title == nullptr) return false;
      line.Text(" unblocked ").Title(*title).Reason(Clean(e->reason()));
      break;
    }
    case Payload::DocumentRequested: {
      const auto* e = event.payload_as_DocumentRequested();
      if (titles->Known("milestone", e->milestone_id()) == nullptr) return false;
      bool added = false;
      const std::string* title = titles->Add("request", e->request_id(), Clean(e->title()), &added);
      if (!added) return false;
      line.Text(" requested ").Title(*title).Text(" from ");
      if (e->requested_from() == nullptr || e->requested_from()->size() == 0) {
        line.Text("the client");
      } else {
        line.Member(S(e->requested_from()));
      }
      line.Due(Clean(e->due_date()));
      break;
    }
    case Payload::FileUploaded: {
      const auto* e = event.payload_as_FileUploaded();
      const std::string name = Clean(e->name());
      bool added = false;
      titles->Add("file", e->file_id(), name, &added);
      line.Text(" uploaded ").Text(name);
      if (e->version() > 1) line.Text(" (version " + std::to_string(e->version()) + ")");
      if (const std::string* request = titles->Known("request", e->request_id())) {
        line.Text(" for ").Title(*request);
      }
      break;
    }
    case Payload::CommentPosted: {
      const auto* e = event.payload_as_CommentPosted();
      const bool client_side = !actor_client.empty() && actor_client == doc->client_id;
      const bool reply = e->reply_to() != nullptr && e->reply_to()->size() > 0;
      line.Text(reply ? " replied" : client_side ? " asked" : " commented");
      const schema::Anchor* anchor = e->anchor();
      const std::string* on = nullptr;
      if (anchor != nullptr && anchor->kind() == schema::AnchorKind::Milestone) {
        on = titles->Known("milestone", anchor->id());
      } else if (anchor != nullptr && anchor->kind() == schema::AnchorKind::Card) {
        on = titles->Known("card", anchor->id());
      } else if (anchor != nullptr && anchor->kind() == schema::AnchorKind::File) {
        on = titles->Known("file", anchor->id());
      }
      if (on != nullptr) line.Text(" on ").Title(*on);
      if (anchor != nullptr && anchor->kind() == schema::AnchorKind::Project) {
        line.Text(" on the project");
      }
      line.Reason(Clean(e->body(), kBodyChars));
      break;
    }
    case Payload::WorkflowConfigured: {
      const auto* e = event.payload_as_WorkflowConfigured();
      const std::string board = S(e->board_id());
      if (!doc->client_board.empty() && doc->client_board != board) return false;
      line.Text(doc->client_board.empty() ? " set up the board " : " changed the board ");
      *changed = doc->client_board != board;
      doc->client_board = board;
      line.Title(Clean(e->name()));
      std::string columns;
      if (e->columns() != nullptr) {
        for (const auto* c : *e->columns()) columns += (columns.empty() ? "" : ", ") + Clean(c);
      }
      line.Reason(columns);
      break;
    }
    case Payload::CardCreated: {
      const auto* e = event.payload_as_CardCreated();
      if (doc->client_board.empty() || S(e->board_id()) != doc->client_board) return false;
      bool added = false;
      const std::string* title = titles->Add("card", e->card_id(), Clean(e->title()), &added);
      if (!added) return false;
      line.Text(" added card ").Title(*title).Text(" to ").Text(Clean(e->column()));
      break;
    }
    case Payload::CardMoved: {
      const auto* e = event.payload_as_CardMoved();
      const std::string* title = titles->Known("card", e->card_id());
      if (title == nullptr) return false;
      line.Text(" moved card ").Title(*title).Text(" to ").Text(Clean(e->to_column()));
      break;
    }
    case Payload::CardLinked: {
      const auto* e = event.payload_as_CardLinked();
      const std::string* a = titles->Known("card", e->card_id());
      const std::string* b = titles->Known("card", e->linked_card_id());
      if (a == nullptr || b == nullptr) return false;
      line.Text(" linked cards ").Title(*a).Text(" and ").Title(*b);
      break;
    }
    case Payload::ApprovalRequested: {
      const auto* e = event.payload_as_ApprovalRequested();
      bool added = false;
      const std::string* title =
          titles->Add("approval", e->approval_id(), Clean(e->title()), &added);
      if (!added) return false;
      line.Text(" asked ").Member(S(e->requested_from())).Text(" to approve ").Title(*title);
      line.Due(Clean(e->due_date()));
      break;
    }
    case Payload::ApprovalGranted:
    case Payload::ApprovalRejected: {
      const bool granted = event.payload_type() == Payload::ApprovalGranted;
      const auto* id = granted ? event.payload_as_ApprovalGranted()->approval_id()
                               : event.payload_as_ApprovalRejected()->approval_id();
      const auto* comment = granted ? event.payload_as_ApprovalGranted()->comment()
                                    : event.payload_as_ApprovalRejected()->comment();
      const std::string* title = titles->Known("approval", id);
      if (title == nullptr) return false;
      line.Text(granted ? " approved " : " rejected ").Title(*title);
      line.Reason(Clean(comment, kBodyChars));
      break;
    }
    case Payload::ReportLinkIssued:
      line.Text(" shared a ").Text(Clean(event.payload_as_ReportLinkIssued()->report()));
      line.Text(" report link");
      break;
    case Payload::ReportLinkRevoked:
      line.Text(" revoked a report link");
      break;
    default:
      return false;
  }
  *parts = line.Take();
  return true;
}

}  // namespace

std::string FeedProjectKey(const std::string& tenant, const std::string& project) {
  return ProjectRowKey(tenant, project);
}
std::string FeedLinesKey(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, "l", project});
}
std::string FeedTitleKey(const std::string& tenant, const std::string& project,
                         std::string_view kind, const std::string& id) {
  return ViewKey({tenant, "t", project, kind, id});
}
std::string FeedCountKey(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, "n", project});
}

Status LoadFeedCount(const RowReader& rows, const std::string& tenant, const std::string& project,
                     uint64_t* count) {
  std::string value;
  Status s = rows.Get(FeedCountKey(tenant, project), &value);
  *count = 0;
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("a feed count row is damaged");
  FeedCount c;
  ReadRow(v.get_object(), &c);
  *count = c.count;
  return Status::OK();
}

Status FeedProjection::Apply(const schema::Event& event, ViewRows* rows) {
  if (!Admits(Curation::kClient, event)) return Status::OK();
  const std::string_view stream = event.stream_id() ? event.stream_id()->string_view() : "";
  if (stream == "workspace") {
    if (event.payload_type() != Payload::MemberInvited) return Status::OK();
    return members_.Invited(*rows, S(event.tenant()), *event.payload_as_MemberInvited());
  }
  Status s = run_.Open(event, *rows);
  if (!s.ok() || run_.project().empty()) return s;
  const std::string& tenant = run_.tenant();
  const std::string& project = run_.project();
  FeedProject* doc = nullptr;
  std::string parts;  // a JSON array
  if (event.payload_type() == Payload::ProjectCreated) {
    s = projects_.Create(*rows, run_.key(), &doc);
    if (!s.ok() || doc == nullptr) return s;  // the first creation decides
    const auto* e = event.payload_as_ProjectCreated();
    doc->name = Clean(e->name());
    doc->client_id = S(e->client_id());
    parts = Line(event).Text(" created the project ").Title(doc->name).Take();
  } else {
    DocCache<FeedProject>::Ref& ref = run_.row();
    if (ref.doc == nullptr) return Status::OK();  // events of a project never created: nothing
    doc = ref.doc;
    std::string actor_client;  // the client whose person commented, if one did
    if (event.payload_type() == Payload::CommentPosted) {
      s = members_.SideOf(*rows, tenant, S(event.actor()), &actor_client);
      if (!s.ok()) return s;
    }
    // Titles are a row each, written only when an event adds one; the project's row only when
    // the event changes it (its client board), not for every card move or approval.
    bool changed = false;
    Titles titles(&titles_, rows, tenant, project);
    const bool described = Describe(event, actor_client, doc, &titles, &parts, &changed);
    if (!titles.status().ok()) return titles.status();
    if (changed) ref.Changed();
    if (!described) return Status::OK();
  }
  FeedCount* count = nullptr;
  s = counts_.Get(*rows, FeedCountKey(tenant, project), &count);
  if (!s.ok()) return s;
  lines_.Append(FeedLinesKey(tenant, project), count->count++, [&](JsonLine& line) {
    line.Int("at_us", event.recorded_at_us())
        .Str("actor", event.actor())
        .Str("kind", schema::EnumNamePayload(event.payload_type()))
        .Raw("parts", parts);
  });
  return Status::OK();
}

Status FeedProjection::Flush(ViewRows* rows) {
  members_.Flush(rows);
  projects_.Flush(rows);
  titles_.Flush(rows);
  counts_.Flush(rows);
  return lines_.Flush(rows);
}

void FeedProjection::Forget() {
  members_.Forget();
  projects_.Forget();
  titles_.Forget();
  counts_.Forget();
  lines_.Forget();
}

}  // namespace tandem
