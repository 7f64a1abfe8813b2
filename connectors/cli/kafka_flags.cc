#include "kafka_flags.h"

#include <iostream>
#include <vector>

namespace tandem::cli {

void AddKafkaConfigOption(po::options_description* desc) {
  desc->add_options()("kafka-config", po::value<std::vector<std::string>>()->composing(),
                      "NAME=VALUE: a librdkafka property for every Kafka client (repeatable), "
                      "e.g. security.protocol=SASL_SSL");
}

bool KafkaConfig(const std::string& verb, const po::variables_map& vm,
                 std::map<std::string, std::string>* properties) {
  if (!vm.count("kafka-config")) return true;
  for (const std::string& p : vm["kafka-config"].as<std::vector<std::string>>()) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "tandem " << verb << ": --kafka-config needs NAME=VALUE, got '" << p << "'\n";
      return false;
    }
    (*properties)[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return true;
}

}  // namespace tandem::cli
