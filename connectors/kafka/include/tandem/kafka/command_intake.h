// CommandIntake: commands from integrations on the commands topic, executed like any other
// (CommandHandler::ExecuteJson, the acting member named in the command and checked), each
// outcome produced on the results topic keyed by the command id.
//
// Contract:
//  - The result's value is exactly what `tandem command` prints (CommandResultToJson, or
//    CommandErrorToJson for a refusal), plus nothing: integrations parse one format.
//  - A command consumed twice (a redelivery, or an integration retrying) is answered from its
//    command id and written once.
//  - A malformed message (not UTF-8, not JSON, too big, no command id) gets a refusal on the
//    results topic (keyed by the record's key, or "<partition>:<offset>" when it has none) and
//    never stops the intake.
//  - Consumer offsets are committed only after the result was acknowledged by Kafka: a crash
//    may answer a command twice (same answer), never leave it unanswered.
#pragma once
#include <memory>
#include <string>

#include "tandem/basics/status.h"
#include "tandem/codec/event_json.h"
#include "tandem/domain/command_handler.h"
#include "tandem/kafka/kafka_options.h"

namespace prometheus {
class Registry;
}

namespace tandem {

struct CommandIntakeOptions {
  KafkaOptions kafka;
  std::string group = "tandem-command-intake";
  prometheus::Registry* metrics = nullptr;
};

class CommandIntake {
 public:
  // `handler` and `codec` must outlive the intake.
  static Status Open(const CommandIntakeOptions& options, CommandHandler* handler,
                     const EventJsonCodec* codec, std::unique_ptr<CommandIntake>* intake);
  virtual ~CommandIntake() = default;
  virtual Status Start() = 0;
  // Stops consuming, finishes the command in hand and flushes its result.
  virtual Status Stop() = 0;
};

}  // namespace tandem
