#include "batch_ingest.h"
#include "rocks_status.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

#include <rocksdb/sst_file_writer.h>

namespace tandem {
namespace {

enum class OpType : uint8_t { kPut, kMerge, kDelete };

struct Op {
  uint32_t family;
  OpType type;
  rocksdb::Slice key;
  rocksdb::Slice value;
};

class OpCollector : public rocksdb::WriteBatch::Handler {
 public:
  explicit OpCollector(std::vector<Op>* ops) : ops_(ops) {}
  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return Add(family, OpType::kPut, key, value);
  }
  rocksdb::Status MergeCF(uint32_t family, const rocksdb::Slice& key,
                          const rocksdb::Slice& value) override {
    return Add(family, OpType::kMerge, key, value);
  }
  rocksdb::Status DeleteCF(uint32_t family, const rocksdb::Slice& key) override {
    return Add(family, OpType::kDelete, key, rocksdb::Slice());
  }

 private:
  rocksdb::Status Add(uint32_t family, OpType type, const rocksdb::Slice& key,
                      const rocksdb::Slice& value) {
    ops_->push_back({family, type, key, value});
    return rocksdb::Status::OK();
  }
  std::vector<Op>* ops_;
};

// One key's operations [first, last) folded into the single entry a table may hold for it.
// Merging concatenates, so a Merge after a Put or Delete is a Put of the joined bytes, and
// Merges alone are one Merge of their concatenation.
rocksdb::Status WriteKey(const Op* first, const Op* last, std::string* joined,
                         rocksdb::SstFileWriter* table) {
  if (last - first == 1) {
    switch (first->type) {
      case OpType::kPut:
        return table->Put(first->key, first->value);
      case OpType::kMerge:
        return table->Merge(first->key, first->value);
      case OpType::kDelete:
        return table->Delete(first->key);
    }
  }
  // The last Put or Delete decides the base; the Merges after it append.
  const Op* base = nullptr;
  for (const Op* op = first; op != last; ++op) {
    if (op->type != OpType::kMerge) base = op;
  }
  if (base != nullptr && base + 1 == last) {
    return base->type == OpType::kPut ? table->Put(base->key, base->value)
                                      : table->Delete(base->key);
  }
  joined->clear();
  if (base != nullptr && base->type == OpType::kPut)
    joined->append(base->value.data(), base->value.size());
  for (const Op* op = base != nullptr ? base + 1 : first; op != last; ++op) {
    joined->append(op->value.data(), op->value.size());
  }
  return base != nullptr ? table->Put(first->key, *joined) : table->Merge(first->key, *joined);
}

std::string ScratchFile(const std::string& dir) {
  static std::atomic<uint64_t> next{0};
  return dir + "/" + std::to_string(next++) + ".sst";
}

void RemoveFiles(const std::vector<rocksdb::IngestExternalFileArg>& args) {
  std::error_code ignored;
  for (const auto& arg : args) {
    for (const std::string& file : arg.external_files) std::filesystem::remove(file, ignored);
  }
}

}  // namespace

Status IngestBatch(rocksdb::DB* db, const BatchIngestOptions& options,
                   const std::function<rocksdb::ColumnFamilyHandle*(uint32_t id)>& family_of,
                   const rocksdb::WriteBatch& batch) {
  std::vector<Op> ops;
  ops.reserve(batch.Count());
  OpCollector collector(&ops);
  Status s = FromRocks(batch.Iterate(&collector));
  if (!s.ok()) return s;
  // Stable: a key's operations keep their batch order, the order they apply in.
  std::stable_sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) {
    return a.family != b.family ? a.family < b.family : a.key.compare(b.key) < 0;
  });

  std::vector<rocksdb::IngestExternalFileArg> args;
  std::string joined;
  for (size_t begin = 0; begin < ops.size() && s.ok();) {
    const uint32_t family = ops[begin].family;
    rocksdb::ColumnFamilyHandle* handle = family_of(family);
    if (handle == nullptr) {
      s = Status::InvalidArgument("a batch names a column family the store does not hold");
      break;
    }
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = handle;
    arg.external_files.push_back(ScratchFile(options.scratch_dir));
    arg.options.move_files = true;
    arg.options.write_global_seqno = false;
    args.push_back(arg);
    // The tables are read right after their ingestion: no hint to drop them from the page
    // cache.
    rocksdb::SstFileWriter table(rocksdb::EnvOptions(), options.table_options, handle,
                                 /*invalidate_page_cache=*/false);
    rocksdb::Status r = table.Open(arg.external_files.back());
    size_t end = begin;
    while (r.ok() && end < ops.size() && ops[end].family == family) {
      size_t key_end = end + 1;
      while (key_end < ops.size() && ops[key_end].family == family &&
             ops[key_end].key == ops[end].key) {
        ++key_end;
      }
      r = WriteKey(&ops[end], &ops[key_end], &joined, &table);
      end = key_end;
    }
    if (r.ok()) r = table.Finish();
    s = FromRocks(r);
    begin = end;
  }
  if (s.ok() && !args.empty()) s = FromRocks(db->IngestExternalFiles(args));
  // Moved into the database when ingested; otherwise garbage.
  RemoveFiles(args);
  return s;
}

Status RemoveIngestLeftovers(const std::string& scratch_dir) {
  std::error_code error;
  std::filesystem::remove_all(scratch_dir, error);
  if (!error) std::filesystem::create_directories(scratch_dir, error);
  if (error) {
    return Status::IOError("cannot empty " + scratch_dir + ": " + error.message());
  }
  return Status::OK();
}

}  // namespace tandem
