#include "tandem/kafka/kafka_options.h"

namespace tandem {

bool ParseEventFormat(const std::string& text, EventFormat* format) {
  if (text == "flatbuffers") {
    *format = EventFormat::kFlatBuffers;
  } else if (text == "json") {
    *format = EventFormat::kJson;
  } else {
    return false;
  }
  return true;
}

const char* EventFormatName(EventFormat format) {
  return format == EventFormat::kJson ? "json" : "flatbuffers";
}

}  // namespace tandem
