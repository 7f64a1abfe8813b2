#include "round_events.h"

#include <cstring>
#include <numeric>
#include <string_view>

#include <boost/unordered/unordered_flat_map.hpp>

#include "key_hash.h"
#include "tandem/basics/utf8.h"

namespace tandem {
namespace {

constexpr std::string_view kProjectStreamPrefix = "project:";

struct ProjectOfEvent {
  std::string_view tenant, stream;
  bool operator==(const ProjectOfEvent&) const = default;
};

struct ProjectHash {
  using is_avalanching = void;
  size_t operator()(const ProjectOfEvent& p) const {
    return HashKey(p.stream, secret, HashKey(p.tenant, secret));
  }
  key_hash::Secret secret = key_hash::ProcessSecret();
};

std::string_view View(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : s->string_view();
}

size_t Words(const RecordedEvent& e) { return (e.bytes().size() + 7) / 8; }

}  // namespace

std::vector<uint32_t> ProjectGroupedOrder(const std::vector<const schema::Event*>& events) {
  std::vector<uint32_t> order;
  order.reserve(events.size());
  // Each project's group in the current stretch (between two events of other streams), tagged
  // with the stretch it was made in: a new stretch needs no clearing of the map, whose every
  // slot a clear would visit (a round may hold thousands of projects and of workspace events).
  struct Group {
    uint32_t stretch, index;
  };
  constexpr uint32_t kNoStretch = UINT32_MAX;  // a round holds fewer events than that
  boost::unordered_flat_map<ProjectOfEvent, Group, ProjectHash> group_of;
  std::vector<std::vector<uint32_t>> groups;  // reused from stretch to stretch
  uint32_t stretch = 0, used = 0;
  auto close_stretch = [&] {
    for (uint32_t g = 0; g < used; ++g) {
      order.insert(order.end(), groups[g].begin(), groups[g].end());
      groups[g].clear();
    }
    used = 0;
    ++stretch;
  };
  for (uint32_t i = 0; i < events.size(); ++i) {
    const ProjectOfEvent project{View(events[i]->tenant()), View(events[i]->stream_id())};
    auto it = group_of.find(project);
    // A tenant or stream that is not UTF-8 (written past the domain's rules) is read by the
    // views through its sanitised text, which another one's bytes may equal: such an event
    // stays in log order, like the workspace's.
    if (it == group_of.end() && project.stream.starts_with(kProjectStreamPrefix) &&
        utf8::IsValid(project.tenant) && utf8::IsValid(project.stream)) {
      it = group_of.emplace(project, Group{kNoStretch, 0}).first;
    }
    if (it == group_of.end()) {
      close_stretch();
      order.push_back(i);
      continue;
    }
    if (it->second.stretch != stretch) {
      it->second = {stretch, used};
      if (used++ == groups.size()) groups.emplace_back();
    }
    groups[it->second.index].push_back(i);
  }
  close_stretch();
  return order;
}

RoundEvents::RoundEvents(std::vector<std::vector<RecordedEvent>> pages, bool group_by_project,
                         std::vector<uint64_t>* arena) {
  std::vector<const RecordedEvent*> recorded;
  size_t words = 0;
  for (const auto& page : pages) {
    for (const RecordedEvent& e : page) {
      recorded.push_back(&e);
      in_log_.push_back(&e.event());
      words += Words(e);
    }
  }
  std::vector<uint32_t> order;
  if (group_by_project) {
    order = ProjectGroupedOrder(in_log_);
  } else {
    order.resize(recorded.size());
    std::iota(order.begin(), order.end(), 0);
  }
  // Never shrunk here: a catch-up's rounds are alike, and the first touch of fresh memory is
  // what a new buffer would cost every round.
  if (arena->size() < words) {
    *arena = {};  // freed first: a vector that grows would copy the last round into the new one
    arena->resize(words + words / 8);
  }
  by_project_.reserve(order.size());
  size_t at = 0;
  for (uint32_t i : order) {
    const std::string_view bytes = recorded[i]->bytes();
    std::memcpy(arena->data() + at, bytes.data(), bytes.size());
    // The bytes were verified when read from the log; the copy is aligned like the original.
    in_log_[i] = schema::GetEvent(arena->data() + at);
    by_project_.push_back(in_log_[i]);
    at += Words(*recorded[i]);
  }
}

}  // namespace tandem
