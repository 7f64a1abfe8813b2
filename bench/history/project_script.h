// The life of one generated project: a mirror of the project's state as the domain folds it
// (milestones, threads, cards, files, requests, approvals, with their versions), from which it
// picks its next command, always one the rules accept. Its choices depend only on its own seed
// and plan, never on other projects, so its stream is the same however projects interleave.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "history_random.h"
#include "history_text.h"
#include "tandem/basics/status.h"
#include "tandem/domain/command_handler.h"

namespace tandem::history {

// Who works on a project.
struct ProjectCast {
  std::string owner;
  std::string manager;
  std::vector<std::string> staff;
  std::string client_admin;
  std::vector<std::string> client_members;
};

struct ProjectPlan {
  std::string workspace;
  std::string project_id;
  std::string client_id;
  std::string name;
  ProjectCast cast;
  uint64_t seed = 0;
  uint64_t events = 0;  // the project's share of the history
  int64_t start_us = 0;
  int64_t duration_us = 0;
  int64_t link_now_us = 0;
  // Base64 contents uploads pick from.
  const std::vector<std::string>* contents = nullptr;
};

class ProjectScript {
 public:
  // Runs one JSON command; the script updates its mirror only after success.
  using Runner = std::function<Status(const std::string& json, CommandResult* result)>;

  explicit ProjectScript(ProjectPlan plan);

  bool done() const { return written_ >= plan_.events; }
  // The simulated time of the next command.
  int64_t now_us() const { return now_us_; }

  // Issues the project's next command through `run` (exactly one event) and advances the
  // simulated clock.
  Status Step(const Runner& run);

 private:
  enum class Stage : uint8_t { kPlanned, kStarted, kCompleted };
  struct Milestone {
    std::string id, title;
    int64_t planned_day = 0;
    bool client = true;
    Stage stage = Stage::kPlanned;
    bool blocked = false;
    uint64_t version = 1;
    int client_thread = -1, internal_thread = -1;  // indexes into threads_
  };
  struct Thread {
    std::string id;
    std::string anchor_kind, anchor_id;
    bool client = false;
    std::string topic;
    std::string last_comment;   // full id, empty before the first comment
    std::string open_question;  // a client question the firm has not answered yet
  };
  struct Card {
    std::string id;
    bool client_board = false;
    size_t column = 0;
    uint64_t version = 1;
    bool linked = false;
  };
  struct File {
    std::string id, name;
    bool client = false;
    uint32_t version = 1;
  };
  struct Request {
    std::string id, title;
    size_t milestone = 0;
    std::string requested_from;  // empty: anyone of the client
    int file = -1;               // index into files_ once answered
  };
  struct Approval {
    std::string id, requested_from;
  };
  // What a command will change in the mirror once the handler accepted it.
  using Effect = std::function<void(const CommandResult& result)>;

  CommandJson Begin(std::string_view type, const std::string& actor);
  Status Run(const Runner& run, std::string json, const Effect& effect);

  // One command of each kind of work; each returns false (issuing nothing) when the project's
  // state does not allow it, and the step falls back to a comment.
  Status Setup(const Runner& run);
  bool Milestones(const Runner& run, Status* s);
  bool Cards(const Runner& run, Status* s);
  bool Uploads(const Runner& run, Status* s);
  bool Approvals(const Runner& run, Status* s);
  bool RequestDocument(const Runner& run, Status* s);
  bool IssueReportLink(const Runner& run, Status* s);
  Status Comment(const Runner& run);

  Status PlanMilestone(const Runner& run);
  bool ChangeMilestone(const Runner& run, Status* s);
  Status UploadFirmFile(const Runner& run);
  Status CreateCard(const Runner& run);

  const std::string& FirmPerson();  // the manager or one of the staff
  const std::string& ClientPerson();
  const std::string& Content();
  int Thread(size_t milestone, bool client);
  std::vector<size_t> OpenMilestones(bool client_only) const;
  std::string Today() const;

  ProjectPlan plan_;
  HistoryRandom rng_;
  uint64_t written_ = 0;
  uint64_t commands_ = 0;
  int64_t now_us_;
  double mean_gap_us_;
  double milestone_spacing_days_;
  uint64_t next_id_ = 0;  // numbers the ids of everything the project creates

  std::vector<Milestone> milestones_;
  std::vector<struct Thread> threads_;
  int general_thread_ = -1, team_thread_ = -1;
  std::vector<Card> cards_;
  std::vector<size_t> active_cards_;  // cards not in their board's last column
  std::vector<File> files_;
  std::vector<size_t> firm_files_;
  std::vector<Request> open_requests_;
  std::vector<Approval> pending_approvals_;
};

}  // namespace tandem::history
