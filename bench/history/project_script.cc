#include "project_script.h"

#include <algorithm>
#include <cmath>

#include "history_text.h"

namespace tandem::history {
namespace {

const std::vector<std::string> kClientColumns{"Inbound", "Assigned", "In Progress", "Staged",
                                              "Approved"};
const std::vector<std::string> kInternalColumns{"Backlog", "Doing", "Review", "Done"};
constexpr char kClientBoard[] = "cb";
constexpr char kInternalBoard[] = "ib";
// project.create, the two boards and the first three milestones.
constexpr uint64_t kSetupCommands = 6;

// How often each kind of work is chosen once the project is set up (comments also take the
// turns of work the project's state does not allow at that moment).
enum Work { kComment, kMilestone, kCard, kUpload, kApproval, kDocumentRequest, kReportLink };

template <typename T>
void RemoveAt(std::vector<T>* items, size_t i) {
  (*items)[i] = std::move(items->back());
  items->pop_back();
}

}  // namespace

ProjectScript::ProjectScript(ProjectPlan plan)
    : plan_(std::move(plan)),
      rng_(plan_.seed),
      now_us_(plan_.start_us),
      mean_gap_us_(static_cast<double>(plan_.duration_us) / std::max<uint64_t>(plan_.events, 1)),
      // About 15% of a project's commands change milestones, some five per milestone: spread
      // that many milestones over the project's length.
      milestone_spacing_days_(std::max(3.0, static_cast<double>(plan_.duration_us / kDayUs) /
                                                (3.0 + plan_.events * 0.15 / 5))) {}

CommandJson ProjectScript::Begin(std::string_view type, const std::string& actor) {
  CommandJson json(type, plan_.project_id + "-" + std::to_string(commands_ + 1), plan_.workspace,
                   actor);
  json.Str("project_id", plan_.project_id);
  return json;
}

Status ProjectScript::Run(const Runner& run, std::string json, const Effect& effect) {
  CommandResult result;
  Status s = run(json, &result);
  if (!s.ok()) return s;
  commands_++;
  written_ += result.events.size();
  if (effect) effect(result);
  return Status::OK();
}

Status ProjectScript::Step(const Runner& run) {
  Status s;
  if (commands_ < kSetupCommands) {
    s = Setup(run);
  } else {
    bool issued = false;
    switch (rng_.Weighted({55, 15, 15, 8, 5, 1.6, 0.4})) {
      case kMilestone:
        issued = Milestones(run, &s);
        break;
      case kCard:
        issued = Cards(run, &s);
        break;
      case kUpload:
        issued = Uploads(run, &s);
        break;
      case kApproval:
        issued = Approvals(run, &s);
        break;
      case kDocumentRequest:
        issued = RequestDocument(run, &s);
        break;
      case kReportLink:
        issued = IssueReportLink(run, &s);
        break;
      default:
        break;
    }
    if (!issued) s = Comment(run);
  }
  now_us_ += std::max<int64_t>(1, static_cast<int64_t>(rng_.Exponential(mean_gap_us_)));
  return s;
}

Status ProjectScript::Setup(const Runner& run) {
  switch (commands_) {
    case 0:
      return Run(run,
                 Begin("project.create", plan_.cast.manager)
                     .Str("client_id", plan_.client_id)
                     .Str("name", plan_.name)
                     .Str("description", "Generated project for " + plan_.name)
                     .Done(),
                 nullptr);
    case 1:
      return Run(run,
                 Begin("board.configure", plan_.cast.manager)
                     .Str("board_id", kClientBoard)
                     .Str("name", "Client requests")
                     .Str("audience", "client")
                     .List("columns", kClientColumns)
                     .Done(),
                 nullptr);
    case 2:
      return Run(run,
                 Begin("board.configure", plan_.cast.manager)
                     .Str("board_id", kInternalBoard)
                     .Str("name", "Production")
                     .List("columns", kInternalColumns)
                     .Done(),
                 nullptr);
    default:
      return PlanMilestone(run);
  }
}

std::string ProjectScript::Today() const { return IsoDay(DayOf(now_us_)); }

const std::string& ProjectScript::FirmPerson() {
  if (plan_.cast.staff.empty() || rng_.Chance(0.45)) return plan_.cast.manager;
  return rng_.Pick(plan_.cast.staff);
}

const std::string& ProjectScript::ClientPerson() {
  const size_t i = rng_.Below(plan_.cast.client_members.size() + 1);
  return i == 0 ? plan_.cast.client_admin : plan_.cast.client_members[i - 1];
}

const std::string& ProjectScript::Content() { return rng_.Pick(*plan_.contents); }

std::vector<size_t> ProjectScript::OpenMilestones(bool client_only) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < milestones_.size(); i++) {
    if (milestones_[i].stage != Stage::kCompleted && (!client_only || milestones_[i].client)) {
      out.push_back(i);
    }
  }
  return out;
}

// ---- Milestones ----

Status ProjectScript::PlanMilestone(const Runner& run) {
  const auto& titles = words::MilestoneTitles();
  const size_t n = milestones_.size();
  Milestone m;
  m.id = "m" + std::to_string(n + 1);
  m.title = titles[n % titles.size()];
  if (n >= titles.size()) m.title += " " + std::to_string(n / titles.size() + 1);
  int64_t after = DayOf(now_us_);
  for (size_t i : OpenMilestones(false)) after = std::max(after, milestones_[i].planned_day);
  m.planned_day = after + std::max<int64_t>(
                              2, std::llround(milestone_spacing_days_ * (0.6 + 0.8 * rng_.Unit())));
  // The first milestone is shared, so that the client has threads from the start.
  m.client = n == 0 || !rng_.Chance(0.12);
  const std::string& actor = rng_.Chance(0.05) ? plan_.cast.owner : plan_.cast.manager;
  CommandJson json = Begin("milestone.plan", actor);
  json.Str("milestone_id", m.id).Str("title", m.title).Str("planned_date", IsoDay(m.planned_day));
  if (rng_.Chance(0.3)) json.Str("description", "Covers " + m.title + " for " + plan_.name + ".");
  if (!m.client) json.Str("audience", "internal");
  return Run(run, json.Done(),
             [this, m](const CommandResult&) mutable { milestones_.push_back(std::move(m)); });
}

bool ProjectScript::Milestones(const Runner& run, Status* s) {
  const size_t open = OpenMilestones(false).size();
  if (open < 3 || (open < 6 && rng_.Chance(0.05))) {
    *s = PlanMilestone(run);
    return true;
  }
  return ChangeMilestone(run, s);
}

bool ProjectScript::ChangeMilestone(const Runner& run, Status* s) {
  std::vector<size_t> completable, changeable, blockable, blocked;
  int started = 0;
  int startable = -1;
  for (size_t i = 0; i < milestones_.size(); i++) {
    const Milestone& m = milestones_[i];
    if (m.stage == Stage::kCompleted) continue;
    changeable.push_back(i);
    (m.blocked ? blocked : blockable).push_back(i);
    if (m.stage == Stage::kStarted) {
      started++;
      if (!m.blocked) completable.push_back(i);
    } else if (!m.blocked && startable < 0) {
      startable = static_cast<int>(i);
    }
  }
  // Milestones past their date are what slips: they get rescheduled to a new date from today.
  const int64_t today = DayOf(now_us_);
  std::vector<size_t> overdue;
  for (size_t i : changeable) {
    if (milestones_[i].planned_day < today) overdue.push_back(i);
  }
  const auto earliest = [this](const std::vector<size_t>& candidates) {
    return *std::min_element(candidates.begin(), candidates.end(), [this](size_t a, size_t b) {
      return milestones_[a].planned_day < milestones_[b].planned_day;
    });
  };
  const bool can_start = startable >= 0 && started < 2;
  const double weights[] = {can_start ? 3.0 : 0, completable.empty() ? 0 : 3.0,
                            changeable.empty() ? 0 : (overdue.empty() ? 1.2 : 3.0),
                            blockable.empty() ? 0 : 0.7, blocked.empty() ? 0 : 3.0};
  if (std::all_of(std::begin(weights), std::end(weights), [](double w) { return w == 0; })) {
    return false;
  }
  const size_t action = rng_.Weighted({weights[0], weights[1], weights[2], weights[3], weights[4]});
  size_t i = 0;
  const char* type = nullptr;
  bool by_manager = false;  // planning and finishing is the manager's; the team does the rest
  switch (action) {
    case 0:
      i = static_cast<size_t>(startable);
      type = "milestone.start";
      break;
    case 1:
      i = earliest(completable);
      type = "milestone.complete";
      by_manager = true;
      break;
    case 2:
      i = !overdue.empty() && rng_.Chance(0.8) ? earliest(overdue) : rng_.Pick(changeable);
      type = "milestone.reschedule";
      by_manager = true;
      break;
    case 3:
      i = rng_.Pick(blockable);
      type = "milestone.block";
      break;
    default:
      i = rng_.Pick(blocked);
      type = "milestone.unblock";
  }
  const Milestone& m = milestones_[i];
  CommandJson json = Begin(type, by_manager ? plan_.cast.manager : FirmPerson());
  json.Str("milestone_id", m.id).Int("expected_version", static_cast<int64_t>(m.version));
  int64_t new_day = m.planned_day;
  switch (action) {
    case 1:
      json.Str("completed_date", Today());
      if (rng_.Chance(0.3)) json.Str("note", "Delivered and signed off.");
      break;
    case 2:
      if (m.planned_day < today) {
        new_day = today + rng_.Between(3, 14);
      } else {
        new_day += rng_.Chance(0.85) ? rng_.Between(3, 21) : -rng_.Between(2, 10);
      }
      json.Str("new_date", IsoDay(new_day)).Str("reason", rng_.Pick(words::SlipReasons()));
      break;
    case 3:
      json.Str("reason", rng_.Pick(words::BlockReasons()));
      break;
    case 4:
      json.Str("reason", rng_.Pick(words::UnblockReasons()));
      break;
    default:
      break;
  }
  *s = Run(run, json.Done(), [this, i, action, new_day](const CommandResult& r) {
    Milestone& m = milestones_[i];
    m.version = r.entity_version;
    switch (action) {
      case 0:
        m.stage = Stage::kStarted;
        break;
      case 1:
        m.stage = Stage::kCompleted;
        // Requests on a completed milestone are closed: no more answers to them.
        for (size_t k = open_requests_.size(); k-- > 0;) {
          if (open_requests_[k].milestone == i) RemoveAt(&open_requests_, k);
        }
        break;
      case 2:
        m.planned_day = new_day;
        break;
      case 3:
        m.blocked = true;
        break;
      default:
        m.blocked = false;
    }
  });
  return true;
}

// ---- Comments ----

int ProjectScript::Thread(size_t milestone, bool client) {
  Milestone& m = milestones_[milestone];
  int& index = client ? m.client_thread : m.internal_thread;
  if (index < 0) {
    struct Thread t;
    t.id = (client ? "t-" : "ti-") + m.id;
    t.anchor_kind = "milestone";
    t.anchor_id = m.id;
    t.client = client;
    t.topic = m.title;
    index = static_cast<int>(threads_.size());
    threads_.push_back(std::move(t));
  }
  return index;
}

Status ProjectScript::Comment(const Runner& run) {
  int index;
  if (milestones_.empty() || rng_.Chance(0.15)) {
    const bool client = rng_.Chance(0.5);
    int& general = client ? general_thread_ : team_thread_;
    if (general < 0) {
      struct Thread t;
      t.id = client ? "t-general" : "ti-team";
      t.anchor_kind = "project";
      t.anchor_id = plan_.project_id;
      t.client = client;
      t.topic = client ? plan_.name : "the project";
      general = static_cast<int>(threads_.size());
      threads_.push_back(std::move(t));
    }
    index = general;
  } else {
    std::vector<size_t> open = OpenMilestones(false);
    const size_t m = open.empty() ? milestones_.size() - 1 : rng_.Pick(open);
    index = Thread(m, milestones_[m].client && rng_.Chance(0.65));
  }
  struct Thread& t = threads_[index];
  const std::string n = std::to_string(++next_id_);
  std::string actor, given_id, full_id, body, reply_to;
  bool question = false, answer = false;
  if (t.client && !t.open_question.empty() && rng_.Chance(0.75)) {
    actor = FirmPerson();
    body = words::FirmAnswer(&rng_, t.topic);
    reply_to = t.open_question;
    answer = true;
  } else if (t.client && !t.last_comment.empty() && rng_.Chance(0.55)) {
    actor = ClientPerson();
    body = words::ClientQuestion(&rng_, t.topic);
    if (rng_.Chance(0.25)) reply_to = t.last_comment;
    question = true;
  } else if (t.client) {
    actor = FirmPerson();
    body = words::FirmUpdate(&rng_, t.topic);
    if (!t.last_comment.empty() && rng_.Chance(0.2)) reply_to = t.last_comment;
  } else {
    actor = rng_.Chance(0.03) ? plan_.cast.owner : FirmPerson();
    body = words::InternalNote(&rng_, t.topic);
    if (!t.last_comment.empty() && rng_.Chance(0.35)) reply_to = t.last_comment;
  }
  // What a client-side member creates lands in its client's namespace.
  given_id = (question ? "q" : "c") + n;
  full_id = question ? "client:" + plan_.client_id + ":" + given_id : given_id;
  CommandJson json = Begin("comment.post", actor);
  json.Str("thread_id", t.id).Str("comment_id", given_id).Str("body", body);
  if (t.last_comment.empty()) {
    json.Anchor("anchor", t.anchor_kind, t.anchor_id)
        .Str("audience", t.client ? "client" : "internal");
  }
  if (!reply_to.empty()) json.Str("reply_to", reply_to);
  return Run(run, json.Done(), [this, index, full_id, question, answer](const CommandResult&) {
    struct Thread& t = threads_[index];
    t.last_comment = full_id;
    if (question) t.open_question = full_id;
    if (answer) t.open_question.clear();
  });
}

// ---- Cards ----

Status ProjectScript::CreateCard(const Runner& run) {
  const bool client_board = rng_.Chance(0.55);
  const bool by_client = client_board && rng_.Chance(0.4);
  const std::string given = "k" + std::to_string(++next_id_);
  Card card;
  card.id = by_client ? "client:" + plan_.client_id + ":" + given : given;
  card.client_board = client_board;
  CommandJson json = Begin("card.create", by_client ? ClientPerson() : FirmPerson());
  json.Str("board_id", client_board ? kClientBoard : kInternalBoard)
      .Str("card_id", given)
      .Str("title", rng_.Pick(words::CardTitles()));
  if (rng_.Chance(0.3)) json.Str("description", "Details in the thread; see the latest files.");
  return Run(run, json.Done(), [this, card](const CommandResult&) {
    active_cards_.push_back(cards_.size());
    cards_.push_back(card);
  });
}

bool ProjectScript::Cards(const Runner& run, Status* s) {
  int unlinked_client = -1;
  std::vector<size_t> internal;
  const size_t start = cards_.empty() ? 0 : rng_.Below(cards_.size());
  for (size_t k = 0; k < cards_.size(); k++) {
    const size_t i = (start + k) % cards_.size();
    if (!cards_[i].client_board) {
      internal.push_back(i);
    } else if (!cards_[i].linked && unlinked_client < 0) {
      unlinked_client = static_cast<int>(i);
    }
  }
  const bool can_link = unlinked_client >= 0 && !internal.empty();
  switch (rng_.Weighted({active_cards_.size() < 12 ? 1.5 : 0.3, active_cards_.empty() ? 0 : 3.5,
                         can_link ? 0.4 : 0})) {
    case 0:
      *s = CreateCard(run);
      return true;
    case 1: {
      const size_t slot = rng_.Below(active_cards_.size());
      const size_t i = active_cards_[slot];
      const Card& card = cards_[i];
      const auto& columns = card.client_board ? kClientColumns : kInternalColumns;
      const size_t to = card.column > 0 && rng_.Chance(0.15) ? card.column - 1 : card.column + 1;
      *s = Run(run,
               Begin("card.move", FirmPerson())
                   .Str("card_id", card.id)
                   .Str("to_column", columns[to])
                   .Int("expected_version", static_cast<int64_t>(card.version))
                   .Done(),
               [this, slot, i, to, last = columns.size() - 1](const CommandResult& r) {
                 cards_[i].column = to;
                 cards_[i].version = r.entity_version;
                 if (to == last) RemoveAt(&active_cards_, slot);
               });
      return true;
    }
    default: {
      const size_t a = static_cast<size_t>(unlinked_client);
      const size_t b = rng_.Pick(internal);
      *s = Run(run,
               Begin("card.link", FirmPerson())
                   .Str("card_id", cards_[a].id)
                   .Str("linked_card_id", cards_[b].id)
                   .Int("expected_version", static_cast<int64_t>(cards_[a].version))
                   .Done(),
               [this, a, b](const CommandResult& r) {
                 cards_[a].version = r.entity_version;
                 cards_[a].linked = true;
                 cards_[b].version++;  // a link changes both cards
               });
      return true;
    }
  }
}

// ---- Files and document requests ----

Status ProjectScript::UploadFirmFile(const Runner& run) {
  const bool shared = rng_.Chance(0.5);
  const std::vector<size_t> open = OpenMilestones(shared);
  static const std::vector<std::string> kExtensions{".pdf", ".png", ".docx"};
  static const std::vector<std::string> kTypes{"application/pdf", "image/png",
                                               "application/vnd.openxmlformats-officedocument."
                                               "wordprocessingml.document"};
  const size_t ext = rng_.Below(kExtensions.size());
  File f;
  const std::string n = std::to_string(++next_id_);
  f.id = "f" + n;
  f.name = rng_.Pick(words::FileKinds()) + "-" + n + kExtensions[ext];
  f.client = shared;
  CommandJson json = Begin("file.upload", FirmPerson());
  json.Str("name", f.name)
      .Str("file_id", f.id)
      .Str("content_base64", Content())
      .Str("content_type", kTypes[ext]);
  if (shared) json.Str("audience", "client");
  if (!open.empty() && rng_.Chance(0.7)) {
    json.Anchor("anchor", "milestone", milestones_[rng_.Pick(open)].id);
  }
  return Run(run, json.Done(), [this, f](const CommandResult&) {
    firm_files_.push_back(files_.size());
    files_.push_back(f);
  });
}

bool ProjectScript::Uploads(const Runner& run, Status* s) {
  switch (rng_.Weighted({open_requests_.empty() ? 0 : 3.5, 5.0, firm_files_.empty() ? 0 : 1.5})) {
    case 0: {
      const size_t slot = rng_.Below(open_requests_.size());
      const Request& r = open_requests_[slot];
      const bool admin = r.requested_from.empty() || rng_.Chance(0.1);
      const std::string& actor = admin ? plan_.cast.client_admin : r.requested_from;
      const bool again = r.file >= 0;
      File f;
      f.name = r.id + "-" + words::Slug(r.title) + ".pdf";
      f.id = "client:" + plan_.client_id + ":d" + std::to_string(++next_id_);
      f.client = true;
      CommandJson json = Begin("file.upload", actor);
      json.Str("name", f.name)
          .Str("content_base64", Content())
          .Str("content_type", "application/pdf")
          .Str("request_id", r.id);
      if (again) {
        json.Int("expected_version", files_[r.file].version);
      } else {
        json.Str("file_id", f.id);
      }
      // Most requests are answered once; some get a corrected version or two.
      const bool answered = rng_.Chance(again ? 0.7 : 0.6);
      *s = Run(run, json.Done(), [this, slot, again, answered, f](const CommandResult& res) {
        Request& r = open_requests_[slot];
        if (!again) {
          r.file = static_cast<int>(files_.size());
          files_.push_back(f);
        }
        files_[r.file].version = static_cast<uint32_t>(res.entity_version);
        if (answered) RemoveAt(&open_requests_, slot);
      });
      return true;
    }
    case 1:
      *s = UploadFirmFile(run);
      return true;
    default: {
      const size_t i = rng_.Pick(firm_files_);
      const File& f = files_[i];
      CommandJson json = Begin("file.upload", FirmPerson());
      json.Str("name", f.name).Str("content_base64", Content()).Int("expected_version", f.version);
      if (f.client) json.Str("audience", "client");
      *s = Run(run, json.Done(), [this, i](const CommandResult& r) {
        files_[i].version = static_cast<uint32_t>(r.entity_version);
      });
      return true;
    }
  }
}

bool ProjectScript::RequestDocument(const Runner& run, Status* s) {
  const std::vector<size_t> open = OpenMilestones(true);
  if (open.empty()) return false;
  Request r;
  r.id = "r" + std::to_string(++next_id_);
  r.title = rng_.Pick(words::DocumentTitles());
  r.milestone = rng_.Pick(open);
  const size_t who = rng_.Weighted({0.6, 0.2, 0.2});
  if (who == 0) r.requested_from = rng_.Pick(plan_.cast.client_members);
  if (who == 1) r.requested_from = plan_.cast.client_admin;
  CommandJson json = Begin("document.request", FirmPerson());
  json.Str("milestone_id", milestones_[r.milestone].id)
      .Str("request_id", r.id)
      .Str("title", r.title);
  if (!r.requested_from.empty()) json.Str("requested_from", r.requested_from);
  if (rng_.Chance(0.4)) json.Str("description", "Please upload it here, a PDF is fine.");
  *s = Run(run, json.Done(), [this, r](const CommandResult&) { open_requests_.push_back(r); });
  return true;
}

// ---- Approvals and report links ----

bool ProjectScript::Approvals(const Runner& run, Status* s) {
  std::vector<size_t> client_milestones;
  for (size_t i = 0; i < milestones_.size(); i++) {
    if (milestones_[i].client) client_milestones.push_back(i);
  }
  std::vector<size_t> client_files;
  for (size_t i = 0; i < files_.size(); i++) {
    if (files_[i].client) client_files.push_back(i);
  }
  const size_t action =
      rng_.Weighted({pending_approvals_.empty() ? 0 : 3.0, client_milestones.empty() ? 0 : 1.4,
                     client_files.empty() ? 0 : 0.6});
  if (action == 0 && pending_approvals_.empty()) return false;  // nothing to approve at all
  if (action == 0) {
    const size_t slot = rng_.Below(pending_approvals_.size());
    const Approval& a = pending_approvals_[slot];
    const std::string& actor = rng_.Chance(0.1) ? plan_.cast.client_admin : a.requested_from;
    const bool grant = rng_.Chance(0.8);
    CommandJson json = Begin(grant ? "approval.grant" : "approval.reject", actor);
    json.Str("approval_id", a.id).Int("expected_version", 1);
    if (!grant) {
      json.Str("comment", rng_.Pick(words::RejectComments()));
    } else if (rng_.Chance(0.3)) {
      json.Str("comment", "Looks good, go ahead.");
    }
    *s = Run(run, json.Done(),
             [this, slot](const CommandResult&) { RemoveAt(&pending_approvals_, slot); });
    return true;
  }
  Approval a;
  a.id = "a" + std::to_string(++next_id_);
  a.requested_from =
      rng_.Chance(0.3) ? plan_.cast.client_admin : rng_.Pick(plan_.cast.client_members);
  CommandJson json = Begin("approval.request", plan_.cast.manager);
  json.Str("approval_id", a.id).Str("requested_from", a.requested_from);
  if (action == 1) {
    const Milestone& m = milestones_[rng_.Pick(client_milestones)];
    json.Anchor("subject", "milestone", m.id).Str("title", "Approve " + m.title);
  } else {
    const File& f = files_[rng_.Pick(client_files)];
    json.Anchor("subject", "file", f.id).Str("title", "Approve " + f.name);
  }
  *s = Run(run, json.Done(), [this, a](const CommandResult&) { pending_approvals_.push_back(a); });
  return true;
}

bool ProjectScript::IssueReportLink(const Runner& run, Status* s) {
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 4; i++) {
    const uint64_t x = rng_.Next();
    for (int shift = 60; shift >= 0; shift -= 4) token += kHex[(x >> shift) & 15];
  }
  *s = Run(run,
           Begin("report_link.issue", plan_.cast.manager)
               .Str("link_id", "l" + std::to_string(++next_id_))
               .Str("report", rng_.Chance(0.5) ? "timeline" : "status")
               .Int("expires_at_us", plan_.link_now_us + rng_.Between(30, 360) * kDayUs)
               .Str("token_sha256", token)
               .Done(),
           nullptr);
  return true;
}

}  // namespace tandem::history
