// `tandem demo`: a firm, two clients and their projects, driven through the command handler
// exactly as the portal would; then the history as each side sees it.
#include <iomanip>
#include <iostream>
#include <random>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json.hpp>

#include "cli_options.h"
#include "demo_views.h"
#include "tandem/basics/calendar.h"
#include "tandem/basics/clock.h"
#include "tandem/domain/client_visibility.h"
#include "verbs.h"

namespace tandem::cli {
namespace {

// Eli is invited by Acme's admin, so his id is in Acme's namespace.
constexpr const char* kEli = "client:acme:eli";

using boost::json::array;
using boost::json::object;

// Runs the story's commands and prints one line for each.
class Story {
 public:
  Story(CommandHandler* commands, std::string workspace)
      : commands_(commands), workspace_(std::move(workspace)) {}

  // Runs a command that must succeed; returns the version of what it changed.
  uint64_t Do(const std::string& actor, const std::string& type, object fields,
              const std::string& what) {
    CommandResult r;
    Status s = Run(actor, type, std::move(fields), &r);
    Print(actor, type, what, s.ok() ? "ok" : "FAILED " + s.ToString());
    if (!s.ok()) failed_ = true;
    return r.entity_version;
  }

  // Runs a command that must be refused, and shows why it was.
  void Refused(const std::string& actor, const std::string& type, object fields,
               const std::string& what) {
    CommandResult r;
    Status s = Run(actor, type, std::move(fields), &r);
    Print(actor, type, what,
          s.ok() ? "ACCEPTED (should have been refused)" : "refused: " + s.reason());
    if (s.ok()) failed_ = true;
  }

  const std::string& workspace() const { return workspace_; }
  bool failed() const { return failed_; }

 private:
  Status Run(const std::string& actor, const std::string& type, object fields, CommandResult* r) {
    fields["type"] = type;
    fields["workspace"] = workspace_;
    fields["actor"] = actor;
    fields["command_id"] = "demo-" + std::to_string(++commands_run_);
    return commands_->ExecuteJson(boost::json::serialize(fields), r);
  }

  static void Print(const std::string& actor, const std::string& type, const std::string& what,
                    const std::string& outcome) {
    std::cout << "  " << std::left << std::setw(17) << actor << std::setw(22) << type
              << std::setw(58) << what << outcome << "\n";
  }

  CommandHandler* commands_;
  std::string workspace_;
  int commands_run_ = 0;
  bool failed_ = false;
};

object Anchor(const std::string& kind, const std::string& id) {
  return object{{"kind", kind}, {"id", id}};
}

std::string Base64(const std::string& text) {
  namespace b64 = boost::beast::detail::base64;
  std::string out(b64::encoded_size(text.size()), '\0');
  out.resize(b64::encode(out.data(), text.data(), text.size()));
  return out;
}

void SetUpFirm(Story* s) {
  s->Do("ana", "workspace.create", {{"name", "Northwind Studio"}}, "Northwind opens its portal");
  s->Do("ana", "member.invite",
        {{"member_id", "ben"},
         {"email", "ben@northwind.io"},
         {"display_name", "Ben"},
         {"role", "project_manager"}},
        "Ben joins as project manager");
  s->Do("ana", "member.invite",
        {{"member_id", "cleo"},
         {"email", "cleo@northwind.io"},
         {"display_name", "Cleo"},
         {"role", "staff"}},
        "Cleo joins as staff");
  for (const char* client : {"acme", "globex"}) {
    s->Do("ana", "client.add", {{"client_id", client}, {"name", client}},
          std::string("client ") + client);
  }
  s->Do("ben", "member.invite",
        {{"member_id", "dana"},
         {"email", "dana@acme.com"},
         {"display_name", "Dana"},
         {"role", "client_admin"},
         {"client_id", "acme"}},
        "Dana, Acme's admin");
  s->Do("dana", "member.invite",
        {{"member_id", "eli"},
         {"email", "eli@acme.com"},
         {"display_name", "Eli"},
         {"role", "client_member"},
         {"client_id", "acme"}},
        "Dana invites her colleague Eli");
  s->Do("ben", "member.invite",
        {{"member_id", "gus"},
         {"email", "gus@globex.com"},
         {"display_name", "Gus"},
         {"role", "client_admin"},
         {"client_id", "globex"}},
        "Gus, Globex's admin");
  s->Do("dana", "branding.set",
        {{"client_id", "acme"}, {"display_name", "ACME Corp"}, {"primary_color", "#d62828"}},
        "Acme's portal colours");
}

void RunWebsiteProject(Story* s) {
  const object web{{"project_id", "web"}};
  auto with = [&](object extra) {
    object f = web;
    for (auto& kv : extra) f[kv.key()] = kv.value();
    return f;
  };
  s->Do("ben", "project.create", with({{"client_id", "acme"}, {"name", "Acme website relaunch"}}),
        "project web for Acme");
  for (auto [id, title, date] : {std::tuple{"discovery", "Discovery", "2026-11-20"},
                                 std::tuple{"design", "Design sign-off", "2026-12-01"},
                                 std::tuple{"launch", "Launch", "2027-01-15"}}) {
    s->Do("ben", "milestone.plan",
          with({{"milestone_id", id}, {"title", title}, {"planned_date", date}}),
          std::string("milestone ") + id + " on " + date);
  }
  uint64_t v =
      s->Do("cleo", "milestone.start",
            with({{"milestone_id", "discovery"}, {"expected_version", 1}}), "discovery starts");
  s->Do("ben", "milestone.complete",
        with({{"milestone_id", "discovery"},
              {"expected_version", v},
              {"completed_date", "2026-11-20"}}),
        "discovery completed on time");
  v = s->Do("cleo", "milestone.start", with({{"milestone_id", "design"}, {"expected_version", 1}}),
            "design starts");
  v = s->Do("ben", "milestone.reschedule",
            with({{"milestone_id", "design"},
                  {"expected_version", v},
                  {"new_date", "2026-12-08"},
                  {"reason", "Brand guide not received yet"}}),
            "design slips a week, with the reason");
  v = s->Do("cleo", "milestone.block",
            with({{"milestone_id", "design"},
                  {"expected_version", v},
                  {"reason", "Waiting for the brand guide"}}),
            "design blocked");
  s->Do("ben", "document.request",
        with({{"milestone_id", "design"},
              {"request_id", "brand-guide"},
              {"title", "Brand guide (PDF)"},
              {"requested_from", kEli}}),
        "Ben asks Eli for the brand guide");
  s->Do(kEli, "comment.post",
        with({{"thread_id", "design-qa"},
              {"comment_id", "q1"},
              {"anchor", Anchor("milestone", "design")},
              {"audience", "client"},
              {"body", "Do you need the 2025 or the 2026 guide?"}}),
        "Eli asks a question on the milestone");
  s->Do("ben", "comment.post",
        with({{"thread_id", "client:acme:design-qa"},
              {"comment_id", "a1"},
              {"reply_to", "client:acme:q1"},
              {"body", "2026, please."}}),
        "Ben answers in the same thread");
  s->Do("cleo", "comment.post",
        with({{"thread_id", "design-internal"},
              {"comment_id", "n1"},
              {"anchor", Anchor("milestone", "design")},
              {"body", "We are over budget on design, keep it quiet until Friday"}}),
        "internal thread on the same milestone");
  s->Do(kEli, "file.upload",
        with({{"request_id", "brand-guide"},
              {"name", "brand-guide.pdf"},
              {"content_base64", Base64("%PDF brand guide draft")},
              {"content_type", "application/pdf"}}),
        "Eli uploads the brand guide (v1)");
  s->Do(kEli, "file.upload",
        with({{"request_id", "brand-guide"},
              {"name", "brand-guide.pdf"},
              {"expected_version", 1},
              {"content_base64", Base64("%PDF brand guide final")},
              {"content_type", "application/pdf"}}),
        "Eli uploads a corrected version (v2)");
  v = s->Do("cleo", "milestone.unblock",
            with({{"milestone_id", "design"},
                  {"expected_version", v},
                  {"reason", "Brand guide received"}}),
            "design unblocked");

  s->Do("ben", "board.configure",
        with({{"board_id", "requests"}, {"name", "Acme requests"}, {"audience", "client"}}),
        "client board, default columns");
  s->Do("ben", "board.configure",
        with({{"board_id", "dev"},
              {"name", "Dev"},
              {"columns", array{"Backlog", "Doing", "Review", "Done"}}}),
        "internal dev board");
  s->Do(kEli, "card.create",
        with({{"board_id", "requests"}, {"card_id", "press-page"}, {"title", "Add a press page"}}),
        "Eli files a request in Inbound");
  s->Do("cleo", "card.create",
        with({{"board_id", "dev"}, {"card_id", "press-tpl"}, {"title", "Press page template"}}),
        "the internal card doing the work");
  s->Do("ben", "card.link",
        with({{"card_id", "client:acme:press-page"},
              {"linked_card_id", "press-tpl"},
              {"expected_version", 1}}),
        "client card linked to the internal one");
  s->Do("ben", "card.move",
        with({{"card_id", "client:acme:press-page"},
              {"to_column", "Assigned"},
              {"expected_version", 2}}),
        "client card moves to Assigned");
  uint64_t card =
      s->Do("cleo", "card.move",
            with({{"card_id", "press-tpl"}, {"to_column", "Doing"}, {"expected_version", 2}}),
            "internal card moves (client sees nothing)");
  s->Do("cleo", "card.move",
        with({{"card_id", "press-tpl"}, {"to_column", "Review"}, {"expected_version", card}}),
        "and again");
  s->Do("ben", "approval.request",
        with({{"approval_id", "design-ok"},
              {"subject", Anchor("milestone", "design")},
              {"title", "Approve the final design"},
              {"requested_from", kEli}}),
        "Ben asks Eli to approve the design");
  s->Do(kEli, "approval.grant",
        with({{"approval_id", "design-ok"}, {"expected_version", 1}, {"comment", "Love it"}}),
        "Eli approves");
  s->Do(
      "ben", "milestone.complete",
      with({{"milestone_id", "design"}, {"expected_version", v}, {"completed_date", "2026-12-08"}}),
      "design completed");
  const int64_t now_us = SystemNowMicros();
  s->Do("dana", "report_link.issue",
        with({{"link_id", "board-report"},
              {"report", "timeline"},
              {"expires_at_us", now_us + 30LL * 86400 * 1000000},
              {"token_sha256", Sha256Hex("demo-secret-" + s->workspace())}}),
        "Dana shares a timeline link (30 days)");
  // Left open, so that Eli has something to do: one due soon, one overdue.
  int64_t today = 0;
  ParseIsoDate(IsoDateOf(now_us), &today);
  s->Do("ben", "document.request",
        with({{"milestone_id", "launch"},
              {"request_id", "launch-copy"},
              {"title", "Launch announcement copy"},
              {"requested_from", kEli},
              {"due_date", FormatIsoDate(today + 2)}}),
        "Ben asks Eli for the launch copy, due in two days");
  s->Do("ben", "approval.request",
        with({{"approval_id", "launch-date"},
              {"subject", Anchor("milestone", "launch")},
              {"title", "Confirm the launch date"},
              {"requested_from", kEli},
              {"due_date", FormatIsoDate(today - 1)}}),
        "Ben asked Eli to confirm the launch date by yesterday");

  std::cout << "\n  what the engine refuses:\n";
  s->Refused(
      kEli, "comment.post",
      with({{"thread_id", "design-internal"}, {"comment_id", "x1"}, {"body", "What budget?"}}),
      "Eli names the internal thread: none for him");
  s->Refused(
      kEli, "milestone.complete",
      with({{"milestone_id", "launch"}, {"expected_version", 1}, {"completed_date", "2026-12-09"}}),
      "Eli completes a milestone");
  s->Refused("ben", "milestone.complete",
             with({{"milestone_id", "design"},
                   {"expected_version", v + 1},
                   {"completed_date", "2026-12-09"}}),
             "Ben completes design a second time");
  s->Refused(
      "gus", "comment.post",
      with({{"thread_id", "client:acme:design-qa"}, {"comment_id", "x2"}, {"body", "Hi Acme"}}),
      "Gus (Globex) writes into Acme's project");
}

void RunAppProject(Story* s) {
  s->Do("ben", "project.create",
        {{"project_id", "app"}, {"client_id", "globex"}, {"name", "Globex mobile app"}},
        "project app for Globex");
  s->Do("ben", "milestone.plan",
        {{"project_id", "app"},
         {"milestone_id", "kickoff"},
         {"title", "Kick-off"},
         {"planned_date", "2026-12-03"}},
        "milestone kickoff");
  s->Do("gus", "comment.post",
        {{"project_id", "app"},
         {"thread_id", "hello"},
         {"comment_id", "g1"},
         {"anchor", Anchor("project", "app")},
         {"body", "Looking forward to it!"}},
        "Gus says hello on his project");
}

// Prints what `client` sees of the workspace and checks it saw nothing internal.
bool ShowClientView(EventLog* log, const EventJsonCodec& codec, const std::string& workspace,
                    const std::string& client, size_t* total) {
  ClientVisibility visibility(client);
  std::vector<RecordedEvent> page;
  size_t shown = 0, hidden = 0;
  bool leaked = false;
  std::cout << "\nwhat " << client << "'s people see:\n";
  for (uint64_t from = 1;; from = page.back().global_position() + 1) {
    Status s = log->ReadTenant(workspace, from, ReadOptions(), &page);
    if (!s.ok() || page.empty()) break;
    for (const RecordedEvent& e : page) {
      if (!visibility.Observe(e.event())) {
        hidden++;
        continue;
      }
      shown++;
      leaked |= e.event().audience() != schema::Audience::Client;
      std::string json;
      if (!codec.ToJson(e, &json).ok()) return false;
      const boost::json::value v = boost::json::parse(json);
      // Numbered among what the client sees: a log position counts every tenant's events.
      std::cout << "  #" << shown << " " << std::left << std::setw(21)
                << schema::EnumNamePayload(e.payload_type()) << " by " << std::setw(16)
                << e.event().actor()->str() << boost::json::serialize(v.at("payload")) << "\n";
    }
    *total = shown + hidden;
  }
  std::cout << "  (" << shown << " shared, " << hidden << " not shared with " << client
            << ": internal threads, internal cards and moves, other clients)\n";
  return !leaked;
}

}  // namespace

int RunDemo(const std::vector<std::string>& args) {
  po::options_description desc("demo options");
  AddCommonOptions(&desc);
  AddBlobOptions(&desc);
  po::variables_map vm;
  int rc = ParseVerbOptions("demo",
                            "Runs a firm with two clients through commands and shows what each "
                            "side sees.",
                            desc, args, &vm);
  if (rc >= 0) return rc;
  Engine engine;
  if (!OpenEngine(vm, &engine)) return kExitFailed;

  std::random_device rd;
  Story story(engine.commands.get(), "northwind-" + std::to_string(rd() % 1000000));
  std::cout << "workspace " << story.workspace() << " (data in " << DataDir(vm) << ")\n\n";
  SetUpFirm(&story);
  RunAppProject(&story);
  RunWebsiteProject(&story);

  size_t total = 0;
  bool clean = ShowClientView(engine.log.get(), *engine.codec, story.workspace(), "acme", &total);
  clean &= ShowClientView(engine.log.get(), *engine.codec, story.workspace(), "globex", &total);
  std::cout << "\n"
            << total << " events in the workspace, all synced; "
            << (clean ? "no client saw an internal event" : "AN INTERNAL EVENT LEAKED") << "\n"
            << "see them all: tandem read --data " << DataDir(vm) << " --tenant "
            << story.workspace() << "\n";
  const bool shown = ShowDemoViews(engine.log.get(), DataDir(vm) + "/views", story.workspace());
  return story.failed() || !clean || !shown ? kExitFailed : kExitOk;
}

}  // namespace tandem::cli
