// LogPageReader: reads a range of the log in pages on a thread of its own, a few pages ahead of
// the consumer, so that a catch-up folds one page while the next is read and verified (the
// read is most of the cost of a rebuild).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "tandem/log/event_log.h"

namespace tandem {

class LogPageReader {
 public:
  // Reads positions (after, last] of `log`, `page_size` events a page, at most `ahead` pages
  // ahead of Next.
  LogPageReader(EventLog* log, uint64_t after, uint64_t last, size_t page_size = 1000,
                size_t ahead = 8);
  ~LogPageReader();

  // The next page in order; an empty page once every position up to `last` was returned.
  // A failed read (or a log that ends before `last`) is returned once, and reading stops.
  Status Next(std::vector<RecordedEvent>* page);

 private:
  void Run();

  EventLog* log_;
  uint64_t next_;
  const uint64_t last_;
  const size_t page_size_;
  const size_t ahead_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<RecordedEvent>> pages_;
  Status status_;
  bool done_ = false;
  bool cancel_ = false;
  std::thread thread_;
};

}  // namespace tandem
