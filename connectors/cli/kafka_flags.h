// The Kafka client settings a user may add on the command line (`--kafka-config NAME=VALUE`,
// repeatable): what a real cluster needs (security.protocol, sasl.*, ssl.*), applied after
// Tandem's own settings.
#pragma once

#include <map>
#include <string>

#include "cli_options.h"

namespace tandem::cli {

void AddKafkaConfigOption(po::options_description* desc);

// The properties given, by name; false (after saying why on stderr) for one without '='.
bool KafkaConfig(const std::string& verb, const po::variables_map& vm,
                 std::map<std::string, std::string>* properties);

}  // namespace tandem::cli
