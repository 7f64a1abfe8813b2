#include "history_text.h"

#include <cctype>
#include <cstdio>

namespace tandem::history {

std::string IsoDay(int64_t days) {
  // Civil date from a day count (H. Hinnant's algorithm), valid for any day after 1970.
  const int64_t z = days + 719468;
  const int64_t era = z / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char out[64];
  std::snprintf(out, sizeof(out), "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 |
                       static_cast<uint8_t>(bytes[i + 1]) << 8 | static_cast<uint8_t>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

CommandJson::CommandJson(std::string_view type, std::string_view command_id,
                         std::string_view workspace, std::string_view actor) {
  json_.reserve(512);
  json_ += '{';
  Str("type", type);
  Str("command_id", command_id);
  Str("workspace", workspace);
  Str("actor", actor);
}

void CommandJson::Key(std::string_view key) {
  if (json_.size() > 1) json_ += ',';
  Quoted(key);
  json_ += ':';
}

void CommandJson::Quoted(std::string_view value) {
  json_ += '"';
  for (char c : value) {
    switch (c) {
      case '"':
        json_ += "\\\"";
        break;
      case '\\':
        json_ += "\\\\";
        break;
      case '\n':
        json_ += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
          json_ += escaped;
        } else {
          json_ += c;
        }
    }
  }
  json_ += '"';
}

CommandJson& CommandJson::Str(std::string_view key, std::string_view value) {
  Key(key);
  Quoted(value);
  return *this;
}

CommandJson& CommandJson::Int(std::string_view key, int64_t value) {
  Key(key);
  json_ += std::to_string(value);
  return *this;
}

CommandJson& CommandJson::Anchor(std::string_view key, std::string_view kind, std::string_view id) {
  Key(key);
  json_ += "{\"kind\":";
  Quoted(kind);
  json_ += ",\"id\":";
  Quoted(id);
  json_ += '}';
  return *this;
}

CommandJson& CommandJson::List(std::string_view key, const std::vector<std::string>& values) {
  Key(key);
  json_ += '[';
  for (size_t i = 0; i < values.size(); i++) {
    if (i > 0) json_ += ',';
    Quoted(values[i]);
  }
  json_ += ']';
  return *this;
}

std::string CommandJson::Done() {
  json_ += '}';
  return std::move(json_);
}

namespace words {
namespace {

// "{t}" in a fragment stands for the topic.
std::string Fill(const std::string& fragment, const std::string& topic) {
  std::string out;
  out.reserve(fragment.size() + topic.size());
  for (size_t i = 0; i < fragment.size(); i++) {
    if (fragment.compare(i, 3, "{t}") == 0) {
      out += topic;
      i += 2;
    } else {
      out += fragment[i];
    }
  }
  return out;
}

// One fragment of each list, each list after the first kept with probability `p`.
std::string Compose(HistoryRandom* rng, const std::vector<const std::vector<std::string>*>& parts,
                    const std::string& topic, double p) {
  std::string out = Fill(rng->Pick(*parts[0]), topic);
  for (size_t i = 1; i < parts.size(); i++) {
    if (rng->Chance(p)) out += " " + Fill(rng->Pick(*parts[i]), topic);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& ClientNames() {
  static const std::vector<std::string> v{
      "Acme",       "Globex",     "Initech",  "Umbrella", "Hooli",     "Vandelay", "Stark",
      "Wayne",      "Wonka",      "Tyrell",   "Soylent",  "Cyberdyne", "Gringott", "Monarch",
      "Oscorp",     "Pied Piper", "Prestige", "Sterling", "Massive",   "Nakatomi", "Aperture",
      "Black Mesa", "Dunder",     "Bluth",    "Krusty"};
  return v;
}

const std::vector<std::string>& ProjectKinds() {
  static const std::vector<std::string> v{
      "Website relaunch", "Brand refresh",   "Annual report",    "Mobile app",
      "Product launch",   "Intranet",        "Trade fair stand", "Newsletter redesign",
      "E-shop",           "Campaign spring", "Packaging",        "Onboarding portal"};
  return v;
}

const std::vector<std::string>& MilestoneTitles() {
  static const std::vector<std::string> v{"Kick-off",      "Discovery",       "Content plan",
                                          "Wireframes",    "Design sign-off", "Copywriting",
                                          "Build",         "Integration",     "QA",
                                          "Client review", "Launch",          "Post-launch fixes",
                                          "Handover",      "Training",        "Analytics review"};
  return v;
}

const std::vector<std::string>& SlipReasons() {
  static const std::vector<std::string> v{"brand guide not received yet",
                                          "client asked for an extra review round",
                                          "waiting on hosting access",
                                          "holidays on the client side",
                                          "scope change agreed in the weekly call",
                                          "copy arrived later than planned",
                                          "a key designer is out sick",
                                          "legal review takes longer",
                                          "content arrived early, pulling this in",
                                          "dependency on the payment provider"};
  return v;
}

const std::vector<std::string>& BlockReasons() {
  static const std::vector<std::string> v{
      "waiting for content from the client", "awaiting legal approval",
      "no access to the staging server",     "budget change pending sign-off",
      "third-party API keys missing",        "waiting for final photos"};
  return v;
}

const std::vector<std::string>& UnblockReasons() {
  static const std::vector<std::string> v{"content received", "legal approved",
                                          "access granted",   "budget signed off",
                                          "keys arrived",     "photos delivered"};
  return v;
}

const std::vector<std::string>& DocumentTitles() {
  static const std::vector<std::string> v{"Brand guide",     "Logo files",     "Homepage copy",
                                          "Signed contract", "Product photos", "Price list",
                                          "Team portraits",  "Legal imprint",  "Sitemap input",
                                          "Access details",  "Style sheet",    "Font licences"};
  return v;
}

const std::vector<std::string>& CardTitles() {
  static const std::vector<std::string> v{"Update the hero image",
                                          "Fix the contact form",
                                          "New team page",
                                          "Translate the FAQ",
                                          "Swap the logo",
                                          "Cookie banner text",
                                          "Add case study",
                                          "Speed up the gallery",
                                          "Newsletter sign-up",
                                          "Price table tweaks",
                                          "Footer links",
                                          "Accessibility pass",
                                          "SEO titles",
                                          "404 page",
                                          "Search results layout"};
  return v;
}

const std::vector<std::string>& FileKinds() {
  static const std::vector<std::string> v{"brief",  "wireframes", "moodboard", "design",
                                          "report", "estimate",   "minutes",   "specs",
                                          "export", "screens"};
  return v;
}

const std::vector<std::string>& RejectComments() {
  static const std::vector<std::string> v{
      "The colours are off, please use the brand palette.", "Not yet: legal has to see this first.",
      "We need the German version as well.", "Please rework the second section as discussed."};
  return v;
}

std::string ClientQuestion(HistoryRandom* rng, const std::string& topic) {
  static const std::vector<std::string> open{"Quick question about {t}.", "Hi team,",
                                             "Thanks for the update on {t}.",
                                             "Following up on {t}:"};
  static const std::vector<std::string> ask{
      "Could you confirm when {t} will be ready for us to review?",
      "Is there anything you still need from our side for {t}?",
      "Can we move the review of {t} to next week?",
      "Our board asked whether {t} is still on track for the planned date.",
      "Where can we find the latest version of the files for {t}?"};
  static const std::vector<std::string> close{"Thanks!", "Best regards.",
                                              "Happy to jump on a call if that is easier."};
  return Compose(rng, {&open, &ask, &close}, topic, 0.6);
}

std::string FirmAnswer(HistoryRandom* rng, const std::string& topic) {
  static const std::vector<std::string> answer{
      "Good question: {t} is on track and you will get a preview on Friday.",
      "We still need the final copy from you for {t}; everything else is in place.",
      "Yes, we can move the review of {t}, I will send a new invite.",
      "The latest files for {t} are attached to the milestone."};
  static const std::vector<std::string> detail{"We will keep you posted here.",
                                               "Let us know if anything is unclear.",
                                               "The team is already working on the details."};
  return Compose(rng, {&answer, &detail}, topic, 0.5);
}

std::string FirmUpdate(HistoryRandom* rng, const std::string& topic) {
  static const std::vector<std::string> update{
      "Short update on {t}: the first draft is done.", "We finished the internal review of {t}.",
      "{t} is progressing as planned.",
      "Please have a look at the new version of {t} when you have a moment."};
  static const std::vector<std::string> next{"Next step is your feedback.",
                                             "We will share the details in the weekly call.",
                                             "Comments are welcome right here in the thread."};
  return Compose(rng, {&update, &next}, topic, 0.6);
}

std::string InternalNote(HistoryRandom* rng, const std::string& topic) {
  static const std::vector<std::string> note{
      "Budget for {t} is tight, let us not promise extra rounds.",
      "I pushed the draft of {t} to staging.", "Who can review {t} tomorrow?",
      "Client seems nervous about {t}, let us call them.",
      "Estimate for {t} was too low, logging the overrun."};
  static const std::vector<std::string> more{"Will pick this up after lunch.",
                                             "See the card on the dev board.",
                                             "Ping me if it blocks you."};
  return Compose(rng, {&note, &more}, topic, 0.5);
}

std::string Slug(std::string_view title) {
  std::string out;
  for (char c : title) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace words

}  // namespace tandem::history
