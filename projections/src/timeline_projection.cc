#include "timeline_projection.h"

#include <algorithm>

#include "directory_projection.h"
#include "json_fields.h"
#include "view_key.h"

namespace tandem {
namespace {

using json_fields::Arr;
using json_fields::Bool;
using json_fields::Int;
using json_fields::Obj;
using json_fields::S;
using json_fields::Str;
using schema::Payload;

std::string HeaderKey(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, project, "h"});
}
std::string MilestoneKey(const std::string& tenant, const std::string& project,
                         std::string_view milestone) {
  return ViewKey({tenant, project, "m", milestone});
}
std::string IndexKey(const std::string& tenant, const std::string& project, std::string_view kind,
                     std::string_view id) {
  return ViewKey({tenant, project, kind, id});
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
bool ChangeMilestone(const schema::Event& event, TimelineMilestone* m) {
  const int64_t at = event.recorded_at_us();
  switch (event.payload_type()) {
    case Payload::MilestoneStarted:
      if (m->status != "planned") return false;
      m->status = "in_progress";
      return true;
    case Payload::MilestoneRescheduled: {
      const auto* e = event.payload_as_MilestoneRescheduled();
      m->slips.push_back({m->current_date, S(e->new_date()), S(e->reason()), at});
      m->current_date = S(e->new_date());
      return true;
    }
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

Status TimelineProjection::Apply(const schema::Event& event, ViewRows* rows) {
  if (!Admits(curation_, event)) return Status::OK();
  const std::string project = ProjectOfStream(event.stream_id()->string_view());
  if (project.empty()) return Status::OK();
  const std::string tenant = S(event.tenant());
  const std::string key = HeaderKey(tenant, project);
  DocCache<TimelineHeader>::Ref header;
  Status s = headers_.Open(*rows, key, &header);
  if (!s.ok()) return s;
  if (event.payload_type() == Payload::ProjectCreated) {
    if (header.doc != nullptr) return Status::OK();  // the first creation decides
    TimelineHeader* h = nullptr;
    s = headers_.Get(*rows, key, &h);
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
  return ApplyToMilestones(event, tenant, project, *rows);
}

Status TimelineProjection::ApplyToMilestones(const schema::Event& event, const std::string& tenant,
                                             const std::string& project, const RowReader& rows) {
  if (const flatbuffers::String* id = MilestoneOf(event)) {
    const std::string milestone = S(id);
    DocCache<TimelineMilestone>::Ref m;
    Status s = milestones_.Open(rows, MilestoneKey(tenant, project, milestone), &m);
    if (!s.ok() || m.doc == nullptr) return s;
    if (event.payload_type() == Payload::CommentPosted) {
      TimelineComments* counts = nullptr;
      s = comments_.Get(rows, ViewKey({tenant, project, "n", milestone}), &counts);
      if (s.ok()) (SharedWithClient(event) ? counts->client : counts->internal)++;
      return s;
    }
    if (ChangeMilestone(event, m.doc)) m.Changed();
    return s;
  }
  if (event.payload_type() == Payload::DocumentRequested) {
    const auto* e = event.payload_as_DocumentRequested();
    const std::string ikey = IndexKey(tenant, project, "r", S(e->request_id()));
    const TimelineIndex* existing = nullptr;
    Status s = index_.Peek(rows, ikey, &existing);
    if (!s.ok() || existing != nullptr) return s;
    DocCache<TimelineMilestone>::Ref m;
    s = milestones_.Open(rows, MilestoneKey(tenant, project, S(e->milestone_id())), &m);
    if (!s.ok() || m.doc == nullptr) return s;
    TimelineIndex* index = nullptr;
    s = index_.Get(rows, ikey, &index);
    if (!s.ok()) return s;
    index->milestone_id = S(e->milestone_id());
    m.doc->requests[S(e->request_id())] = {S(e->title()), S(e->requested_from()), S(e->due_date()),
                                           SharedWithClient(event), true};
    m.Changed();
    return Status::OK();
  }
  if (event.payload_type() != Payload::FileUploaded) return Status::OK();
  const auto* e = event.payload_as_FileUploaded();
  // The request it answers closes, whichever milestone the file lands on.
  const TimelineIndex* request = nullptr;
  Status s = index_.Peek(rows, IndexKey(tenant, project, "r", S(e->request_id())), &request);
  if (!s.ok()) return s;
  const std::string request_milestone = request ? request->milestone_id : "";
  if (request != nullptr) {
    DocCache<TimelineMilestone>::Ref m;
    s = milestones_.Open(rows, MilestoneKey(tenant, project, request_milestone), &m);
    if (!s.ok()) return s;
    if (m.doc != nullptr) {
      auto it = m.doc->requests.find(S(e->request_id()));
      if (it != m.doc->requests.end() && it->second.open) {
        it->second.open = false;
        m.Changed();
      }
    }
  }
  // A file lands on a milestone with its first version; later versions follow it there.
  const std::string fkey = IndexKey(tenant, project, "f", S(e->file_id()));
  const TimelineIndex* file = nullptr;
  s = index_.Peek(rows, fkey, &file);
  if (!s.ok()) return s;
  std::string milestone;
  if (file != nullptr) {
    milestone = file->milestone_id;
  } else {
    if (e->anchor() != nullptr && e->anchor()->kind() == schema::AnchorKind::Milestone) {
      milestone = S(e->anchor()->id());
    } else {
      milestone = request_milestone;
    }
    TimelineIndex* created = nullptr;
    s = index_.Get(rows, fkey, &created);
    if (!s.ok()) return s;
    created->milestone_id = milestone;
  }
  if (milestone.empty()) return Status::OK();
  DocCache<TimelineMilestone>::Ref m;
  s = milestones_.Open(rows, MilestoneKey(tenant, project, milestone), &m);
  if (!s.ok() || m.doc == nullptr) return s;
  auto [it, added] = m.doc->files.try_emplace(S(e->file_id()));
  if (added) {
    it->second.name = S(e->name());
    it->second.client = SharedWithClient(event);
  }
  it->second.versions++;
  it->second.latest_version = std::max(it->second.latest_version, e->version());
  m.Changed();
  return Status::OK();
}

Status TimelineProjection::Flush(ViewRows* rows) {
  headers_.Flush(rows);
  milestones_.Flush(rows);
  index_.Flush(rows);
  comments_.Flush(rows);
  return Status::OK();
}

void TimelineProjection::Forget() {
  headers_.Forget();
  milestones_.Forget();
  index_.Forget();
  comments_.Forget();
}

void TimelineHeader::ToJson(boost::json::object* out) const {
  *out = {{"name", name}, {"client", client_id}, {"next_seq", next_seq}};
}

void TimelineHeader::FromJson(const boost::json::object& in) {
  name = Str(in, "name");
  client_id = Str(in, "client");
  next_seq = Int(in, "next_seq");
}

void TimelineComments::FromJson(const boost::json::object& in) {
  client = static_cast<uint64_t>(Int(in, "client"));
  internal = static_cast<uint64_t>(Int(in, "internal"));
}

void TimelineIndex::FromJson(const boost::json::object& in) { milestone_id = Str(in, "milestone"); }

void TimelineMilestone::ToJson(boost::json::object* out) const {
  boost::json::array slip_list;
  for (const TimelineSlip& s : slips) slip_list.push_back(SlipJson(s));
  boost::json::object rs;
  for (const auto& [id, r] : requests) {
    rs[id] = {{"title", r.title},
              {"requested_from", r.requested_from},
              {"due_date", r.due_date},
              {"client", r.client},
              {"open", r.open}};
  }
  boost::json::object fs;
  for (const auto& [id, f] : files) {
    fs[id] = {{"name", f.name},
              {"latest_version", f.latest_version},
              {"versions", f.versions},
              {"client", f.client}};
  }
  *out = {{"seq", seq},
          {"title", title},
          {"original_date", original_date},
          {"current_date", current_date},
          {"completed_date", completed_date},
          {"status", status},
          {"blocked", blocked},
          {"blocked_reason", blocked_reason},
          {"blocked_since_us", blocked_since_us},
          {"client", client},
          {"slips", std::move(slip_list)},
          {"requests", std::move(rs)},
          {"files", std::move(fs)}};
}

void TimelineMilestone::FromJson(const boost::json::object& o) {
  *this = TimelineMilestone();
  seq = Int(o, "seq");
  title = Str(o, "title");
  original_date = Str(o, "original_date");
  current_date = Str(o, "current_date");
  completed_date = Str(o, "completed_date");
  status = Str(o, "status");
  blocked = Bool(o, "blocked");
  blocked_reason = Str(o, "blocked_reason");
  blocked_since_us = Int(o, "blocked_since_us");
  client = Bool(o, "client");
  for (const auto& s : Arr(o, "slips")) {
    if (!s.is_object()) continue;
    const auto& so = s.get_object();
    slips.push_back(
        {Str(so, "old_date"), Str(so, "new_date"), Str(so, "reason"), Int(so, "at_us")});
  }
  for (const auto& [id, v] : Obj(o, "requests")) {
    if (!v.is_object()) continue;
    const auto& r = v.get_object();
    requests[std::string(id)] = {Str(r, "title"), Str(r, "requested_from"), Str(r, "due_date"),
                                 Bool(r, "client"), Bool(r, "open")};
  }
  for (const auto& [id, v] : Obj(o, "files")) {
    if (!v.is_object()) continue;
    const auto& f = v.get_object();
    files[std::string(id)] = {Str(f, "name"), static_cast<uint32_t>(Int(f, "latest_version")),
                              static_cast<uint32_t>(Int(f, "versions")), Bool(f, "client")};
  }
}

Status LoadTimeline(const RowReader& rows, const std::string& tenant, const std::string& project,
                    TimelineHeader* header,
                    std::vector<std::pair<std::string, TimelineMilestone>>* milestones) {
  std::string value;
  Status s = rows.Get(HeaderKey(tenant, project), &value);
  boost::json::object o;
  if (s.ok()) s = ParseObject(value, &o);
  if (!s.ok()) return s;
  header->FromJson(o);
  milestones->clear();
  std::vector<std::string> parts;
  Status parse;
  s = rows.Scan(ViewKey({tenant, project, "m"}), [&](std::string_view key, std::string_view v) {
    boost::json::object mo;
    parse = ParseObject(v, &mo);
    if (parse.ok() && (!SplitViewKey(key, &parts) || parts.size() != 4)) {
      parse = Status::Corruption("a timeline key is damaged");
    }
    if (!parse.ok()) return false;
    milestones->emplace_back(parts[3], TimelineMilestone());
    milestones->back().second.FromJson(mo);
    return true;
  });
  if (!s.ok() || !parse.ok()) return s.ok() ? parse : s;
  // Comment counts, by milestone (both lists are in milestone id order).
  auto m = milestones->begin();
  s = rows.Scan(ViewKey({tenant, project, "n"}), [&](std::string_view key, std::string_view v) {
    boost::json::object co;
    parse = ParseObject(v, &co);
    if (parse.ok() && (!SplitViewKey(key, &parts) || parts.size() != 4)) {
      parse = Status::Corruption("a timeline key is damaged");
    }
    if (!parse.ok()) return false;
    while (m != milestones->end() && m->first < parts[3]) ++m;
    if (m != milestones->end() && m->first == parts[3]) {
      TimelineComments counts;
      counts.FromJson(co);
      m->second.client_comments = counts.client;
      m->second.internal_comments = counts.internal;
    }
    return true;
  });
  return s.ok() ? parse : s;
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
      if (!r.open || (client && !r.client)) continue;
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
