// Replay of a journal written by the previous build (format 1): no header, records from offset
// 0 framed as be32 checksum, be32 length, be64 first, be64 last, then the WriteBatch.
#include <vector>

#include "journal.h"
#include "journal_io.h"
#include "log_keys.h"

namespace tandem {

using journal_io::ChecksumMatches;
using journal_io::PositionRange;
using journal_io::ReadBigEndian32;
using journal_io::ReadFully;
using log_keys::ReadBigEndian64;

namespace {

constexpr size_t kFormat1HeaderBytes = 24;

}  // namespace

Status Journal::ReplayFormat1(uint64_t after, const VisitRecord& check, const VisitRecord& apply,
                              uint64_t* last) {
  // The previous build's rules: the chain runs from offset 0 and ends at the first record that
  // is torn, zeroed or does not follow its predecessor.
  struct Checked {
    uint64_t offset, first, last;
    uint32_t length;
  };
  std::vector<Checked> checked;
  uint64_t offset = 0;
  uint64_t chain_last = 0;  // 0 until the first record is read
  char header[kFormat1HeaderBytes];
  std::string record;
  auto read = [&](uint64_t at, uint32_t length, bool* intact) {
    record.resize(kFormat1HeaderBytes + length);
    size_t got = 0;
    Status s = ReadFully(fd_, record.data(), record.size(), at, path_, &got);
    *intact = s.ok() && got == record.size() && ChecksumMatches(record);
    return s;
  };
  for (;;) {
    size_t got = 0;
    Status s = ReadFully(fd_, header, kFormat1HeaderBytes, offset, path_, &got);
    if (!s.ok()) return s;
    if (got < kFormat1HeaderBytes) break;
    const uint32_t length = ReadBigEndian32(header + 4);
    const uint64_t first = ReadBigEndian64(header + 8);
    const uint64_t last_position = ReadBigEndian64(header + 16);
    if (length == 0 || first == 0 || last_position < first ||
        (chain_last != 0 && first != chain_last + 1) ||
        offset + kFormat1HeaderBytes + length > capacity_) {
      break;
    }
    bool intact = false;
    s = read(offset, length, &intact);
    if (!s.ok()) return s;
    if (!intact) break;
    chain_last = last_position;
    if (last_position > after) {
      const uint64_t expected = checked.empty() ? after + 1 : checked.back().last + 1;
      if (first <= after) {
        return Status::Corruption(
            "the journal " + path_ + " holds positions " + PositionRange(first, last_position) +
            " as one write, but the event log ends inside it at " + std::to_string(after));
      }
      if (first != expected) {
        return Status::Corruption("the journal " + path_ + " continues at position " +
                                  std::to_string(first) + " but the event log ends at " +
                                  std::to_string(after) + ": positions " +
                                  PositionRange(after + 1, first - 1) + " are lost");
      }
      s = check(first, last_position, std::string_view(record).substr(kFormat1HeaderBytes));
      if (!s.ok()) return s;
      checked.push_back({offset, first, last_position, length});
    }
    offset += record.size();
  }
  for (const Checked& c : checked) {
    bool intact = false;
    Status s = read(c.offset, c.length, &intact);
    if (!s.ok()) return s;
    if (!intact) return Status::Corruption("the journal " + path_ + " changed while replayed");
    s = apply(c.first, c.last, std::string_view(record).substr(kFormat1HeaderBytes));
    if (!s.ok()) return s;
    *last = c.last;
  }
  return Status::OK();
}

}  // namespace tandem
