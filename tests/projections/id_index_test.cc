// IdIndex (projections/src/id_index.h): the place of every comment id of a project, in buckets
// that split as the project grows. Rows as the views database treats them: a batch's writes are
// seen by reads only once committed.
#include "id_index.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <random>
#include <tuple>

#include "memory_rows.h"
#include "row_cache_budget.h"

namespace tandem {
namespace {

// Rows whose writes reach reads at Commit, like a WriteBatch; counts what a batch writes.
class BatchedRows : public ViewRows {
 public:
  Status Get(std::string_view key, std::string* value) const override {
    if (key.find(std::string_view("o\0\x01", 3)) != std::string_view::npos) ++own_rows_read_;
    return committed_.Get(key, value);
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return committed_.Scan(prefix, visit);
  }
  void Put(std::string_view key, std::string_view value) override {
    Wrote(value);
    pending_.push_back({Op::kPut, std::string(key), std::string(value)});
  }
  void Append(std::string_view key, std::string_view bytes) override {
    Wrote(bytes);
    pending_.push_back({Op::kAppend, std::string(key), std::string(bytes)});
  }
  void Delete(std::string_view key) override {
    Wrote("");
    pending_.push_back({Op::kDelete, std::string(key), ""});
  }
  // A failed commit: the batch's writes are lost.
  void Discard() { pending_.clear(); }
  void Commit() {
    for (const Pending& p : pending_) {
      if (p.op == Op::kPut) committed_.Put(p.key, p.bytes);
      if (p.op == Op::kAppend) committed_.Append(p.key, p.bytes);
      if (p.op == Op::kDelete) committed_.Delete(p.key);
    }
    pending_.clear();
    rows_written_ = largest_write_ = 0;
  }
  std::map<std::string, std::string> All() const {
    std::map<std::string, std::string> all;
    EXPECT_TRUE(committed_
                    .Scan("",
                          [&](std::string_view k, std::string_view v) {
                            all.emplace(k, v);
                            return true;
                          })
                    .ok());
    return all;
  }
  void Replace(const std::string& key, const std::string& value) { committed_.Put(key, value); }
  size_t rows_written() const { return rows_written_; }
  // Reads of rows an id has of its own (not a bucket's or a header's).
  size_t own_rows_read() const { return own_rows_read_; }
  size_t largest_write() const { return largest_write_; }

 private:
  void Wrote(std::string_view bytes) {
    ++rows_written_;
    largest_write_ = std::max(largest_write_, bytes.size());
  }
  enum class Op { kPut, kAppend, kDelete };
  struct Pending {
    Op op;
    std::string key, bytes;
  };
  MemoryRows committed_;
  std::vector<Pending> pending_;
  size_t rows_written_ = 0, largest_write_ = 0;
  mutable size_t own_rows_read_ = 0;
};

const std::string kScope = "project-a/";

std::string Id(int i) { return "comment-" + std::to_string(i); }

// `n` ids starting with `prefix` whose hashes agree with `want` on the bits of `mask`: ids a
// hostile client made to land in one bucket.
std::vector<std::string> IdsHashingAlike(size_t n, uint64_t mask, uint64_t want,
                                         const std::string& prefix = "comment-") {
  std::vector<std::string> ids;
  for (uint64_t i = 0; ids.size() < n; ++i) {
    const std::string id = prefix + std::to_string(i);
    if ((IdIndex::HashOf(id) & mask) == want) ids.push_back(id);
  }
  return ids;
}
std::string PlaceOf(int i) { return "place-" + std::to_string(i * 7); }

class IdIndexTest : public ::testing::Test {
 protected:
  // Adds ids [from, to) in batches of `batch`, each flushed and committed.
  void AddIds(int from, int to, int batch = 100) {
    for (int i = from; i < to; ++i) {
      bool added = false;
      ASSERT_TRUE(index_->Add(rows_, kScope, Id(i), PlaceOf(i), &added).ok());
      ASSERT_TRUE(added) << i;
      if ((i - from + 1) % batch == 0 || i + 1 == to) Commit();
    }
  }
  void Commit() {
    index_->Flush(&rows_);
    rows_.Commit();
  }
  // Looks `id` up through a fresh index, with nothing cached: only the stored rows answer.
  Status FindStored(const std::string& id, std::string* value, bool* found) {
    IdIndex fresh(&budget_, options_);
    return fresh.Find(rows_, kScope, id, value, found);
  }
  void ExpectStored(int i) {
    std::string value;
    bool found = false;
    ASSERT_TRUE(FindStored(Id(i), &value, &found).ok());
    ASSERT_TRUE(found) << Id(i);
    EXPECT_EQ(value, PlaceOf(i));
  }
  // The number of ids each stored bucket holds.
  std::vector<size_t> BucketSizes() {
    std::vector<size_t> sizes;
    for (const auto& [key, value] : rows_.All()) {
      if (key.find(std::string("b\0\x01", 3)) == std::string::npos) continue;
      size_t ids = 0;
      for (size_t at = value.find("comment-"); at != std::string::npos;
           at = value.find("comment-", at + 1)) {
        ++ids;
      }
      sizes.push_back(ids);
    }
    return sizes;
  }
  // Adds `ids`, each with its number as its value, committing every `batch` additions (0:
  // never).
  void AddNumbered(const std::vector<std::string>& ids, size_t batch) {
    for (size_t i = 0; i < ids.size(); ++i) {
      bool added = false;
      ASSERT_TRUE(index_->Add(rows_, kScope, ids[i], std::to_string(i), &added).ok());
      if (batch != 0 && ((i + 1) % batch == 0 || i + 1 == ids.size())) Commit();
    }
  }
  // Looks up comment 7 (place-49) among 500, through a fresh index, after replacing each
  // stored row by what `damage` makes of it (nullopt: left alone).
  Status LookUpAfterDamage(const std::function<std::optional<std::string>(
                               const std::string& key, const std::string& value)>& damage) {
    AddIds(0, 500);
    for (const auto& [key, value] : rows_.All()) {
      if (auto damaged = damage(key, value)) rows_.Replace(key, *damaged);
    }
    std::string value;
    bool found = false;
    return FindStored(Id(7), &value, &found);
  }
  void UseOptions(IdIndexOptions options) {
    options_ = options;
    index_ = std::make_unique<IdIndex>(&budget_, options_);
  }

  RowCacheBudget budget_{size_t{64} << 20};
  IdIndexOptions options_;
  std::unique_ptr<IdIndex> index_ = std::make_unique<IdIndex>(&budget_, options_);
  BatchedRows rows_;
};

TEST_F(IdIndexTest, EveryIdAddedIsFoundFromTheStoredRows) {
  AddIds(0, 5000, 37);
  for (int i = 0; i < 5000; ++i) ExpectStored(i);
}

TEST_F(IdIndexTest, AnIdAddedInTheBatchIsFoundBeforeItsCommit) {
  AddIds(0, 1000);
  bool added = false;
  ASSERT_TRUE(index_->Add(rows_, kScope, "new", "here", &added).ok());
  std::string value;
  bool found = false;
  ASSERT_TRUE(index_->Find(rows_, kScope, "new", &value, &found).ok());
  EXPECT_TRUE(found);
  EXPECT_EQ(value, "here");
}

TEST_F(IdIndexTest, AnIdKeepsTheValueItWasFirstGiven) {
  AddIds(0, 300);
  bool added = true;
  ASSERT_TRUE(index_->Add(rows_, kScope, Id(42), "another place", &added).ok());
  EXPECT_FALSE(added);
  Commit();
  ExpectStored(42);
}

TEST_F(IdIndexTest, AnIdNeverAddedIsNotFound) {
  AddIds(0, 2000);
  for (const std::string& id : {std::string("comment-2000"), std::string(""), Id(-1)}) {
    std::string value;
    bool found = true;
    ASSERT_TRUE(FindStored(id, &value, &found).ok());
    EXPECT_FALSE(found) << id;
  }
}

TEST_F(IdIndexTest, IdsOfOneScopeAreNotFoundInAnother) {
  AddIds(0, 100);
  std::string value;
  bool found = true;
  ASSERT_TRUE(index_->Find(rows_, "project-b/", Id(1), &value, &found).ok());
  EXPECT_FALSE(found);
}

// The cost of adding an id is one record, and at a split two buckets and the header: the same
// in a scope of a thousand ids and of a hundred thousand, and no bucket holds more than about
// split_at ids (a bucket past it waits for the split pointer to reach it).
TEST_F(IdIndexTest, AddingAnIdWritesAFewSmallRowsWhateverTheScopeHolds) {
  size_t most_rows = 0, largest = 0;
  auto add_one_at_a_time = [&](int from, int to) {
    most_rows = largest = 0;
    for (int i = from; i < to; ++i) {
      bool added = false;
      ASSERT_TRUE(index_->Add(rows_, kScope, Id(i), PlaceOf(i), &added).ok());
      index_->Flush(&rows_);
      most_rows = std::max(most_rows, rows_.rows_written());
      largest = std::max(largest, rows_.largest_write());
      rows_.Commit();
    }
  };
  add_one_at_a_time(0, 1000);
  const size_t small_rows = most_rows, small_largest = largest;
  AddIds(1000, 100000, 1000);
  add_one_at_a_time(100000, 101000);
  EXPECT_LE(most_rows, 4u);
  EXPECT_LE(most_rows, small_rows);
  EXPECT_LE(largest, small_largest * 3 / 2);  // a bucket of the same bound; longer ids
  for (size_t size : BucketSizes()) EXPECT_LE(size, options_.split_at * 3 / 2);
}

// Ids made to hash alike (a hostile client chooses its comment ids) go to one bucket; past its
// bound they are rows of their own, so no bucket grows without end and every id is still found.
TEST_F(IdIndexTest, IdsMadeToHashAlikeNeverGrowABucketPastItsBound) {
  UseOptions({.split_at = 4, .max_bucket = 8});
  const std::vector<std::string> alike = IdsHashingAlike(60, 0xffff, 0x1234);
  AddNumbered(alike, 5);
  for (size_t size : BucketSizes()) EXPECT_LE(size, 8u);
  for (size_t i = 0; i < alike.size(); ++i) {
    std::string value;
    bool found = false;
    ASSERT_TRUE(FindStored(alike[i], &value, &found).ok());
    ASSERT_TRUE(found) << alike[i];
    EXPECT_EQ(value, std::to_string(i));
  }
  std::string value;
  bool found = true;
  ASSERT_TRUE(FindStored("comment-never", &value, &found).ok());
  EXPECT_FALSE(found);
}

// An id written past the domain's rules can be a megabyte: it is a row of its own, and the
// bucket it would have gone to stays as small as its other ids make it.
TEST_F(IdIndexTest, AHugeIdIsARowOfItsOwn) {
  AddIds(0, 100);
  const std::string huge(1 << 20, 'x');
  bool added = false;
  ASSERT_TRUE(index_->Add(rows_, kScope, huge, "its place", &added).ok());
  Commit();
  std::string value;
  bool found = false;
  ASSERT_TRUE(FindStored(huge, &value, &found).ok());
  EXPECT_TRUE(found);
  EXPECT_EQ(value, "its place");
  for (const auto& [key, stored] : rows_.All()) {
    if (key.find(std::string("b\0\x01", 3)) != std::string::npos) {
      EXPECT_LT(stored.size(), 8192u);
    }
  }
  for (int i = 0; i < 100; ++i) ExpectStored(i);
}

// A long id is looked up by its own row alone: the buckets are not marked for it, so looking up
// the ids added after it (most lookups are of new ids) reads no row of its own.
TEST_F(IdIndexTest, AHugeIdCostsNothingToTheLookupsOfOtherIds) {
  bool added = false;
  ASSERT_TRUE(index_->Add(rows_, kScope, std::string(600, 'x'), "its place", &added).ok());
  AddIds(0, 5000);
  const size_t before = rows_.own_rows_read();
  AddIds(5000, 6000);
  EXPECT_EQ(rows_.own_rows_read(), before);
}

// A value written past the domain's rules (a thread id of a megabyte) is a row of its own; its
// id stays in its bucket, through the bucket's splits.
TEST_F(IdIndexTest, AHugeValueIsFoundThroughItsBucket) {
  const std::string huge(1 << 20, 'v');
  bool added = false;
  ASSERT_TRUE(index_->Add(rows_, kScope, "long-valued", huge, &added).ok());
  AddIds(0, 3000);
  std::string value;
  bool found = false;
  ASSERT_TRUE(FindStored("long-valued", &value, &found).ok());
  EXPECT_TRUE(found);
  EXPECT_EQ(value, huge);
  for (const auto& [key, stored] : rows_.All()) {
    if (key.find(std::string("b\0\x01", 3)) != std::string::npos) {
      EXPECT_LT(stored.size(), 65536u);
    }
  }
}

// A rebuild folds in rounds of thousands of events, a live fold a few at a time: the rows must
// come out the same (the view hashes compare them).
TEST_F(IdIndexTest, TheRowsDoNotDependOnHowAdditionsAreBatched) {
  AddIds(0, 3000, 3000);
  const auto in_one_batch = rows_.All();
  rows_ = BatchedRows();
  index_ = std::make_unique<IdIndex>(&budget_, options_);
  AddIds(0, 3000, 1);
  EXPECT_EQ(rows_.All(), in_one_batch);
  rows_ = BatchedRows();
  index_ = std::make_unique<IdIndex>(&budget_, options_);
  AddIds(0, 3000, 17);
  EXPECT_EQ(rows_.All(), in_one_batch);
}

// A bucket that fills up past its bound in the batch that split it (a rebuild's round) and one
// that fills up batches later (live) are the same bytes.
TEST_F(IdIndexTest, AFullBucketIsTheSameBytesHoweverItsIdsWereBatched) {
  UseOptions({.split_at = 4, .max_bucket = 8});
  const std::vector<std::string> ids = IdsHashingAlike(20, 0xffff, 0x1234);
  auto fold = [&](size_t batch) {
    rows_ = BatchedRows();
    index_ = std::make_unique<IdIndex>(&budget_, options_);
    AddNumbered(ids, batch);
    return rows_.All();
  };
  EXPECT_EQ(fold(1), fold(ids.size()));
}

// An id that went to a row of its own is found at once, in the batch that added it, with the
// value it was given.
TEST_F(IdIndexTest, AnIdBeyondAFullBucketIsFoundInItsOwnBatch) {
  UseOptions({.split_at = 4, .max_bucket = 8});
  const std::vector<std::string> ids = IdsHashingAlike(20, 0xffff, 0x1234);
  AddNumbered(ids, 0);
  for (size_t i = 0; i < ids.size(); ++i) {
    std::string value;
    bool found = false;
    ASSERT_TRUE(index_->Find(rows_, kScope, ids[i], &value, &found).ok());
    ASSERT_TRUE(found) << ids[i];
    EXPECT_EQ(value, std::to_string(i));
  }
}

// Random batches of additions and lookups over two scopes, with ids made to collide, tiny
// buckets and budgets, and failed commits: the index answers like a map, and its rows are those
// of the same additions made in one batch.
TEST_F(IdIndexTest, RandomBatchesAnswerLikeAMapAndStoreLikeOneBatch) {
  std::vector<std::string> pool = IdsHashingAlike(40, 0x3f, 0x15, "a");
  for (int i = 0; i < 40; ++i) pool.push_back("r" + std::to_string(i));
  pool.push_back(std::string("\0z", 2));
  pool.push_back("");
  for (int i = 0; i < 4; ++i) pool.push_back(std::string(300, 'L') + std::to_string(i));
  const std::vector<std::string> scopes = {"s1/", "s2/"};
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    std::mt19937_64 rng(seed);
    RowCacheBudget budget(seed % 3 == 0 ? size_t{1} << 30 : 1);
    const IdIndexOptions options{.split_at = 2 + seed % 3, .max_bucket = 2 + seed % 3 + seed % 4};
    auto index = std::make_unique<IdIndex>(&budget, options);
    rows_ = BatchedRows();
    using Key = std::pair<std::string, std::string>;
    std::map<Key, std::string> committed, pending;
    std::vector<std::tuple<std::string, std::string, std::string>> added_in_order, batch_adds;
    for (int batch = 0, step = 0; batch < 60; ++batch) {
      batch_adds.clear();
      for (int i = 0, n = 1 + static_cast<int>(rng() % 12); i < n; ++i, ++step) {
        const Key key{scopes[rng() % 2], pool[rng() % pool.size()]};
        const std::string* want = pending.count(key)     ? &pending[key]
                                  : committed.count(key) ? &committed[key]
                                                         : nullptr;
        if (rng() % 3 == 0) {
          std::string value;
          bool found = false;
          ASSERT_TRUE(index->Find(rows_, key.first, key.second, &value, &found).ok());
          ASSERT_EQ(found, want != nullptr) << "seed " << seed << " step " << step;
          if (want != nullptr) {
            ASSERT_EQ(value, *want) << "seed " << seed << " step " << step;
          }
        } else {
          const std::string v =
              (rng() % 7 == 0 ? std::string(300, 'v') : "v") + std::to_string(step);
          bool added = false;
          ASSERT_TRUE(index->Add(rows_, key.first, key.second, v, &added).ok());
          ASSERT_EQ(added, want == nullptr) << "seed " << seed << " step " << step;
          if (added) {
            pending[key] = v;
            batch_adds.emplace_back(key.first, key.second, v);
          }
        }
      }
      index->Flush(&rows_);
      if (rng() % 5 == 0) {  // the commit fails: the runner makes the fold forget
        rows_.Discard();
        index->Forget();
      } else {
        rows_.Commit();
        committed.merge(pending);
        added_in_order.insert(added_in_order.end(), batch_adds.begin(), batch_adds.end());
      }
      pending.clear();
    }
    for (const std::string& scope : scopes) {
      for (const std::string& id : pool) {
        IdIndex fresh(&budget, options);
        std::string value;
        bool found = false;
        ASSERT_TRUE(fresh.Find(rows_, scope, id, &value, &found).ok());
        const auto it = committed.find({scope, id});
        ASSERT_EQ(found, it != committed.end()) << "seed " << seed;
        if (found) {
          ASSERT_EQ(value, it->second) << "seed " << seed;
        }
      }
    }
    index.reset();
    EXPECT_EQ(budget.used(), 0) << "seed " << seed;
    const auto live = rows_.All();
    rows_ = BatchedRows();
    IdIndex one_batch(&budget, options);
    for (const auto& [scope, id, v] : added_in_order) {
      bool added = false;
      ASSERT_TRUE(one_batch.Add(rows_, scope, id, v, &added).ok());
      ASSERT_TRUE(added);
    }
    one_batch.Flush(&rows_);
    rows_.Commit();
    ASSERT_EQ(rows_.All(), live) << "seed " << seed;
  }
}

TEST_F(IdIndexTest, ABucketCutShortIsCorruption) {
  EXPECT_TRUE(LookUpAfterDamage([](const std::string&, const std::string& value) {
                return value.find("place-49") != std::string::npos
                           ? std::optional(value.substr(0, value.size() - 1))
                           : std::nullopt;
              }).IsCorruption());
}

TEST_F(IdIndexTest, APlaceOverwrittenInItsBucketIsCorruption) {
  EXPECT_TRUE(LookUpAfterDamage([](const std::string&, const std::string& value) {
                const size_t at = value.find("place-49");
                return at != std::string::npos
                           ? std::optional(value.substr(0, at) + "place-50" + value.substr(at + 8))
                           : std::nullopt;
              }).IsCorruption());
}

TEST_F(IdIndexTest, ADamagedHeaderIsCorruption) {
  EXPECT_TRUE(LookUpAfterDamage([](const std::string& key, const std::string& value) {
                const bool header =
                    value.size() == 20 && key.find(std::string("h\0\x01", 3)) != std::string::npos;
                return header ? std::optional(std::string(8, '\0') + std::string(8, '\x7f') +
                                              value.substr(16))
                              : std::nullopt;
              }).IsCorruption());
}

TEST_F(IdIndexTest, AForgottenBatchChangesNothing) {
  AddIds(0, 400);
  const auto before = rows_.All();
  for (int i = 400; i < 800; ++i) {
    bool added = false;
    ASSERT_TRUE(index_->Add(rows_, kScope, Id(i), PlaceOf(i), &added).ok());
  }
  index_->Flush(&rows_);
  rows_.Discard();  // the commit fails: the runner makes the fold forget
  index_->Forget();
  EXPECT_EQ(rows_.All(), before);
  std::string value;
  bool found = true;
  ASSERT_TRUE(index_->Find(rows_, kScope, Id(500), &value, &found).ok());
  EXPECT_FALSE(found);
}

TEST_F(IdIndexTest, WhatItCachesIsChargedAndGivenBackWhenForgotten) {
  AddIds(0, 2000);
  EXPECT_GT(budget_.used(), 2000 * 16);
  index_->Forget();
  EXPECT_EQ(budget_.used(), 0);
}

}  // namespace
}  // namespace tandem
