// The activity feed: a project's client-visible events as short lines for people ("Ben moved
// *Design sign-off* from 2026-12-01 to 2026-12-08: brand guide not received yet"), kept in a
// ChunkedList per project, read newest first, a page at a time.
//
// Client-curated: folded from SharedWithClient events only, so nothing internal ever enters its
// storage. A line is stored as parts, text and members: a member is named at read time through
// the directory, because the names of the firm's people come from events the client may not
// see (their invitations are internal). Titles come from the project's rows of titles, one per
// milestone, card, request, approval and file (all from shared events), so that no row grows
// with the things of a project nor with its events. The workspace stream feeds only which
// member is on the client's side (to tell a client's question from the firm's comment);
// workspace events themselves (branding, people) are not a project's activity and make no line.
#pragma once

#include <map>
#include <string>

#include "chunked_list.h"
#include "curation.h"
#include "doc_cache.h"
#include "member_sides.h"
#include "project_run.h"
#include "row_fields.h"

namespace tandem {

struct FeedProject {
  std::string name, client_id;
  std::string client_board;  // the board shared with the client, once configured

  static constexpr std::tuple kFields{Field("name", &FeedProject::name),
                                      Field("client", &FeedProject::client_id),
                                      Field("client_board", &FeedProject::client_board)};
};

// The title of one of a project's milestones, cards, requests, approvals or files, as first
// given: a row each, so that a new card writes its own title, not every title of the project.
struct FeedTitle {
  std::string title;
  static constexpr std::tuple kFields{Field("title", &FeedTitle::title)};
};

// How many lines a project's feed has: a row of its own, so that a line (written on every
// event) rewrites a few bytes, not the project's titles.
struct FeedCount {
  uint64_t count = 0;
  static constexpr std::tuple kFields{Field("count", &FeedCount::count)};
};

std::string FeedProjectKey(const std::string& tenant, const std::string& project);

class FeedProjection : public Projection {
 public:
  explicit FeedProjection(std::shared_ptr<RowCacheBudget> budget) : budget_(std::move(budget)) {}
  static constexpr std::string_view kName = "client-feed";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 7; }
  bool projects_fold_apart() const override { return true; }
  EventFilter filter() const override { return Curated(Curation::kClient, EventFilter::All()); }
  Status Apply(const schema::Event& event, ViewRows* rows) override;
  Status Flush(ViewRows* rows) override;
  void Forget() override;

 private:
  std::shared_ptr<RowCacheBudget> budget_;  // first: the caches below charge it
  MemberSides members_{{.part = "m", .firm_members = false}, budget_.get()};  // the clients' people
  DocCache<FeedProject> projects_{budget_.get()};
  DocCache<FeedTitle> titles_{budget_.get()};
  DocCache<FeedCount> counts_{budget_.get()};
  ChunkedList lines_;
  ProjectRun<FeedProject> run_{&projects_, FeedProjectKey};
};

std::string FeedLinesKey(const std::string& tenant, const std::string& project);
std::string FeedCountKey(const std::string& tenant, const std::string& project);
// The row of a title: `kind` is milestone, card, request, approval or file.
std::string FeedTitleKey(const std::string& tenant, const std::string& project,
                         std::string_view kind, const std::string& id);
// The number of lines of a project's feed (0 when it has none).
Status LoadFeedCount(const RowReader& rows, const std::string& tenant, const std::string& project,
                     uint64_t* count);

}  // namespace tandem
