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

template <class Map>
auto* FindIn(Map& map, const flatbuffers::String* id) {
  auto it = map.find(S(id));
  return it == map.end() ? nullptr : &it->second;
}

void ApplyToDoc(const schema::Event& event, TimelineDoc* doc) {
  const bool client = SharedWithClient(event);
  const int64_t at = event.recorded_at_us();
  switch (event.payload_type()) {
    case Payload::MilestonePlanned: {
      const auto* e = event.payload_as_MilestonePlanned();
      auto [it, added] = doc->milestones.try_emplace(S(e->milestone_id()));
      if (!added) return;  // the first plan decides
      TimelineMilestone& m = it->second;
      m.seq = doc->next_seq++;
      m.title = S(e->title());
      m.original_date = m.current_date = S(e->planned_date());
      m.client = client;
      return;
    }
    case Payload::MilestoneStarted:
      if (auto* m = FindIn(doc->milestones, event.payload_as_MilestoneStarted()->milestone_id())) {
        if (m->status == "planned") m->status = "in_progress";
      }
      return;
    case Payload::MilestoneRescheduled: {
      const auto* e = event.payload_as_MilestoneRescheduled();
      if (auto* m = FindIn(doc->milestones, e->milestone_id())) {
        m->slips.push_back({m->current_date, S(e->new_date()), S(e->reason()), at});
        m->current_date = S(e->new_date());
      }
      return;
    }
    case Payload::MilestoneCompleted: {
      const auto* e = event.payload_as_MilestoneCompleted();
      if (auto* m = FindIn(doc->milestones, e->milestone_id())) {
        m->status = "completed";
        m->completed_date = S(e->completed_date());
      }
      return;
    }
    case Payload::MilestoneBlocked: {
      const auto* e = event.payload_as_MilestoneBlocked();
      if (auto* m = FindIn(doc->milestones, e->milestone_id())) {
        if (!m->blocked) m->blocked_since_us = at;
        m->blocked = true;
        m->blocked_reason = S(e->reason());
      }
      return;
    }
    case Payload::MilestoneUnblocked:
      if (auto* m =
              FindIn(doc->milestones, event.payload_as_MilestoneUnblocked()->milestone_id())) {
        m->blocked = false;
        m->blocked_reason.clear();
        m->blocked_since_us = 0;
      }
      return;
    case Payload::DocumentRequested: {
      const auto* e = event.payload_as_DocumentRequested();
      if (!doc->milestones.count(S(e->milestone_id()))) return;
      auto [it, added] = doc->requests.try_emplace(S(e->request_id()));
      if (!added) return;
      it->second = {S(e->milestone_id()), S(e->title()), S(e->requested_from()), "", client, true};
      return;
    }
    case Payload::FileUploaded: {
      const auto* e = event.payload_as_FileUploaded();
      TimelineRequest* request = FindIn(doc->requests, e->request_id());
      if (request != nullptr) request->open = false;
      auto [it, added] = doc->files.try_emplace(S(e->file_id()));
      TimelineFile& f = it->second;
      if (added) {
        f.name = S(e->name());
        f.client = client;
        if (e->anchor() != nullptr && e->anchor()->kind() == schema::AnchorKind::Milestone) {
          f.milestone_id = S(e->anchor()->id());
        } else if (request != nullptr) {
          f.milestone_id = request->milestone_id;
        }
      }
      f.versions++;
      f.latest_version = std::max(f.latest_version, e->version());
      return;
    }
    case Payload::CommentPosted: {
      const auto* e = event.payload_as_CommentPosted();
      if (e->anchor() == nullptr || e->anchor()->kind() != schema::AnchorKind::Milestone) return;
      if (auto* m = FindIn(doc->milestones, e->anchor()->id())) {
        (client ? m->client_comments : m->internal_comments)++;
      }
      return;
    }
    default:
      return;
  }
}

boost::json::object SlipJson(const TimelineSlip& s) {
  return {
      {"old_date", s.old_date}, {"new_date", s.new_date}, {"reason", s.reason}, {"at_us", s.at_us}};
}

}  // namespace

std::string TimelineKey(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, project});
}

Status TimelineProjection::Apply(const schema::Event& event, ViewRows* rows) {
  if (!Admits(curation_, event)) return Status::OK();
  const std::string project = ProjectOfStream(event.stream_id()->string_view());
  if (project.empty()) return Status::OK();
  const std::string key = TimelineKey(S(event.tenant()), project);
  TimelineDoc* doc = nullptr;
  if (event.payload_type() == Payload::ProjectCreated) {
    const TimelineDoc* existing = nullptr;
    Status s = docs_.Peek(*rows, key, &existing);
    if (!s.ok() || existing != nullptr) return s;  // the first creation decides
    s = docs_.Get(*rows, key, &doc);
    if (!s.ok()) return s;
    doc->name = S(event.payload_as_ProjectCreated()->name());
    doc->client_id = S(event.payload_as_ProjectCreated()->client_id());
    return Status::OK();
  }
  Status s = docs_.Find(*rows, key, &doc);
  if (!s.ok() || doc == nullptr) return s;  // events of a project never created change nothing
  ApplyToDoc(event, doc);
  return Status::OK();
}

void TimelineDoc::ToJson(boost::json::object* out) const {
  (*out)["name"] = name;
  (*out)["client"] = client_id;
  (*out)["next_seq"] = next_seq;
  boost::json::object ms;
  for (const auto& [id, m] : milestones) {
    boost::json::array slips;
    for (const TimelineSlip& s : m.slips) slips.push_back(SlipJson(s));
    ms[id] = {{"seq", m.seq},
              {"title", m.title},
              {"original_date", m.original_date},
              {"current_date", m.current_date},
              {"completed_date", m.completed_date},
              {"status", m.status},
              {"blocked", m.blocked},
              {"blocked_reason", m.blocked_reason},
              {"blocked_since_us", m.blocked_since_us},
              {"client", m.client},
              {"slips", std::move(slips)},
              {"client_comments", m.client_comments},
              {"internal_comments", m.internal_comments}};
  }
  (*out)["milestones"] = std::move(ms);
  boost::json::object rs;
  for (const auto& [id, r] : requests) {
    rs[id] = {
        {"milestone", r.milestone_id}, {"title", r.title},   {"requested_from", r.requested_from},
        {"due_date", r.due_date},      {"client", r.client}, {"open", r.open}};
  }
  (*out)["requests"] = std::move(rs);
  boost::json::object fs;
  for (const auto& [id, f] : files) {
    fs[id] = {{"milestone", f.milestone_id},
              {"name", f.name},
              {"latest_version", f.latest_version},
              {"versions", f.versions},
              {"client", f.client}};
  }
  (*out)["files"] = std::move(fs);
}

void TimelineDoc::FromJson(const boost::json::object& in) {
  *this = TimelineDoc();
  name = Str(in, "name");
  client_id = Str(in, "client");
  next_seq = Int(in, "next_seq");
  for (const auto& [id, v] : Obj(in, "milestones")) {
    if (!v.is_object()) continue;
    const auto& o = v.get_object();
    TimelineMilestone& m = milestones[std::string(id)];
    m.seq = Int(o, "seq");
    m.title = Str(o, "title");
    m.original_date = Str(o, "original_date");
    m.current_date = Str(o, "current_date");
    m.completed_date = Str(o, "completed_date");
    m.status = Str(o, "status");
    m.blocked = Bool(o, "blocked");
    m.blocked_reason = Str(o, "blocked_reason");
    m.blocked_since_us = Int(o, "blocked_since_us");
    m.client = Bool(o, "client");
    m.client_comments = Int(o, "client_comments");
    m.internal_comments = Int(o, "internal_comments");
    for (const auto& s : Arr(o, "slips")) {
      if (!s.is_object()) continue;
      const auto& so = s.get_object();
      m.slips.push_back(
          {Str(so, "old_date"), Str(so, "new_date"), Str(so, "reason"), Int(so, "at_us")});
    }
  }
  for (const auto& [id, v] : Obj(in, "requests")) {
    if (!v.is_object()) continue;
    const auto& o = v.get_object();
    requests[std::string(id)] = {Str(o, "milestone"), Str(o, "title"),   Str(o, "requested_from"),
                                 Str(o, "due_date"),  Bool(o, "client"), Bool(o, "open")};
  }
  for (const auto& [id, v] : Obj(in, "files")) {
    if (!v.is_object()) continue;
    const auto& o = v.get_object();
    files[std::string(id)] = {Str(o, "milestone"), Str(o, "name"),
                              static_cast<uint32_t>(Int(o, "latest_version")),
                              static_cast<uint32_t>(Int(o, "versions")), Bool(o, "client")};
  }
}

boost::json::object RenderTimeline(const TimelineDoc& doc, bool client) {
  std::vector<std::pair<const std::string*, const TimelineMilestone*>> order;
  for (const auto& [id, m] : doc.milestones) order.emplace_back(&id, &m);
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    if (a.second->current_date != b.second->current_date)
      return a.second->current_date < b.second->current_date;
    return a.second->seq < b.second->seq;
  });
  boost::json::array milestones;
  for (const auto& [id, m] : order) {
    if (client && !m->client) continue;
    boost::json::object o{{"id", *id},
                          {"title", m->title},
                          {"status", m->blocked ? "blocked" : m->status},
                          {"planned_date", m->original_date},
                          {"current_date", m->current_date},
                          {"completed_date", m->completed_date},
                          {"blocked_reason", m->blocked_reason}};
    boost::json::array slips;
    for (const TimelineSlip& s : m->slips) slips.push_back(SlipJson(s));
    o["slips"] = std::move(slips);
    boost::json::array requests;
    for (const auto& [rid, r] : doc.requests) {
      if (r.milestone_id != *id || !r.open || (client && !r.client)) continue;
      boost::json::object ro{{"id", rid},
                             {"title", r.title},
                             {"requested_from", r.requested_from},
                             {"due_date", r.due_date}};
      if (!client) ro["audience"] = r.client ? "client" : "internal";
      requests.push_back(std::move(ro));
    }
    o["open_requests"] = std::move(requests);
    boost::json::array files;
    for (const auto& [fid, f] : doc.files) {
      if (f.milestone_id != *id || (client && !f.client)) continue;
      boost::json::object fo{{"id", fid},
                             {"name", f.name},
                             {"latest_version", f.latest_version},
                             {"versions", f.versions}};
      if (!client) fo["audience"] = f.client ? "client" : "internal";
      files.push_back(std::move(fo));
    }
    o["files"] = std::move(files);
    o["client_comments"] = m->client_comments;
    if (!client) {
      o["internal_comments"] = m->internal_comments;
      o["audience"] = m->client ? "client" : "internal";
    }
    milestones.push_back(std::move(o));
  }
  return {{"name", doc.name}, {"client", doc.client_id}, {"milestones", std::move(milestones)}};
}

}  // namespace tandem
