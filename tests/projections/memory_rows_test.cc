// MemoryRows (projections/src/memory_rows.h): the rows an as-of fold writes and a query reads.
// Rows are hashed and put in key order only when scanned, so scans must see every change made
// since the last one, in key order, whatever came between.
#include "memory_rows.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace tandem {
namespace {

using Visited = std::vector<std::pair<std::string, std::string>>;

Visited ScanOf(const MemoryRows& rows, const std::string& prefix) {
  Visited out;
  EXPECT_TRUE(rows.Scan(prefix,
                        [&](std::string_view k, std::string_view v) {
                          out.emplace_back(k, v);
                          return true;
                        })
                  .ok());
  return out;
}

Visited ExpectedScan(const std::map<std::string, std::string>& model, const std::string& prefix) {
  Visited out;
  for (auto it = model.lower_bound(prefix);
       it != model.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    out.emplace_back(it->first, it->second);
  }
  return out;
}

// Keys share long prefixes and hold NULs, as view keys do.
std::string RandomKey(std::mt19937_64* rng) {
  std::string k("tenant\0\x01project", 16);
  for (int parts = 1 + (*rng)() % 3; parts > 0; --parts) k += static_cast<char>('a' + (*rng)() % 4);
  return k;
}

// Every kind of change, each followed at random by gets and scans of random prefixes, checked
// against `model` (what the rows must hold).
void ExpectRandomChangesSeen(MemoryRows* rows, std::map<std::string, std::string>* model,
                             std::mt19937_64* rng) {
  for (int step = 0; step < 20000; ++step) {
    const std::string k = RandomKey(rng);
    const std::string v = std::to_string(step);
    switch ((*rng)() % 5) {
      case 0:
      case 1:
        rows->Put(k, v);
        (*model)[k] = v;
        break;
      case 2:
        rows->Append(k, v);
        (*model)[k] += v;
        break;
      case 3:
        rows->Delete(k);
        model->erase(k);
        break;
      default: {
        const std::string prefix = k.substr(0, (*rng)() % (k.size() + 1));
        ASSERT_EQ(ScanOf(*rows, prefix), ExpectedScan(*model, prefix)) << "step " << step;
        std::string got;
        const Status s = rows->Get(k, &got);
        ASSERT_EQ(s.ok(), model->count(k) == 1) << "step " << step;
        if (s.ok()) {
          ASSERT_EQ(got, (*model)[k]);
        }
      }
    }
  }
  EXPECT_EQ(ScanOf(*rows, ""), ExpectedScan(*model, ""));
}

TEST(MemoryRowsTest, ScansSeeEveryChangeInKeyOrder) {
  std::mt19937_64 rng(7);
  std::map<std::string, std::string> model;
  MemoryRows rows;
  ExpectRandomChangesSeen(&rows, &model, &rng);
}

// Over a base (a views snapshot an as-of fold starts from): the base's rows read through until
// changed, deleted ones are hidden, appends extend the base's value, and the base is untouched.
TEST(MemoryRowsTest, RowsOverABaseReadAsTheBaseWithTheChangesMadeOnTop) {
  std::mt19937_64 rng(11);
  MemoryRows base;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 300; ++i) {
    const std::string k = RandomKey(&rng);
    base.Put(k, "base" + std::to_string(i));
    model[k] = "base" + std::to_string(i);
  }
  const std::map<std::string, std::string> base_model = model;
  MemoryRows rows(&base);
  ExpectRandomChangesSeen(&rows, &model, &rng);
  EXPECT_EQ(ScanOf(base, ""), ExpectedScan(base_model, ""));
}

TEST(MemoryRowsTest, AScanStopsWhenTheVisitorSaysSo) {
  MemoryRows rows;
  for (const char* k : {"a1", "a2", "a3", "b1"}) rows.Put(k, "v");
  std::vector<std::string> seen;
  ASSERT_TRUE(rows.Scan("a",
                        [&](std::string_view k, std::string_view) {
                          seen.emplace_back(k);
                          return seen.size() < 2;
                        })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a1", "a2"}));
}

}  // namespace
}  // namespace tandem
