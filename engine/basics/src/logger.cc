#include "tandem/basics/logger.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>

#include "tandem/basics/utf8.h"

namespace tandem {
namespace {

LogLevel LevelFromEnvironment() {
  const char* v = std::getenv("TANDEM_LOG_LEVEL");
  if (!v) return LogLevel::kInfo;
  std::string s(v);
  if (s == "debug") return LogLevel::kDebug;
  if (s == "warn") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  if (s == "off") return LogLevel::kOff;
  return LogLevel::kInfo;
}

std::atomic<int>& Threshold() {
  static std::atomic<int> threshold{static_cast<int>(LevelFromEnvironment())};
  return threshold;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kOff:
      break;
  }
  return "?";
}

}  // namespace

void SetLogLevel(LogLevel level) { Threshold().store(static_cast<int>(level)); }

bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= Threshold().load(); }

void Log(LogLevel level, std::string_view component, std::string_view message) {
  if (!LogEnabled(level)) return;
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

  std::string line;
  line.reserve(message.size() + 64);
  line.append(stamp).append(".");
  char ms[8];
  std::snprintf(ms, sizeof ms, "%03dZ ", millis);
  line.append(ms).append(LevelName(level)).append(" ").append(component).append(" ");
  // One event, one line: a message quoting someone's input (a refused command's type, a name)
  // must not start a forged line of its own, drive the terminal or turn the line around.
  // Backslashes stay single: a message quoting a refused command already escaped what it quotes
  // (its `\r` reads as one escape, not as a backslash and an r).
  line.append(utf8::Printable(message, SIZE_MAX, /*escape_backslash=*/false));
  line.push_back('\n');
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace tandem
