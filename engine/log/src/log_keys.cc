#include "log_keys.h"

namespace tandem::log_keys {

void AppendBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t ReadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string EventKey(uint64_t position) {
  std::string key;
  AppendBigEndian64(&key, position);
  return key;
}

bool ParseEventKey(std::string_view key, uint64_t* position) {
  if (key.size() != 8) return false;
  *position = ReadBigEndian64(key.data());
  return true;
}

std::string StreamPrefix(const StreamId& stream) {
  std::string key;
  key.reserve(stream.tenant.size() + stream.name.size() + 10);
  key.append(stream.tenant).push_back('\0');
  key.append(stream.name).push_back('\0');
  return key;
}

std::string StreamVersionKey(const StreamId& stream, uint64_t version) {
  std::string key = StreamPrefix(stream);
  AppendBigEndian64(&key, version);
  return key;
}

bool ParseStreamVersionKey(std::string_view key, StreamId* stream, uint64_t* version) {
  if (key.size() < 8 + 4) return false;
  std::string_view head = key.substr(0, key.size() - 8);
  size_t sep = head.find('\0');
  if (sep == std::string_view::npos || head.back() != '\0' || sep + 1 >= head.size() - 1) {
    return false;
  }
  stream->tenant.assign(head.substr(0, sep));
  stream->name.assign(head.substr(sep + 1, head.size() - sep - 2));
  *version = ReadBigEndian64(key.data() + key.size() - 8);
  return true;
}

std::string TenantPrefix(const std::string& tenant) {
  std::string key = tenant;
  key.push_back('\0');
  return key;
}

std::string TenantPositionKey(const std::string& tenant, uint64_t position) {
  std::string key = TenantPrefix(tenant);
  AppendBigEndian64(&key, position);
  return key;
}

bool ParseTenantPositionKey(std::string_view key, std::string* tenant, uint64_t* position) {
  if (key.size() < 8 + 2 || key[key.size() - 9] != '\0') return false;
  tenant->assign(key.substr(0, key.size() - 9));
  *position = ReadBigEndian64(key.data() + key.size() - 8);
  return true;
}

std::string TenantRunValue(uint64_t length) {
  // A run of one keeps the first format's empty value: nothing to store.
  if (length == 1) return std::string();
  std::string value;
  AppendBigEndian64(&value, length);
  return value;
}

bool ParseTenantRunValue(std::string_view value, uint64_t* length) {
  if (value.empty()) {
    *length = 1;
    return true;
  }
  if (value.size() != 8) return false;
  *length = ReadBigEndian64(value.data());
  return *length > 0;
}

std::string IdempotencyKey(const std::string& tenant, const std::string& key) {
  std::string out = TenantPrefix(tenant);
  out.append(key);
  return out;
}

std::string IdempotencyRecord::Encode() const {
  std::string out;
  AppendBigEndian64(&out, first_version);
  AppendBigEndian64(&out, last_version);
  AppendBigEndian64(&out, first_position);
  AppendBigEndian64(&out, last_position);
  out.append(stream_name);
  return out;
}

bool IdempotencyRecord::Decode(std::string_view bytes) {
  if (bytes.size() < 32) return false;
  first_version = ReadBigEndian64(bytes.data());
  last_version = ReadBigEndian64(bytes.data() + 8);
  first_position = ReadBigEndian64(bytes.data() + 16);
  last_position = ReadBigEndian64(bytes.data() + 24);
  stream_name.assign(bytes.substr(32));
  return true;
}

}  // namespace tandem::log_keys
