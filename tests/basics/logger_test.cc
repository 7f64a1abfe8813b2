// Log lines: one event a line, whatever the message quotes.
#include "tandem/basics/logger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace tandem {
namespace {

// Review (2026-12-08): the command intake logs a refusal with the type the asker gave; a CR
// and an escape sequence in it wrote what read as a line of the log of its own.
TEST(LoggerTest, AMessageQuotingHostileTextStaysOneEscapedLine) {
  SetLogLevel(LogLevel::kInfo);
  testing::internal::CaptureStderr();
  LogWarn("intake",
          "refused type='x\r2027-01-01T00:00:00.000Z INFO intake accepted\x1b[2K"
          "\xE2\x80\xAE"
          "evil\nnext'");
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find("\xE2\x80\xAE"), std::string::npos) << out;
  EXPECT_NE(out.find(" WARN intake refused type='x\\r2027-01-01T00:00:00.000Z INFO intake "
                     "accepted\\x1b[2K\\u202eevil\\nnext'"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace tandem
