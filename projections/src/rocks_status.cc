#include "rocks_status.h"

namespace tandem {

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound(s.ToString());
  if (s.IsCorruption()) return Status::Corruption(s.ToString());
  if (s.IsInvalidArgument() || s.IsNotSupported()) return Status::InvalidArgument(s.ToString());
  if (s.IsBusy()) return Status::TimedOut(s.ToString());  // a read-only open beside a writer
  return Status::IOError(s.ToString());
}

}  // namespace tandem
