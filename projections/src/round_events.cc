#include "round_events.h"

#include <cstring>
#include <string_view>

#include <boost/unordered/unordered_flat_map.hpp>

namespace tandem {
namespace {

constexpr std::string_view kProjectStreamPrefix = "project:";

struct ProjectOfEvent {
  std::string_view tenant, stream;
  bool operator==(const ProjectOfEvent&) const = default;
};

struct ProjectHash {
  size_t operator()(const ProjectOfEvent& p) const {
    const size_t h = std::hash<std::string_view>()(p.stream);
    return h ^ (std::hash<std::string_view>()(p.tenant) + 0x9e3779b97f4a7c15ULL + (h << 6));
  }
};

std::string_view View(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : s->string_view();
}

size_t Words(const RecordedEvent& e) { return (e.bytes().size() + 7) / 8; }

}  // namespace

std::vector<uint32_t> ProjectGroupedOrder(const std::vector<const schema::Event*>& events) {
  std::vector<uint32_t> order;
  order.reserve(events.size());
  // Per project of the current stretch between two other events: its events, in log order.
  boost::unordered_flat_map<ProjectOfEvent, uint32_t, ProjectHash> group_of;
  std::vector<std::vector<uint32_t>> groups;
  size_t used = 0;  // groups of the current stretch; the vectors are reused
  auto close_stretch = [&] {
    for (size_t g = 0; g < used; ++g) {
      order.insert(order.end(), groups[g].begin(), groups[g].end());
      groups[g].clear();
    }
    used = 0;
    group_of.clear();
  };
  for (uint32_t i = 0; i < events.size(); ++i) {
    const std::string_view stream = View(events[i]->stream_id());
    if (!stream.starts_with(kProjectStreamPrefix)) {
      close_stretch();
      order.push_back(i);
      continue;
    }
    auto [it, added] = group_of.try_emplace(ProjectOfEvent{View(events[i]->tenant()), stream},
                                            static_cast<uint32_t>(used));
    if (added && used++ == groups.size()) groups.emplace_back();
    groups[it->second].push_back(i);
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
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  }
  // Never shrunk here: a catch-up's rounds are alike, and the first touch of fresh memory is
  // what a new buffer would cost every round.
  if (arena->size() < words) arena->resize(words);
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
