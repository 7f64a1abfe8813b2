// The work a firm and its clients do while projection_crash_test kills the process folding it:
// comments in client and internal threads anchored to milestones, slips, uploads, card moves
// and blockers on the standard world's two projects (tests/support/command_world.h), drawn
// from a seeded generator so that a failing run can be replayed.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "command_world.h"

namespace tandem::test {

inline const std::vector<std::string>& CrashClients() {
  static const std::vector<std::string> kClients = {"acme", "globex"};
  return kClients;
}

inline const std::vector<std::string>& CrashMilestones() {
  static const std::vector<std::string> kMilestones = {"m-planned", "m-started", "m-blocked",
                                                       "m-1",       "m-2",       "m-3"};
  return kMilestones;
}

// Three more milestones on each project of a firm built like the standard world's northwind.
inline void PlanCrashMilestones(CommandWorld* world, const std::string& workspace) {
  for (const std::string& c : CrashClients()) {
    for (const char* m : {"m-1", "m-2", "m-3"}) {
      world->MustRun(Cmd("milestone.plan", workspace, "pm",
                         {{"project_id", "p-" + c},
                          {"milestone_id", m},
                          {"title", std::string("Phase ") + m},
                          {"planned_date", "2027-02-01"}}));
    }
  }
}

// The standard world with three more milestones on each project.
inline void BuildCrashWorld(CommandWorld* world) {
  world->BuildStandard();
  PlanCrashMilestones(world, "northwind");
}

// Commands in realistic proportions; some are refused (a card moved to the column it is in, a
// blocked milestone blocked again), as in real use.
class CrashActivity {
 public:
  // `run` makes command and comment ids unique across the processes of one test. `workspace`
  // is a firm built like the standard world's northwind (CommandWorld::BuildFirm).
  CrashActivity(std::string run, uint64_t seed, std::string workspace = "northwind")
      : run_(std::move(run)), workspace_(std::move(workspace)), rng_(seed) {}

  std::string Next() {
    using boost::json::object;
    const std::string id = run_ + "-" + std::to_string(++n_);
    const std::string c = Pick(CrashClients());
    const std::string p = "p-" + c;
    const std::string m = Pick(CrashMilestones());
    const object anchor{{"kind", "milestone"}, {"id", m}};
    const int roll = Uniform(0, 99);
    if (roll < 35) {
      const std::string actor = Pick({"pm", "staff", c + "-member", c + "-admin"});
      return Cmd("comment.post", workspace_, actor,
                 {{"command_id", id},
                  {"project_id", p},
                  {"thread_id", "tc-" + m},
                  {"comment_id", "k" + id},
                  {"anchor", anchor},
                  {"audience", "client"},
                  {"body", "Client note " + id}});
    }
    if (roll < 60) {
      return Cmd("comment.post", workspace_, Pick({"pm", "staff"}),
                 {{"command_id", id},
                  {"project_id", p},
                  {"thread_id", "ti-" + m},
                  {"comment_id", "k" + id},
                  {"anchor", anchor},
                  {"body", "Internal note " + id}});
    }
    if (roll < 65) {
      return Cmd("milestone.reschedule", workspace_, "pm",
                 {{"command_id", id},
                  {"project_id", p},
                  {"milestone_id", m},
                  {"expected_version", "any"},
                  {"new_date",
                   "2027-0" + std::to_string(Uniform(3, 9)) + "-1" + std::to_string(Uniform(0, 9))},
                  {"reason", "slip " + id}});
    }
    if (roll < 77) {
      // Three files per project, each uploaded again and again (versions).
      const int k = Uniform(0, 2);
      return Cmd("file.upload", workspace_, "pm",
                 {{"command_id", id},
                  {"project_id", p},
                  {"name", "doc-" + std::to_string(k) + ".pdf"},
                  {"audience", k == 2 ? "internal" : "client"},
                  {"expected_version", "any"},
                  {"anchor", anchor},
                  {"content_base64", std::string("dj") + "AEIMQUYcgk"[Uniform(0, 9)] + "="}});
    }
    if (roll < 95) {
      const bool client_card = Uniform(0, 1) == 0;
      const std::string to =
          client_card ? Pick({"Inbound", "Assigned", "In Progress", "Staged", "Approved"})
                      : Pick({"To do", "Doing", "Done"});
      return Cmd("card.move", workspace_, "pm",
                 {{"command_id", id},
                  {"project_id", p},
                  {"card_id", client_card ? "cc" : "ic"},
                  {"to_column", to},
                  {"expected_version", "any"}});
    }
    const bool block = Uniform(0, 1) == 0;
    return Cmd(block ? "milestone.block" : "milestone.unblock", workspace_, "pm",
               {{"command_id", id},
                {"project_id", p},
                {"milestone_id", m},
                {"expected_version", "any"},
                {"reason", (block ? "waiting on " : "received ") + id}});
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string Pick(const std::vector<std::string>& from) {
    return from[static_cast<size_t>(Uniform(0, static_cast<int>(from.size()) - 1))];
  }

  std::string run_;
  std::string workspace_;
  std::mt19937_64 rng_;
  uint64_t n_ = 0;
};

}  // namespace tandem::test
