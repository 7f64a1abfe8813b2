#include "history_generator.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "history_random.h"
#include "history_text.h"
#include "project_script.h"

namespace tandem::history {
namespace {

constexpr uint64_t kProgressEvery = 10'000;

std::string Numbered(const std::string& prefix, int n, int width) {
  std::string digits = std::to_string(n);
  if (static_cast<int>(digits.size()) < width) digits.insert(0, width - digits.size(), '0');
  return prefix + digits;
}

Status CheckOptions(const HistoryOptions& o) {
  if (o.clients < 1 || o.projects < 1 || o.managers < 1 || o.staff < 0 || o.client_members < 1 ||
      o.distinct_contents < 1 || o.start_window_days < 1 || o.min_project_days < 1 ||
      o.max_project_days < o.min_project_days || o.threads < 1) {
    return Status::InvalidArgument(
        "history.invalid_options",
        "clients, projects, managers, client_members, distinct_contents, threads and the day "
        "ranges must be positive, staff not negative, and max_project_days >= "
        "min_project_days");
  }
  return Status::OK();
}

// The events the workspace's set-up writes: workspace.create (the workspace and its owner),
// then one per invitation and client.
uint64_t SetupEvents(const HistoryOptions& o) {
  return 2 + o.managers + o.staff + 1 + static_cast<uint64_t>(o.clients) * (2 + o.client_members);
}

// Small text documents of 200 B to 4 KiB, in base64, the same for every seed.
std::vector<std::string> Contents(int count) {
  std::vector<std::string> out;
  HistoryRandom rng(MixSeed(0, 0xc0ffee));
  for (int i = 0; i < count; i++) {
    std::string doc = "Generated document " + std::to_string(i) + "\n";
    const int64_t size = rng.Between(200, 4096);
    while (static_cast<int64_t>(doc.size()) < size) {
      doc += "Line " + std::to_string(doc.size()) + " of the document, revision " +
             std::to_string(rng.Below(1000)) + ".\n";
    }
    out.push_back(Base64(doc));
  }
  return out;
}

// Runs commands through the handler and counts what they wrote; used from several threads.
class Writer {
 public:
  Writer(CommandHandler* handler, HistoryStats* stats,
         const std::function<void(uint64_t)>& progress)
      : handler_(handler), stats_(stats), progress_(progress) {}

  Status Run(const std::string& json, CommandResult* result) {
    Status s = handler_->ExecuteJson(json, result);
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.ok()) {
      if (stats_->refused_command.empty()) stats_->refused_command = json;
      return s;
    }
    const uint64_t before = stats_->events;
    stats_->commands++;
    stats_->events += result->events.size();
    for (const RecordedEvent& e : result->events) {
      by_type_[static_cast<size_t>(e.payload_type())]++;
    }
    if (progress_ && before / kProgressEvery != stats_->events / kProgressEvery) {
      progress_(stats_->events);
      reported_ = stats_->events;
    }
    return Status::OK();
  }

  Status Run(const std::string& json) {
    CommandResult ignored;
    return Run(json, &ignored);
  }

  void Finish() {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t t = 0; t < by_type_.size(); t++) {
      if (by_type_[t] > 0) {
        stats_->events_by_type[schema::EnumNamePayload(static_cast<schema::Payload>(t))] =
            by_type_[t];
      }
    }
    if (progress_ && reported_ != stats_->events) progress_(stats_->events);
  }

 private:
  CommandHandler* handler_;
  std::mutex mu_;
  HistoryStats* stats_;
  const std::function<void(uint64_t)>& progress_;
  uint64_t reported_ = 0;
  std::vector<uint64_t> by_type_ =
      std::vector<uint64_t>(static_cast<size_t>(schema::Payload::MAX) + 1, 0);
};

struct Firm {
  std::string owner = "owner";
  std::vector<std::string> managers, staff;
  struct Client {
    std::string id, name, admin;
    std::vector<std::string> members;
  };
  std::vector<Client> clients;
};

Status SetUpWorkspace(const HistoryOptions& o, Writer* writer, Firm* firm) {
  int n = 0;
  auto command = [&](std::string_view type) {
    return CommandJson(type, "setup-" + std::to_string(++n), o.workspace, firm->owner);
  };
  Status s = writer->Run(command("workspace.create").Str("name", "Generated Studio").Done());
  auto invite = [&](const std::string& id, const std::string& name, const std::string& role,
                    const std::string& client_id) {
    if (!s.ok()) return;
    CommandJson json = command("member.invite");
    json.Str("member_id", id)
        .Str("email", id + "@" + (client_id.empty() ? "studio" : client_id) + ".example")
        .Str("display_name", name)
        .Str("role", role);
    if (!client_id.empty()) json.Str("client_id", client_id);
    s = writer->Run(json.Done());
  };
  for (int i = 1; i <= o.managers; i++) {
    firm->managers.push_back(Numbered("pm", i, 2));
    invite(firm->managers.back(), "Manager " + std::to_string(i), "project_manager", "");
  }
  for (int i = 1; i <= o.staff; i++) {
    firm->staff.push_back(Numbered("staff", i, 2));
    invite(firm->staff.back(), "Staff " + std::to_string(i), "staff", "");
  }
  invite("auditor", "Auditor", "auditor", "");
  const auto& names = words::ClientNames();
  for (int c = 0; c < o.clients && s.ok(); c++) {
    Firm::Client client;
    client.name = names[c % names.size()];
    if (c >= static_cast<int>(names.size()))
      client.name += " " + std::to_string(c / names.size() + 1);
    client.id = words::Slug(client.name);
    s = writer->Run(
        command("client.add").Str("client_id", client.id).Str("name", client.name).Done());
    client.admin = client.id + "-admin";
    invite(client.admin, client.name + " admin", "client_admin", client.id);
    for (int m = 1; m <= o.client_members; m++) {
      client.members.push_back(client.id + "-m" + std::to_string(m));
      invite(client.members.back(), client.name + " member " + std::to_string(m), "client_member",
             client.id);
    }
    firm->clients.push_back(std::move(client));
  }
  return s;
}

// Each project's share of `extra` events beyond the minimum: uneven (log-normal weights), and
// summing to `extra` exactly.
std::vector<uint64_t> Shares(HistoryRandom* rng, int projects, uint64_t extra) {
  std::vector<double> cumulative;
  double total = 0;
  for (int i = 0; i < projects; i++) {
    total += std::exp(0.7 * rng->Normal());
    cumulative.push_back(total);
  }
  std::vector<uint64_t> shares;
  uint64_t given = 0;
  for (int i = 0; i < projects; i++) {
    const uint64_t upto = i + 1 == projects
                              ? extra
                              : static_cast<uint64_t>(std::floor(static_cast<long double>(extra) *
                                                                 cumulative[i] / total));
    shares.push_back(upto - given);
    given = upto;
  }
  return shares;
}

std::vector<ProjectPlan> PlanProjects(const HistoryOptions& o, const Firm& firm,
                                      const std::vector<std::string>* contents,
                                      HistoryRandom* rng) {
  // Some clients have many projects, most have a few (every client has one when there are
  // enough projects).
  std::vector<double> client_weight;
  double weight_total = 0;
  for (int c = 0; c < o.clients; c++) {
    weight_total += 1.0 / std::pow(c + 1.0, 0.7);
    client_weight.push_back(weight_total);
  }
  const std::vector<uint64_t> shares =
      Shares(rng, o.projects, o.events - SetupEvents(o) - o.projects * kMinProjectEvents);
  std::vector<ProjectPlan> plans;
  for (int i = 0; i < o.projects; i++) {
    size_t c = static_cast<size_t>(i);
    if (i >= o.clients) {
      const double x = rng->Unit() * weight_total;
      c = std::upper_bound(client_weight.begin(), client_weight.end(), x) - client_weight.begin();
      c = std::min(c, firm.clients.size() - 1);
    }
    const Firm::Client& client = firm.clients[c];
    ProjectPlan p;
    p.workspace = o.workspace;
    p.project_id = Numbered("p", i + 1, 4);
    p.client_id = client.id;
    p.name = client.name + " " + rng->Pick(words::ProjectKinds());
    p.cast.owner = firm.owner;
    p.cast.manager = rng->Pick(firm.managers);
    for (int k = 0; k < 3 && !firm.staff.empty(); k++) {
      const std::string& s = rng->Pick(firm.staff);
      if (std::find(p.cast.staff.begin(), p.cast.staff.end(), s) == p.cast.staff.end()) {
        p.cast.staff.push_back(s);
      }
    }
    p.cast.client_admin = client.admin;
    p.cast.client_members = client.members;
    p.seed = MixSeed(o.seed, static_cast<uint64_t>(i) + 1);
    p.events = kMinProjectEvents + shares[i];
    p.start_us = o.start_us + rng->Between(0, o.start_window_days * kDayUs - 1);
    p.duration_us = rng->Between(o.min_project_days, o.max_project_days) * kDayUs;
    p.link_now_us = o.link_now_us;
    p.contents = contents;
    plans.push_back(std::move(p));
  }
  return plans;
}

// Steps the projects in simulated-time order (ties to the lower project number), so that they
// interleave in the log as they would in life. With several threads, each takes the next turn
// from the shared queue; a project is stepped by one thread at a time, so its own stream is the
// same as with one thread, and only the interleaving of projects varies.
Status RunProjects(int threads, std::vector<ProjectScript>* scripts, Writer* writer) {
  using Turn = std::pair<int64_t, size_t>;
  std::priority_queue<Turn, std::vector<Turn>, std::greater<Turn>> turns;
  for (size_t i = 0; i < scripts->size(); i++) turns.push({(*scripts)[i].now_us(), i});
  std::mutex mu;
  std::condition_variable turn_back;  // a project in flight may come back to the queue
  size_t in_flight = 0;
  Status first_error;
  const ProjectScript::Runner run = [writer](const std::string& json, CommandResult* result) {
    return writer->Run(json, result);
  };
  auto work = [&] {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      turn_back.wait(lock, [&] { return !turns.empty() || in_flight == 0 || !first_error.ok(); });
      if (turns.empty() || !first_error.ok()) break;
      const size_t i = turns.top().second;
      turns.pop();
      in_flight++;
      lock.unlock();
      ProjectScript& script = (*scripts)[i];
      Status s = script.Step(run);
      lock.lock();
      in_flight--;
      if (!s.ok() && first_error.ok()) first_error = s;
      if (s.ok() && !script.done()) turns.push({script.now_us(), i});
      turn_back.notify_all();
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads; t++) helpers.emplace_back(work);
  work();
  for (std::thread& h : helpers) h.join();
  return first_error;
}

}  // namespace

Status GenerateHistory(const HistoryOptions& options, CommandHandler* handler, HistoryStats* stats,
                       const std::function<void(uint64_t done)>& progress) {
  *stats = HistoryStats();
  Status s = CheckOptions(options);
  if (!s.ok()) return s;
  const uint64_t needed = SetupEvents(options) + options.projects * kMinProjectEvents;
  if (options.events < needed) {
    return Status::InvalidArgument("history.too_few_events",
                                   "this many clients, people and projects need at least " +
                                       std::to_string(needed) + " events");
  }
  Writer writer(handler, stats, progress);
  Firm firm;
  s = SetUpWorkspace(options, &writer, &firm);
  if (!s.ok()) return s;
  stats->clients = options.clients;
  stats->members = static_cast<int>(1 + firm.managers.size() + firm.staff.size() + 1 +
                                    options.clients * (1 + options.client_members));

  HistoryRandom rng(MixSeed(options.seed, 0));
  const std::vector<std::string> contents = Contents(options.distinct_contents);
  std::vector<ProjectScript> scripts;
  for (ProjectPlan& plan : PlanProjects(options, firm, &contents, &rng)) {
    scripts.emplace_back(std::move(plan));
  }
  stats->projects = options.projects;

  s = RunProjects(options.threads, &scripts, &writer);
  if (!s.ok()) return s;
  writer.Finish();
  if (stats->events != options.events) {
    return Status::Corruption("the generator wrote " + std::to_string(stats->events) +
                              " events instead of " + std::to_string(options.events));
  }
  return Status::OK();
}

}  // namespace tandem::history
