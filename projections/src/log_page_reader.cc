#include "log_page_reader.h"

#include "tandem/basics/named_thread.h"

namespace tandem {

LogPageReader::LogPageReader(EventLog* log, uint64_t after, uint64_t last, size_t page_size,
                             size_t ahead)
    : log_(log), next_(after + 1), last_(last), page_size_(page_size), ahead_(ahead) {
  thread_ = NamedThread("tandem-pages", [this] { Run(); });
}

LogPageReader::~LogPageReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancel_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LogPageReader::Run() {
  ReadOptions read;
  read.as_of_position = last_;
  read.max_count = page_size_;
  while (next_ <= last_) {
    std::vector<RecordedEvent> page;
    Status s = log_->ReadAll(next_, read, &page);
    if (s.ok() && page.empty()) {
      s = Status::Corruption("the log ended at " + std::to_string(next_ - 1) +
                             " before its last position " + std::to_string(last_));
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (!s.ok()) {
      status_ = s;
      break;
    }
    next_ = page.back().global_position() + 1;
    cv_.wait(lock, [&] { return cancel_ || pages_.size() < ahead_; });
    if (cancel_) return;
    pages_.push_back(std::move(page));
    cv_.notify_all();
  }
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  cv_.notify_all();
}

Status LogPageReader::Next(std::vector<RecordedEvent>* page) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !pages_.empty() || done_; });
  page->clear();
  if (!pages_.empty()) {
    *page = std::move(pages_.front());
    pages_.pop_front();
    cv_.notify_all();
    return Status::OK();
  }
  Status s = status_;
  status_ = Status::OK();
  return s;
}

}  // namespace tandem
