// A round's events as the views fold them: copied into one buffer, grouped by project for the
// views whose projects fold apart (Projection::projects_fold_apart).
//
// Why: a round of a catch-up holds ~200,000 events of thousands of projects. Folded in log
// order, each event finds its project's rows evicted by the other projects' events since its
// last one; grouped, only a project's first event of the round misses. And the events are read
// once by each of a dozen views: in one buffer, in the order they are folded, each view reads
// them front to back instead of from 200,000 separate allocations.
//
// The grouped order keeps:
//  - every project stream's events in their log order;
//  - every event of another stream (the workspace's) where it falls: the project events
//    before it in the log come before it, those after come after, so a fold that reads what
//    a workspace event wrote (who is on the client's side) sees exactly what it saw in log
//    order.
// Between two such events, each project's events come together, projects in the order of
// their first event there. A project is a stream "project:<id>" of one tenant: two tenants'
// projects of the same id are two groups. An event whose tenant or stream is not valid UTF-8
// (written past the domain's rules) stays where it falls too: the views read those names
// sanitised, so two such names can be one project to them.
#pragma once

#include <cstdint>
#include <vector>

#include "tandem/events/recorded_event.h"

namespace tandem {

// Indexes into `events` (a round in log order), in the grouped order.
std::vector<uint32_t> ProjectGroupedOrder(const std::vector<const schema::Event*>& events);

class RoundEvents {
 public:
  // Copies the round's `pages` (log order) into `arena` (grouped when `group_by_project`) and
  // frees them. The arena is the caller's so that its memory serves round after round of a
  // catch-up; it must outlive this object and is overwritten.
  RoundEvents(std::vector<std::vector<RecordedEvent>> pages, bool group_by_project,
              std::vector<uint64_t>* arena);

  size_t size() const { return in_log_.size(); }
  // The events in log order, and in the order the arena holds them (grouped by project, or
  // log order when not grouped).
  const std::vector<const schema::Event*>& in_log() const { return in_log_; }
  const std::vector<const schema::Event*>& by_project() const { return by_project_; }

 private:
  std::vector<const schema::Event*> in_log_, by_project_;
};

}  // namespace tandem
