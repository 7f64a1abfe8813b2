#include <iostream>

#include "cli_options.h"
#include "tandem/codec/event_json.h"
#include "verbs.h"

namespace tandem::cli {
namespace {

// Pages through a read until it is exhausted or `limit` events were printed.
template <typename ReadPage>
Status PrintAll(const EventJsonCodec& codec, uint64_t limit, ReadPage read_page) {
  std::vector<RecordedEvent> page;
  std::string line;
  uint64_t printed = 0;
  for (;;) {
    Status s = read_page(&page);
    if (!s.ok()) return s;
    for (const RecordedEvent& e : page) {
      if (printed == limit) return Status::OK();
      s = codec.ToJson(e, &line);
      if (!s.ok()) return s;
      std::cout << line << "\n";
      printed++;
    }
    if (page.empty()) return Status::OK();
  }
}

}  // namespace

int RunRead(const std::vector<std::string>& args) {
  po::options_description desc("read options");
  AddCommonOptions(&desc);
  desc.add_options()("stream", po::value<std::string>()->default_value("$all"),
                     "stream name, or $all for the whole log")(
      "tenant", po::value<std::string>()->default_value(""),
      "tenant of the stream (required for a named stream; filters $all)")(
      "from", po::value<uint64_t>()->default_value(0),
      "first version (stream) or global position ($all); 0 for the start (or the end when "
      "reading backwards)")("backward", "read a stream from newest to oldest")(
      "max", po::value<uint64_t>()->default_value(UINT64_MAX), "print at most this many events")(
      "as-of-position", po::value<uint64_t>()->default_value(0),
      "read the log as it was at this global position")(
      "as-of-time", po::value<int64_t>()->default_value(0),
      "read the log as it was at this instant (microseconds since the epoch)");
  po::variables_map vm;
  int rc = ParseVerbOptions("read", "Prints events as JSON lines.", desc, args, &vm);
  if (rc >= 0) return rc;

  const std::string stream_name = vm["stream"].as<std::string>();
  const std::string tenant = vm["tenant"].as<std::string>();
  const uint64_t from = vm["from"].as<uint64_t>();
  if (stream_name != "$all" && tenant.empty()) {
    std::cerr << "tandem read: --tenant is required to read a named stream\n";
    return kExitUsage;
  }
  std::unique_ptr<EventJsonCodec> codec;
  Status s = EventJsonCodec::Create(&codec);
  if (!s.ok()) return Fail("read", s);
  EventLogOptions options;
  options.read_only = true;
  std::unique_ptr<EventLog> log;
  if (!OpenLog(vm, options, &log)) return kExitFailed;

  ReadOptions read;
  read.as_of_position = vm["as-of-position"].as<uint64_t>();
  if (int64_t t = vm["as-of-time"].as<int64_t>(); t != 0) {
    uint64_t at_time = 0;
    s = log->PositionAtTime(t, &at_time);
    if (!s.ok()) return Fail("read", s);
    if (at_time == 0) {  // nothing had been recorded yet
      if (stream_name == "$all") return kExitOk;
      return Fail("read", Status::NotFound("stream " + StreamId{tenant, stream_name}.ToString() +
                                           " does not exist as of that time"));
    }
    read.as_of_position = read.as_of_position ? std::min(read.as_of_position, at_time) : at_time;
  }
  const uint64_t limit = vm["max"].as<uint64_t>();
  uint64_t next = from;
  if (stream_name == "$all") {
    s = PrintAll(*codec, limit, [&](std::vector<RecordedEvent>* page) {
      Status r = tenant.empty() ? log->ReadAll(next, read, page)
                                : log->ReadTenant(tenant, next, read, page);
      if (r.ok() && !page->empty()) next = page->back().global_position() + 1;
      return r;
    });
  } else if (vm.count("backward")) {
    next = from == 0 ? EventLog::kEndOfStream : from;
    s = PrintAll(*codec, limit, [&](std::vector<RecordedEvent>* page) {
      if (next == 0) {
        page->clear();
        return Status::OK();
      }
      Status r = log->ReadStreamBackward({tenant, stream_name}, next, read, page);
      if (r.ok() && !page->empty()) next = page->back().stream_version() - 1;
      return r;
    });
  } else {
    s = PrintAll(*codec, limit, [&](std::vector<RecordedEvent>* page) {
      Status r = log->ReadStreamForward({tenant, stream_name}, next, read, page);
      if (r.ok() && !page->empty()) next = page->back().stream_version() + 1;
      return r;
    });
  }
  if (!s.ok()) return Fail("read", s);
  return kExitOk;
}

}  // namespace tandem::cli
