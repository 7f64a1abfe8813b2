#include "timeline_projection.h"

#include <algorithm>
#include <functional>

#include "directory_projection.h"
#include "json_fields.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Int;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

std::string MilestoneKey(const std::string& tenant, const std::string& project,
                         std::string_view milestone) {
  return ViewKey({tenant, project, "m", milestone});
}
std::string RequestKey(const std::string& tenant, const std::string& project, std::string_view id) {
  return ViewKey({tenant, project, "r", id});
}
std::string FileKey(const std::string& tenant, const std::string& project, std::string_view id) {
  return ViewKey({tenant, project, "f", id});
}
std::string SlipKey(const std::string& tenant, const std::string& project,
                    std::string_view milestone, uint64_t number) {
  return ViewKey({tenant, project, "s", milestone, OrderedNumber(number)});
}

// The milestone a payload names, if it names one.
const flatbuffers::String* MilestoneOf(const schema::Event& event) {
  switch (event.payload_type()) {
    case Payload::MilestoneStarted:
      return event.payload_as_MilestoneStarted()->milestone_id();
    case Payload::MilestoneRescheduled:
      return event.payload_as_MilestoneRescheduled()->milestone_id();
    case Payload::MilestoneCompleted:
      return event.payload_as_MilestoneCompleted()->milestone_id();
    case Payload::MilestoneBlocked:
      return event.payload_as_MilestoneBlocked()->milestone_id();
    case Payload::MilestoneUnblocked:
      return event.payload_as_MilestoneUnblocked()->milestone_id();
    case Payload::CommentPosted: {
      const auto* a = event.payload_as_CommentPosted()->anchor();
      return a != nullptr && a->kind() == schema::AnchorKind::Milestone ? a->id() : nullptr;
    }
    default:
      return nullptr;
  }
}

// A change to one milestone's own state; false when the event changes nothing.
// (A reschedule also writes its slip's row: ApplyToMilestones.)
bool ChangeMilestone(const schema::Event& event, TimelineMilestone* m) {
  const int64_t at = event.recorded_at_us();
  switch (event.payload_type()) {
    case Payload::MilestoneStarted:
      if (m->status != "planned") return false;
      m->status = "in_progress";
      return true;
    case Payload::MilestoneCompleted:
      m->status = "completed";
      m->completed_date = S(event.payload_as_MilestoneCompleted()->completed_date());
      return true;
    case Payload::MilestoneBlocked:
      if (!m->blocked) m->blocked_since_us = at;
      m->blocked = true;
      m->blocked_reason = S(event.payload_as_MilestoneBlocked()->reason());
      return true;
    case Payload::MilestoneUnblocked:
      m->blocked = false;
      m->blocked_reason.clear();
      m->blocked_since_us = 0;
      return true;
    default:
      return false;
  }
}

boost::json::object SlipJson(const TimelineSlip& s) {
  return {
      {"old_date", s.old_date}, {"new_date", s.new_date}, {"reason", s.reason}, {"at_us", s.at_us}};
}

Status ParseObject(std::string_view value, boost::json::object* out) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("a timeline row is damaged");
  *out = std::move(v.get_object());
  return Status::OK();
}

}  // namespace

std::string TimelineHeaderKey(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, project, "h"});
}

Status TimelineProjection::Apply(const schema::Event& event, ViewRows* rows) {
  if (!Admits(curation_, event)) return Status::OK();
  Status s = run_.Open(event, *rows);
  if (!s.ok() || run_.project().empty()) return s;
  const std::string& tenant = run_.tenant();
  const std::string& project = run_.project();
  DocCache<TimelineHeader>::Ref& header = run_.row();
  if (event.payload_type() == Payload::ProjectCreated) {
    if (header.doc != nullptr) return Status::OK();  // the first creation decides
    TimelineHeader* h = nullptr;
    s = headers_.Get(*rows, run_.key(), &h);
    if (!s.ok()) return s;
    h->name = S(event.payload_as_ProjectCreated()->name());
    h->client_id = S(event.payload_as_ProjectCreated()->client_id());
    return Status::OK();
  }
  if (header.doc == nullptr) return Status::OK();  // a project never created has no timeline
  if (event.payload_type() == Payload::MilestonePlanned) {
    const auto* e = event.payload_as_MilestonePlanned();
    const std::string mkey = MilestoneKey(tenant, project, S(e->milestone_id()));
    TimelineMilestone* m = nullptr;
    s = milestones_.Create(*rows, mkey, &m);
    if (!s.ok() || m == nullptr) return s;  // the first plan decides
    m->seq = header.doc->next_seq++;
    header.Changed();
    m->title = S(e->title());
    m->original_date = m->current_date = S(e->planned_date());
    m->client = SharedWithClient(event);
    return Status::OK();
  }
  return ApplyToMilestones(event, tenant, project, rows);
}

Status TimelineProjection::ApplyToMilestones(const schema::Event& event, const std::string& tenant,
                                             const std::string& project, ViewRows* rows) {
  if (const flatbuffers::String* id = MilestoneOf(event)) {
    const std::string milestone = S(id);
    DocCache<TimelineMilestone>::Ref m;
    Status s = milestones_.Open(*rows, MilestoneKey(tenant, project, milestone), &m);
    if (!s.ok() || m.doc == nullptr) return s;
    if (event.payload_type() == Payload::CommentPosted) {
      TimelineComments* counts = nullptr;
      s = comments_.Get(*rows, ViewKey({tenant, project, "n", milestone}), &counts);
      if (s.ok()) (SharedWithClient(event) ? counts->client : counts->internal)++;
      return s;
    }
    if (event.payload_type() == Payload::MilestoneRescheduled) {
      // A slip is written once, as a row of its own: a milestone moved a thousand times
      // costs one more row, not its whole history again.
      const auto* e = event.payload_as_MilestoneRescheduled();
      const TimelineSlip slip{m.doc->current_date, S(e->new_date()), S(e->reason()),
                              event.recorded_at_us()};
      rows->Put(SlipKey(tenant, project, milestone, m.doc->slip_count++),
                boost::json::serialize(SlipJson(slip)));
      m.doc->current_date = slip.new_date;
      m.Changed();
      return s;
    }
    if (ChangeMilestone(event, m.doc)) m.Changed();
    return s;
  }
  if (event.payload_type() == Payload::DocumentRequested) {
    const auto* e = event.payload_as_DocumentRequested();
    const std::string key = RequestKey(tenant, project, S(e->request_id()));
    const TimelineRequest* existing = nullptr;
    Status s = requests_.Peek(*rows, key, &existing);
    if (!s.ok() || existing != nullptr) return s;  // the first request with that id decides
    const TimelineMilestone* m = nullptr;
    s = milestones_.Peek(*rows, MilestoneKey(tenant, project, S(e->milestone_id())), &m);
    if (!s.ok() || m == nullptr) return s;  // on a milestone this view does not hold
    // The client's only on a milestone shared with it (a request written past the domain's
    // rules onto an internal milestone stays internal).
    const bool shared = SharedWithClient(event) && m->client;
    TimelineRequest* request = nullptr;
    s = requests_.Get(*rows, key, &request);
    if (!s.ok()) return s;
    *request = {S(e->milestone_id()), S(e->title()), S(e->requested_from()),
                S(e->due_date()),     shared,        true};
    return Status::OK();
  }
  if (event.payload_type() != Payload::FileUploaded) return Status::OK();
  return ApplyUpload(*event.payload_as_FileUploaded(), SharedWithClient(event), tenant, project,
                     *rows);
}

Status TimelineProjection::ApplyUpload(const schema::FileUploaded& e, bool shared,
                                       const std::string& tenant, const std::string& project,
                                       const RowReader& rows) {
  // The request it answers closes, whichever milestone the file lands on; an internal file
  // never answers what the client was asked for (written past the domain's rules).
  DocCache<TimelineRequest>::Ref request;
  Status s = requests_.Open(rows, RequestKey(tenant, project, S(e.request_id())), &request);
  if (!s.ok()) return s;
  const std::string request_milestone = request.doc ? request.doc->milestone : "";
  if (request.doc != nullptr && request.doc->open && (shared || !request.doc->client)) {
    request.doc->open = false;
    request.Changed();
  }
  // A file lands on a milestone with its first version; later versions follow it there.
  // (A row looked at and left as it was is not written again: DocCache.)
  const std::string key = FileKey(tenant, project, S(e.file_id()));
  TimelineFile* file = nullptr;
  s = files_.Find(rows, key, &file);
  if (s.ok() && file == nullptr) {
    s = files_.Get(rows, key, &file);
    if (s.ok()) {
      const bool anchored =
          e.anchor() != nullptr && e.anchor()->kind() == schema::AnchorKind::Milestone;
      file->milestone = anchored ? S(e.anchor()->id()) : request_milestone;
    }
  }
  if (!s.ok() || file->milestone.empty()) return s;
  const TimelineMilestone* m = nullptr;
  s = milestones_.Peek(rows, MilestoneKey(tenant, project, file->milestone), &m);
  if (!s.ok() || m == nullptr) return s;  // versions count while the milestone is in the view
  if (file->versions == 0) {
    file->name = S(e.name());
    file->client = shared;
  }
  file->versions++;
  file->latest_version = std::max(file->latest_version, e.version());
  return Status::OK();
}

Status TimelineProjection::Flush(ViewRows* rows) {
  headers_.Flush(rows);
  milestones_.Flush(rows);
  requests_.Flush(rows);
  files_.Flush(rows);
  comments_.Flush(rows);
  return Status::OK();
}

void TimelineProjection::Forget() {
  headers_.Forget();
  milestones_.Forget();
  requests_.Forget();
  files_.Forget();
  comments_.Forget();
}

Status LoadTimeline(const RowReader& rows, const std::string& tenant, const std::string& project,
                    TimelineHeader* header,
                    std::vector<std::pair<std::string, TimelineMilestone>>* milestones) {
  std::string value;
  Status s = rows.Get(TimelineHeaderKey(tenant, project), &value);
  boost::json::object o;
  if (s.ok()) s = ParseObject(value, &o);
  if (!s.ok()) return s;
  ReadRow(o, header);
  milestones->clear();
  std::vector<std::string> parts;
  // Reads the rows of one kind; `attach` sees each one's value and its key's parts, and says
  // whether it belongs (a slip, request or counted file names a milestone of the view, and
  // milestones are never removed: one that names none is damage, not a row to leave out).
  auto merge = [&](std::string_view kind, size_t key_parts,
                   const std::function<bool(const boost::json::object&)>& attach) {
    Status parsed;
    Status scanned =
        rows.Scan(ViewKey({tenant, project, kind}), [&](std::string_view key, std::string_view v) {
          boost::json::object o;
          parsed = ParseObject(v, &o);
          if (parsed.ok() && (!SplitViewKey(key, &parts) || parts.size() != key_parts)) {
            parsed = Status::Corruption("a timeline key is damaged");
          }
          if (parsed.ok() && !attach(o)) {
            parsed = Status::Corruption("a timeline row names no milestone of the view");
          }
          return parsed.ok();
        });
    return scanned.ok() ? parsed : scanned;
  };
  s = merge("m", 4, [&](const boost::json::object& o) {
    milestones->emplace_back(parts[3], TimelineMilestone());
    ReadRow(o, &milestones->back().second);
    return true;
  });
  if (!s.ok()) return s;
  // The rows stored apart, each merged into its milestone (found by id: the list is in id
  // order).
  auto find = [&](std::string_view id) -> TimelineMilestone* {
    auto it = std::lower_bound(milestones->begin(), milestones->end(), id,
                               [](const auto& m, std::string_view v) { return m.first < v; });
    return it != milestones->end() && it->first == id ? &it->second : nullptr;
  };
  s = merge("n", 4, [&](const boost::json::object& o) {
    TimelineMilestone* m = find(parts[3]);
    if (m != nullptr) {
      TimelineComments counts;
      ReadRow(o, &counts);
      m->client_comments = counts.client;
      m->internal_comments = counts.internal;
    }
    return m != nullptr;
  });
  if (s.ok()) {
    s = merge("s", 5, [&](const boost::json::object& o) {  // in slip order under each milestone
      TimelineMilestone* m = find(parts[3]);
      if (m != nullptr) {
        m->slips.push_back(
            {Str(o, "old_date"), Str(o, "new_date"), Str(o, "reason"), Int(o, "at_us")});
      }
      return m != nullptr;
    });
  }
  if (s.ok()) {
    s = merge("r", 4, [&](const boost::json::object& o) {
      TimelineRequest r;
      ReadRow(o, &r);
      TimelineMilestone* m = find(r.milestone);
      if (m != nullptr) m->requests[parts[3]] = std::move(r);
      return m != nullptr;
    });
  }
  if (s.ok()) {
    s = merge("f", 4, [&](const boost::json::object& o) {
      TimelineFile f;
      ReadRow(o, &f);
      if (f.versions == 0) return true;  // never on a milestone of this view
      TimelineMilestone* m = find(f.milestone);
      if (m != nullptr) m->files[parts[3]] = std::move(f);
      return m != nullptr;
    });
  }
  return s;
}

boost::json::object RenderTimeline(const TimelineHeader& header,
                                   const std::vector<std::pair<std::string, TimelineMilestone>>& ms,
                                   bool client) {
  std::vector<const std::pair<std::string, TimelineMilestone>*> order;
  for (const auto& m : ms) order.push_back(&m);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    if (a->second.current_date != b->second.current_date)
      return a->second.current_date < b->second.current_date;
    return a->second.seq < b->second.seq;
  });
  boost::json::array milestones;
  for (const auto* entry : order) {
    const std::string& id = entry->first;
    const TimelineMilestone& m = entry->second;
    if (client && !m.client) continue;
    boost::json::object o{{"id", id},
                          {"title", m.title},
                          {"status", m.blocked ? "blocked" : m.status},
                          {"planned_date", m.original_date},
                          {"current_date", m.current_date},
                          {"completed_date", m.completed_date},
                          {"blocked_reason", m.blocked_reason}};
    boost::json::array slips;
    for (const TimelineSlip& s : m.slips) slips.push_back(SlipJson(s));
    o["slips"] = std::move(slips);
    boost::json::array requests;
    for (const auto& [rid, r] : m.requests) {
      // A request closes unanswered when its milestone completes (the domain refuses answers).
      if (!r.open || m.status == "completed" || (client && !r.client)) continue;
      boost::json::object ro{{"id", rid},
                             {"title", r.title},
                             {"requested_from", r.requested_from},
                             {"due_date", r.due_date}};
      if (!client) ro["audience"] = r.client ? "client" : "internal";
      requests.push_back(std::move(ro));
    }
    o["open_requests"] = std::move(requests);
    boost::json::array files;
    for (const auto& [fid, f] : m.files) {
      if (client && !f.client) continue;
      boost::json::object fo{{"id", fid},
                             {"name", f.name},
                             {"latest_version", f.latest_version},
                             {"versions", f.versions}};
      if (!client) fo["audience"] = f.client ? "client" : "internal";
      files.push_back(std::move(fo));
    }
    o["files"] = std::move(files);
    o["client_comments"] = m.client_comments;
    if (!client) {
      o["internal_comments"] = m.internal_comments;
      o["audience"] = m.client ? "client" : "internal";
    }
    milestones.push_back(std::move(o));
  }
  return {
      {"name", header.name}, {"client", header.client_id}, {"milestones", std::move(milestones)}};
}

}  // namespace tandem
