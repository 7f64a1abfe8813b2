// One-line structured logging with levels, to stderr:
//   2026-11-23T10:15:02.123Z INFO event_log opened path=/data last_position=42
// The threshold comes from TANDEM_LOG_LEVEL (debug, info, warn, error; default info) and can be
// changed with SetLogLevel.
#pragma once

#include <string_view>

namespace tandem {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Writes one line. `message` is written as utf8::Printable writes it, so that a line is always
// one event: text it quotes (a refused command's type, a member's name) cannot start a line of
// its own, drive the terminal or turn the rest of the line around.
void Log(LogLevel level, std::string_view component, std::string_view message);

inline void LogDebug(std::string_view c, std::string_view m) { Log(LogLevel::kDebug, c, m); }
inline void LogInfo(std::string_view c, std::string_view m) { Log(LogLevel::kInfo, c, m); }
inline void LogWarn(std::string_view c, std::string_view m) { Log(LogLevel::kWarn, c, m); }
inline void LogError(std::string_view c, std::string_view m) { Log(LogLevel::kError, c, m); }

}  // namespace tandem
