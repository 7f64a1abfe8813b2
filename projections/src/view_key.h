// Keys of view rows: composite, order-preserving, and unambiguous whatever bytes an id holds
// (ids come from events, and `tandem append` writes events past every rule).
//
// Each part is escaped (0x00 becomes 0x00 0xFF) and ends with 0x00 0x01, so no part can spill
// into the next, and the key of some parts is a prefix of exactly the keys that extend them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tandem {

void AppendKeyPart(std::string* key, std::string_view part);
std::string ViewKey(std::initializer_list<std::string_view> parts);
// The row a view keeps about a project as a whole, in views that key their rows by tenant, kind
// of row, then project (action items, the feed, report facts).
std::string ProjectRowKey(const std::string& tenant, const std::string& project);
// A number as a key part that sorts numerically (8 bytes, big-endian).
std::string OrderedNumber(uint64_t n);
uint64_t ParseOrderedNumber(std::string_view part);
// The parts of a key made by ViewKey; false when `key` is not one.
bool SplitViewKey(std::string_view key, std::vector<std::string>* parts);

}  // namespace tandem
