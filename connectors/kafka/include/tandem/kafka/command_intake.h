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
//  - A record larger than the largest command any type may have (MaxCommandBytes under
//    `limits`) is refused (command.too_large) before anything parses it.
//  - Results carry the header tandem.command_id when the command id could be read (a
//    well-formed JSON object with a string "command_id").
//  - Commands are executed one at a time, in the order of their partition.
#pragma once
#include <chrono>
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
  // The handler's limits: they bound a record's size before it is parsed.
  CommandLimits limits;
  // How long Stop waits for the results in flight to be acknowledged.
  std::chrono::milliseconds flush_timeout{10000};
  // When set, tandem_intake_records_total and tandem_intake_results_total{result} (result:
  // "ok", "deduplicated" or the refusal's status code) are registered here. Must outlive the
  // intake.
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
