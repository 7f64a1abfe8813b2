#include "tandem/rocks/info_log.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <string_view>

#include "tandem/basics/logger.h"

namespace tandem {
namespace {

class RocksInfoLog : public rocksdb::Logger {
 public:
  // RocksDB asks for every level; ours decides what is shown.
  RocksInfoLog() : rocksdb::Logger(rocksdb::InfoLogLevel::DEBUG_LEVEL) {}

  void Logv(const char* format, va_list ap) override { Write(LogLevel::kDebug, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    Write(Ours(level), format, ap);
  }

 private:
  static LogLevel Ours(rocksdb::InfoLogLevel level) {
    switch (level) {
      case rocksdb::InfoLogLevel::ERROR_LEVEL:
      case rocksdb::InfoLogLevel::FATAL_LEVEL:
        return LogLevel::kWarn;
      case rocksdb::InfoLogLevel::WARN_LEVEL:
        return LogLevel::kInfo;
      default:
        return LogLevel::kDebug;
    }
  }

  static void Write(LogLevel level, const char* format, va_list ap) {
    if (!LogEnabled(level)) return;  // RocksDB logs a lot at debug: format only what is shown
    char line[1024];
    va_list copy;
    va_copy(copy, ap);
    const int n = std::vsnprintf(line, sizeof line, format, copy);
    va_end(copy);
    if (n < 0) return;
    std::string_view message(line, std::min<size_t>(n, sizeof line - 1));
    while (!message.empty() && message.back() == '\n') message.remove_suffix(1);
    // The file summary RocksDB writes at every open reports a folder it has not made yet as an
    // error: no error of anyone's.
    if (level != LogLevel::kDebug && message.starts_with("Error when reading")) return;
    std::string text(message);
    if (static_cast<size_t>(n) >= sizeof line) text += "... (cut)";
    Log(level, "rocksdb", text);
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewRocksInfoLog() { return std::make_shared<RocksInfoLog>(); }

}  // namespace tandem
