// A real engine with its views: the CommandWorld's log and command handler, a views database
// on disk beside them, and a runner over every stored view. Tests run commands, then read
// views as a member (or as the operator) exactly as the CLI does.
#pragma once

#include <memory>
#include <string>

#include <boost/json.hpp>

#include "command_world.h"
#include "tandem/projections/projection_runner.h"
#include "tandem/projections/views.h"
#include "view_json.h"

namespace tandem::test {

class ViewWorld : public CommandWorld {
 public:
  explicit ViewWorld(std::string dir) : CommandWorld(dir), views_dir_(dir + "/views") {
    OpenViews();
  }
  ~ViewWorld() { CloseViews(); }

  void OpenViews() {
    ASSERT_TRUE(ViewStore::Open(ViewStoreOptions(), views_dir_, &store_).ok());
    std::vector<std::unique_ptr<Projection>> projections;
    ASSERT_TRUE(MakeProjections({}, &projections).ok());
    ASSERT_TRUE(ProjectionRunner::Open(ProjectionRunnerOptions(), log(), store_.get(),
                                       std::move(projections), &runner_)
                    .ok());
  }
  void CloseViews() {
    runner_.reset();
    store_.reset();
  }

  // Folds everything committed so far into the views.
  void CatchUp() { ASSERT_TRUE(runner_->CatchUp().ok()); }

  // Reads a view (after catching up); the status of the read is returned through `status`.
  std::string Read(ViewRequest request, Status* status = nullptr) {
    CatchUp();
    std::unique_ptr<ViewSource> source;
    EXPECT_TRUE(OpenLiveViewSource(store_.get(), &source).ok());
    std::string out;
    Status s = ReadView(request, source.get(), &out);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  // The same read, folded in memory as of `position`.
  std::string ReadAsOf(ViewRequest request, uint64_t position, Status* status = nullptr) {
    // What `tandem view --as-of-position` does: a named member's standing now first, in the
    // live views; then a fold of the project's streams for a per-project view.
    CatchUp();
    std::unique_ptr<ViewSource> live;
    Status s = OpenLiveViewSource(store_.get(), &live);
    if (s.ok() && !request.member.empty()) {
      s = CheckStandingNow(request, live.get());
      request.live = live.get();
    }
    AsOfScope scope;
    if (s.ok()) s = AsOfScopeFor(request, position, &scope);
    std::unique_ptr<ViewSource> source;
    if (s.ok()) s = FoldAsOf(log(), scope, &source);
    std::string out;
    if (s.ok()) s = ReadView(request, source.get(), &out);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  boost::json::value Json(const ViewRequest& request) { return boost::json::parse(Read(request)); }

  // The live hash of a stored view (after catching up).
  std::string Hash(const std::string& view) {
    CatchUp();
    return LiveHash(store_.get(), view);
  }

  // Rebuilding `views` from the log hashes each of them like the live view.
  void ExpectRebuildHashesLikeLive(const std::vector<std::string>& views) {
    std::vector<std::string> live;
    for (const std::string& view : views) live.push_back(Hash(view));
    ASSERT_TRUE(runner_->Rebuild(views).ok());
    for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(Hash(views[i]), live[i]) << views[i];
  }

  ViewStore* store() { return store_.get(); }
  ProjectionRunner* runner() { return runner_.get(); }

 private:
  std::string views_dir_;
  std::unique_ptr<ViewStore> store_;
  std::unique_ptr<ProjectionRunner> runner_;
};

// Records the live answers to some requests at moments of a story, then checks that reading
// each as of that moment's position answers the same.
class AsOfRecorder {
 public:
  AsOfRecorder(ViewWorld* world, std::vector<ViewRequest> requests)
      : world_(world), requests_(std::move(requests)) {}

  void Snapshot() {
    std::vector<std::string> answers;
    for (const ViewRequest& r : requests_) answers.push_back(world_->Read(r));
    moments_.emplace_back(world_->log()->LastPosition(), std::move(answers));
  }

  void ExpectAsOfReadsLikeLive() {
    for (const auto& [position, answers] : moments_) {
      for (size_t i = 0; i < requests_.size(); ++i) {
        EXPECT_EQ(world_->ReadAsOf(requests_[i], position), answers[i])
            << requests_[i].view << " as " << requests_[i].member << " at position " << position;
      }
    }
  }

 private:
  ViewWorld* world_;
  std::vector<ViewRequest> requests_;
  std::vector<std::pair<uint64_t, std::vector<std::string>>> moments_;
};

// A fixture holding the standard world (command_world.h) and its views.
class StandardViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<ViewWorld>(dir_.path());
    world_->BuildStandard();
  }

  ScratchDir dir_;
  std::unique_ptr<ViewWorld> world_;
};

// A request for `view` in the standard world's firm.
inline ViewRequest Ask(const std::string& view, const std::string& member,
                       const std::string& project = "") {
  ViewRequest r;
  r.view = view;
  r.workspace = "northwind";
  r.member = member;
  r.project = project;
  return r;
}

// When the log recorded its last event: the moment a view shows for what a test just did.
inline int64_t LastRecordedAtUs(EventLog* log) {
  RecordedEvent e;
  EXPECT_TRUE(log->Get(log->LastPosition(), &e).ok());
  return e.event().recorded_at_us();
}

// Appends `payload` to northwind's `stream` as pm, past the domain's rules (as `tandem append`
// writes): what the views must fold without showing a client anything it may not see.
template <typename PayloadT>
void AppendPastTheRules(ViewWorld* world, schema::Audience audience, PayloadT payload,
                        const std::string& stream = "project:p-acme") {
  NewEvent e;
  e.actor = "pm";
  e.audience = audience;
  e.payload.Set(std::move(payload));
  AppendResult result;
  ASSERT_TRUE(
      world->log()->Append({"northwind", stream}, ExpectedVersion::Any(), {e}, "", &result).ok());
}

// A move of a card of acme's project, as an event to append past the rules.
inline schema::CardMovedT AcmeCardMove(const std::string& card, const std::string& board,
                                       const std::string& from, const std::string& to) {
  schema::CardMovedT e;
  e.project_id = "p-acme";
  e.board_id = board;
  e.card_id = card;
  e.from_column = from;
  e.to_column = to;
  return e;
}

// A request for a document on acme's project, as an event to append past the rules.
inline schema::DocumentRequestedT AcmeRequest(const std::string& milestone, const std::string& id,
                                              const std::string& title) {
  schema::DocumentRequestedT e;
  e.project_id = "p-acme";
  e.milestone_id = milestone;
  e.request_id = id;
  e.title = title;
  return e;
}

// The first version of an internal-looking file answering `request` on acme's project.
inline schema::FileUploadedT AcmeAnswer(const std::string& request) {
  schema::FileUploadedT e;
  e.project_id = "p-acme";
  e.file_id = "margins";
  e.name = "margins.xlsx";
  e.version = 1;
  e.request_id = request;
  return e;
}

// acme's admin inviting one of acme's people under a name it chose: how a client names its
// person like one of the firm's. Its id is then "client:acme:<id>".
inline void InviteAcmePersonNamed(ViewWorld* world, const std::string& id,
                                  const std::string& display_name) {
  world->MustRun(Cmd("member.invite", "northwind", "acme-admin",
                     {{"member_id", id},
                      {"email", id + "@acme.io"},
                      {"display_name", display_name},
                      {"role", "client_member"},
                      {"client_id", "acme"}}));
}

// The side views show for a member of the standard world: its clients' people are the
// "<client>-<role>" ones, everyone else is the firm's.
inline std::string StandardSide(const std::string& member) {
  return member.starts_with("acme-") || member.starts_with("globex-") ? "client" : "firm";
}

}  // namespace tandem::test
