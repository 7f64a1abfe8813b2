#include "kafka_log.h"

#include <string>

#include "tandem/basics/logger.h"

namespace tandem::kafka {

void LogKafkaLine(int level, const char* facility, const char* message, bool quiet) {
  Log(level <= 4 && !quiet ? LogLevel::kWarn : LogLevel::kDebug, "kafka",
      std::string(facility) + ": " + message);
}

void RouteKafkaLogs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int level, const char* fac,
                                    const char* buf) { LogKafkaLine(level, fac, buf); });
}

}  // namespace tandem::kafka
