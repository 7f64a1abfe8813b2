// librdkafka's own log lines (syslog levels) in Tandem's log, component "kafka": its warnings
// and errors (a broker unreachable, a connection lost) as warnings, its chatter as debug.
#pragma once
#include <librdkafka/rdkafka.h>

namespace tandem::kafka {

// One line; `quiet` makes even an error a debug line (one its client caused on purpose).
void LogKafkaLine(int level, const char* facility, const char* message, bool quiet = false);

// A log callback for clients whose every line goes to LogKafkaLine.
void RouteKafkaLogs(rd_kafka_conf_t* conf);

}  // namespace tandem::kafka
