// Key layout of the event log's column families. Every key that names a stream starts with
// its tenant, so tenant scoping is a property of the layout, not of the queries.
//
//   events       be64(position)                                  -> Event FlatBuffer
//   streams      tenant \0 stream \0 be64(version)                -> be64(position)
//   tenants      tenant \0 be64(first position of a run)          -> be64(run length), or empty
//                for a run of one (the form of the first format, still read)
//   idempotency  tenant \0 key                                   -> IdempotencyRecord
//
// Big-endian numbers make RocksDB's bytewise order the numeric order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tandem/basics/stream_id.h"

namespace tandem::log_keys {

void AppendBigEndian64(std::string* out, uint64_t v);
// Reads 8 big-endian bytes at `p` (the caller checks the length).
uint64_t ReadBigEndian64(const char* p);

std::string EventKey(uint64_t position);
// False if `key` is not 8 bytes.
bool ParseEventKey(std::string_view key, uint64_t* position);

// "tenant\0stream\0": every version of the stream sorts under this prefix.
std::string StreamPrefix(const StreamId& stream);
std::string StreamVersionKey(const StreamId& stream, uint64_t version);
// Splits a streams-CF key; false if malformed.
bool ParseStreamVersionKey(std::string_view key, StreamId* stream, uint64_t* version);

// The tenant index holds runs: consecutive positions of one tenant written by one group
// commit share a single entry, so a busy tenant costs one index insert per group, not one per
// event.
std::string TenantPrefix(const std::string& tenant);
std::string TenantPositionKey(const std::string& tenant, uint64_t position);
bool ParseTenantPositionKey(std::string_view key, std::string* tenant, uint64_t* position);
std::string TenantRunValue(uint64_t length);
// False if `value` is neither empty nor a positive be64 length.
bool ParseTenantRunValue(std::string_view value, uint64_t* length);

std::string IdempotencyKey(const std::string& tenant, const std::string& key);

// What an idempotency key remembers about the append that first used it.
struct IdempotencyRecord {
  std::string stream_name;
  uint64_t first_version = 0;
  uint64_t last_version = 0;
  uint64_t first_position = 0;
  uint64_t last_position = 0;

  std::string Encode() const;
  bool Decode(std::string_view bytes);
};

}  // namespace tandem::log_keys
