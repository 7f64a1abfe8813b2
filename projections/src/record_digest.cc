#include "record_digest.h"

#include <vector>

#include "tandem/domain/blob_store.h"  // Sha256Hex

namespace tandem {

std::string RecordDigest(const RecordedEvent& record) { return Sha256Hex(record.bytes()); }

Status RecordDigestAt(EventLog* log, uint64_t position, std::string* digest) {
  digest->clear();
  if (position == 0 || position > log->LastPosition()) {
    return Status::NotFound("log.no_record", "the log holds no record at this position");
  }
  ReadOptions options;
  options.max_count = 1;
  std::vector<RecordedEvent> page;
  Status s = log->ReadAll(position, options, &page);
  if (!s.ok()) return s;
  if (page.empty() || page.front().global_position() != position) {
    return Status::NotFound("log.no_record", "the log holds no record at this position");
  }
  *digest = RecordDigest(page.front());
  return Status::OK();
}

}  // namespace tandem
