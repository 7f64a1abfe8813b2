// What the generator writes into commands: JSON command text, ISO dates, and the words people
// use (titles, reasons, comment bodies), picked with the generator's randomness.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "history_random.h"

namespace tandem::history {

constexpr int64_t kDayUs = 24LL * 3600 * 1000 * 1000;

// "YYYY-MM-DD" of the day `days` after 1970-01-01.
std::string IsoDay(int64_t days);
inline int64_t DayOf(int64_t us) { return us / kDayUs; }

std::string Base64(std::string_view bytes);

// One JSON command, written field by field (strings escaped). Starts with the common fields.
class CommandJson {
 public:
  CommandJson(std::string_view type, std::string_view command_id, std::string_view workspace,
              std::string_view actor);

  CommandJson& Str(std::string_view key, std::string_view value);
  CommandJson& Int(std::string_view key, int64_t value);
  CommandJson& Anchor(std::string_view key, std::string_view kind, std::string_view id);
  CommandJson& List(std::string_view key, const std::vector<std::string>& values);
  // The finished command (the builder is left empty).
  std::string Done();

 private:
  void Key(std::string_view key);
  void Quoted(std::string_view value);

  std::string json_;
};

// The words of a history.
namespace words {

const std::vector<std::string>& ClientNames();   // "Acme", ...
const std::vector<std::string>& ProjectKinds();  // "Website relaunch", ...
const std::vector<std::string>& MilestoneTitles();
const std::vector<std::string>& SlipReasons();
const std::vector<std::string>& BlockReasons();
const std::vector<std::string>& UnblockReasons();
const std::vector<std::string>& DocumentTitles();
const std::vector<std::string>& CardTitles();
const std::vector<std::string>& FileKinds();  // "brief", "wireframes", ...
const std::vector<std::string>& RejectComments();

// Comment bodies of about the length people write (one to three sentences), about `topic`.
std::string ClientQuestion(HistoryRandom* rng, const std::string& topic);
std::string FirmAnswer(HistoryRandom* rng, const std::string& topic);
std::string FirmUpdate(HistoryRandom* rng, const std::string& topic);
std::string InternalNote(HistoryRandom* rng, const std::string& topic);

// "brand-guide" from "Brand guide".
std::string Slug(std::string_view title);

}  // namespace words

}  // namespace tandem::history
