// Comparing view reads with the JSON a test expects, exactly: the whole body, every key and
// value, apart from the envelope's as_of_position (a log position, checked where it matters).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tandem/domain/command_handler.h"
#include "tandem/log/event_log.h"
#include "tandem/projections/view_store.h"
#include "tandem/projections/views.h"

namespace tandem::test {

// The read's JSON without its as_of_position.
inline boost::json::value ViewBody(const std::string& read) {
  boost::json::value v = boost::json::parse(read);
  v.as_object().erase("as_of_position");
  return v;
}

// Expects `read` to be exactly `expected` (plus the envelope's as_of_position).
inline void ExpectViewJson(const std::string& read, const boost::json::value& expected) {
  EXPECT_EQ(ViewBody(read), expected)
      << "  read:     " << read << "\n  expected: " << boost::json::serialize(expected);
}

// Every row of a stored view (key bytes, value bytes), for checks of what a storage holds.
inline std::vector<std::pair<std::string, std::string>> StoredRows(ViewStore* store,
                                                                   const std::string& view) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::unique_ptr<ViewReader> reader;
  EXPECT_TRUE(store->NewReader(view, &reader).ok());
  if (reader == nullptr) return rows;
  EXPECT_TRUE(reader
                  ->Scan("",
                         [&](std::string_view key, std::string_view value) {
                           rows.emplace_back(key, value);
                           return true;
                         })
                  .ok());
  return rows;
}

// The SHA-256 of a stored view as it is served live.
inline std::string LiveHash(ViewStore* store, const std::string& view) {
  std::unique_ptr<ViewSource> source;
  EXPECT_TRUE(OpenLiveViewSource(store, &source).ok());
  std::string hex;
  Status s = HashView(source.get(), view, &hex);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return hex;
}

// Whether a view key (ViewKey: each part ends with 0x00 0x01) has `id` as one of its parts
// after the first.
inline bool KeyHasPart(const std::string& key, const std::string& id) {
  const std::string end("\0\x01", 2);
  return key.find(end + id + end) != std::string::npos;
}

// Expects no row of `view` to mention `marker`, nor to be keyed by any of `ids`.
inline void ExpectStorageFree(ViewStore* store, const std::string& view, const std::string& marker,
                              const std::vector<std::string>& ids) {
  auto rows = StoredRows(store, view);
  EXPECT_FALSE(rows.empty()) << view;
  for (const auto& [key, value] : rows) {
    EXPECT_EQ(key.find(marker), std::string::npos) << view;
    EXPECT_EQ(value.find(marker), std::string::npos) << view << ": " << value;
    for (const std::string& id : ids) {
      EXPECT_FALSE(KeyHasPart(key, id)) << view << " holds a row of " << id;
      EXPECT_EQ(value.find("\"" + id + "\""), std::string::npos) << view << ": " << value;
    }
  }
}

// Every event of the log, in order.
inline std::vector<RecordedEvent> LogEvents(EventLog* log) {
  std::vector<RecordedEvent> all, page;
  for (uint64_t next = 1;;) {
    EXPECT_TRUE(log->ReadAll(next, ReadOptions(), &page).ok());
    if (page.empty()) break;
    next = page.back().global_position() + 1;
    for (RecordedEvent& e : page) all.push_back(std::move(e));
  }
  return all;
}

// Every event of a project stream of the standard world's firm, in order.
inline std::vector<RecordedEvent> ProjectEvents(EventLog* log, const std::string& project) {
  std::vector<RecordedEvent> all, page;
  uint64_t next = 1;
  while (log->ReadStreamForward(ProjectStream("northwind", project), next, ReadOptions(), &page)
             .ok() &&
         !page.empty()) {
    next = page.back().stream_version() + 1;
    for (RecordedEvent& e : page) all.push_back(std::move(e));
  }
  return all;
}

// An event of `payload` (a FlatBuffers object type such as schema::CommentPostedT) by `actor`.
template <class Payload>
NewEvent EventBy(const std::string& actor, schema::Audience audience, Payload payload) {
  NewEvent e;
  e.actor = actor;
  e.audience = audience;
  e.payload.Set(std::move(payload));
  return e;
}

// Appends `event` to a project stream of the standard world's firm as `tandem append` would:
// past every rule of the domain.
inline void AppendPastTheRules(EventLog* log, const std::string& project, NewEvent event) {
  AppendResult result;
  Status s = log->Append(ProjectStream("northwind", project), ExpectedVersion::Any(), {event}, "",
                         &result);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// Appends `event` to the standard world's workspace stream, past every rule of the domain.
inline void AppendToWorkspacePastTheRules(EventLog* log, NewEvent event) {
  AppendResult result;
  Status s = log->Append({"northwind", "workspace"}, ExpectedVersion::Any(), {event}, "", &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

}  // namespace tandem::test
