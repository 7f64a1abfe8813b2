#include "view_key.h"

namespace tandem {

void AppendKeyPart(std::string* key, std::string_view part) {
  // Spans without a NUL are appended whole: most parts (ids, names) have none.
  for (size_t nul; (nul = part.find('\0')) != std::string_view::npos; part.remove_prefix(nul + 1)) {
    key->append(part.data(), nul);
    key->append("\0\xff", 2);
  }
  key->append(part);
  key->append("\0\x01", 2);
}

std::string ProjectRowKey(const std::string& tenant, const std::string& project) {
  return ViewKey({tenant, "p", project});
}

std::string ViewKey(std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (std::string_view part : parts) size += part.size() + 2;
  // Every row a fold touches has its key made here, most of them from a few short parts
  // without a NUL: those are copied into a key sized once, byte by byte, checking as they go
  // (a memchr and two appends a part cost more than the copy). A part holding a NUL is rare
  // (written past the domain's rules) and takes the escaping path.
  std::string key(size, '\0');
  char* out = key.data();
  for (std::string_view part : parts) {
    for (char c : part) {
      if (c == '\0') {
        key.clear();
        key.reserve(size + 8);
        for (std::string_view p : parts) AppendKeyPart(&key, p);
        return key;
      }
      *out++ = c;
    }
    *out++ = '\0';
    *out++ = '\x01';
  }
  return key;
}

std::string OrderedNumber(uint64_t n) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
  return out;
}

uint64_t ParseOrderedNumber(std::string_view part) {
  uint64_t n = 0;
  for (unsigned char c : part.substr(0, 8)) n = (n << 8) | c;
  return n;
}

bool SplitViewKey(std::string_view key, std::vector<std::string>* parts) {
  parts->clear();
  std::string part;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] != '\0') {
      part.push_back(key[i]);
      continue;
    }
    if (i + 1 >= key.size()) return false;
    if (key[i + 1] == '\xff') {
      part.push_back('\0');
    } else if (key[i + 1] == '\x01') {
      parts->push_back(std::move(part));
      part.clear();
    } else {
      return false;
    }
    ++i;
  }
  return part.empty();
}

}  // namespace tandem
