#include "tandem/domain/command_json.h"

#include "tandem/basics/utf8.h"

#include <boost/json.hpp>

namespace tandem {

Status CommandResultToJson(const EventJsonCodec& codec, const CommandResult& result,
                           std::string* json) {
  boost::json::array events;
  for (const auto& e : result.events) {
    std::string line;
    Status s = codec.ToJson(e, &line);
    if (!s.ok()) return s;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec || !v.is_object())
      return Status::Corruption("event JSON does not parse: " + ec.message());
    // A global position counts every tenant's events: no member may gauge other tenants'
    // activity from it. A stream's version counts the project's internal events too: the
    // firm's to see (and to name as the next command's expected version).
    v.as_object().erase("global_position");
    if (!result.firm_side) v.as_object().erase("stream_version");
    events.push_back(std::move(v));
  }
  boost::json::object out{{"ok", true},
                          {"tenant", result.stream.tenant},
                          {"stream", result.stream.name},
                          {"deduplicated", result.deduplicated},
                          {"entity_version", result.entity_version},
                          {"events", std::move(events)}};
  *json = boost::json::serialize(out);
  return Status::OK();
}

std::string CommandErrorToJson(const Status& status) {
  boost::json::object error{
      {"code", std::string(status.CodeName())},
      {"reason", status.reason().empty() ? std::string(status.CodeName()) : status.reason()},
      // Messages may quote what the caller sent: never let them make the answer invalid UTF-8.
      {"message", utf8::Sanitize(status.message())}};
  return boost::json::serialize(boost::json::object{{"ok", false}, {"error", std::move(error)}});
}

}  // namespace tandem
