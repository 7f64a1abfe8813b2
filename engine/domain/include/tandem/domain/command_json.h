// The JSON answers to a command, the same for every entry point:
//
//   {"ok": true, "tenant": "northwind", "stream": "project:website", "deduplicated": false,
//    "entity_version": 3, "events": [<event JSON as EventJsonCodec::ToJson writes it>, ...]}
//   Events never carry `global_position` (it counts every tenant's events), and carry
//   `stream_version` only when the result is for a person of the firm
//   (CommandResult::firm_side), never for a client-side caller.
//   {"ok": false, "error": {"code": "rejected", "reason": "milestone.already_completed",
//                           "message": "milestone 'launch' is already completed"}}
#pragma once

#include <string>

#include "tandem/codec/event_json.h"
#include "tandem/domain/command_handler.h"

namespace tandem {

Status CommandResultToJson(const EventJsonCodec& codec, const CommandResult& result,
                           std::string* json);
// Every refusal has a reason; one without (an error of the log, not a refusal) is named by its
// code, so the field is never empty.
std::string CommandErrorToJson(const Status& status);

}  // namespace tandem
