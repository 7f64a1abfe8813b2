// Recovery trusts no batch a journal record holds: a record whose checksum is right but whose
// WriteBatch is not what the writer builds for its positions fails the open with Corruption
// naming the record, and the open changes nothing. Each case forges one such record into the
// journal of an older copy of a log, as a damaged device or a hostile hand could leave it.
#include <filesystem>
#include <functional>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/comparator.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "journal.h"
#include "log_keys.h"
#include "tandem/events/event_record.h"
#include "tandem/log/event_log.h"
#include "test_util.h"

namespace tandem {
namespace {

namespace fs = std::filesystem;

// The log's column families by id, in the order the log creates them.
enum Family : uint32_t { kDefault = 0, kEvents = 1, kStreams = 2, kTenants = 3, kIdempotency = 4 };

// Stands for a column family in a WriteBatch: batches only record its id.
class FamilyId : public rocksdb::ColumnFamilyHandle {
 public:
  explicit FamilyId(uint32_t id) : id_(id), name_("family" + std::to_string(id)) {}
  const std::string& GetName() const override { return name_; }
  uint32_t GetID() const override { return id_; }
  rocksdb::Status GetDescriptor(rocksdb::ColumnFamilyDescriptor*) override {
    return rocksdb::Status::NotSupported();
  }
  const rocksdb::Comparator* GetComparator() const override {
    return rocksdb::BytewiseComparator();
  }

 private:
  uint32_t id_;
  std::string name_;
};

struct Entry {
  uint32_t family;
  std::string key, value;
};

class EntryCollector : public rocksdb::WriteBatch::Handler {
 public:
  std::vector<Entry> entries;
  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    entries.push_back({family, key.ToString(), value.ToString()});
    return rocksdb::Status::OK();
  }
};

std::vector<Entry> EntriesOf(std::string_view batch) {
  rocksdb::WriteBatch b{std::string(batch)};
  EntryCollector c;
  EXPECT_TRUE(b.Iterate(&c).ok());
  return c.entries;
}

std::string BatchOf(const std::vector<Entry>& entries) {
  rocksdb::WriteBatch b;
  for (const Entry& e : entries) {
    FamilyId family(e.family);
    EXPECT_TRUE(b.Put(&family, e.key, e.value).ok());
  }
  return b.Data();
}

Entry* Find(std::vector<Entry>* entries, uint32_t family) {
  for (Entry& e : *entries) {
    if (e.family == family) return &e;
  }
  ADD_FAILURE() << "no entry in family " << family;
  return &entries->front();
}

// How a case turns the batch of the record of position 4 into the forged one.
struct Forgery {
  const char* name;
  std::function<std::string(std::vector<Entry>)> forge;
};

void PrintTo(const Forgery& f, std::ostream* os) { *os << f.name; }

std::string WithEntries(std::vector<Entry> entries, const std::function<void(Entry*)>& change,
                        uint32_t family) {
  change(Find(&entries, family));
  return BatchOf(entries);
}

const Forgery kForgeries[] = {
    {"NotAWriteBatch", [](std::vector<Entry>) { return std::string("not a write batch"); }},
    {"WrongCount",
     [](std::vector<Entry> e) {
       std::string batch = BatchOf(e);
       batch[8]++;  // the header's fixed32 count, little-endian
       return batch;
     }},
    {"DeletesAnEvent",
     [](std::vector<Entry> e) {
       rocksdb::WriteBatch b{BatchOf(e)};
       FamilyId events(kEvents);
       EXPECT_TRUE(b.Delete(&events, log_keys::EventKey(2)).ok());
       return b.Data();
     }},
    {"WritesTheDefaultFamily",
     [](std::vector<Entry> e) {
       e.push_back({kDefault, "tandem.journal", std::string(8, 'x')});
       return BatchOf(e);
     }},
    {"WritesAnUnknownFamily",
     [](std::vector<Entry> e) {
       e.push_back({9, "k", "v"});
       return BatchOf(e);
     }},
    {"EventOutsideTheRecord",
     [](std::vector<Entry> e) {
       return WithEntries(
           e, [](Entry* x) { x->key = log_keys::EventKey(2); }, kEvents);
     }},
    {"EventThatFailsVerification",
     [](std::vector<Entry> e) {
       return WithEntries(
           e, [](Entry* x) { x->value.resize(12); }, kEvents);
     }},
    {"StreamIndexOfAnotherTenant",
     [](std::vector<Entry> e) {
       return WithEntries(
           e,
           [](Entry* x) {
             x->key = log_keys::StreamVersionKey({"other", "s"}, 4);
           },
           kStreams);
     }},
    {"StreamIndexPointingBeforeTheRecord",
     [](std::vector<Entry> e) {
       return WithEntries(
           e, [](Entry* x) { x->value = log_keys::EventKey(1); }, kStreams);
     }},
    {"MissingStreamIndex",
     [](std::vector<Entry> e) {
       std::erase_if(e, [](const Entry& x) { return x.family == kStreams; });
       return BatchOf(e);
     }},
    {"TenantRunOfAnotherTenant",
     [](std::vector<Entry> e) {
       return WithEntries(
           e, [](Entry* x) { x->key = log_keys::TenantPositionKey("other", 4); }, kTenants);
     }},
    {"TenantRunPastTheRecord",
     [](std::vector<Entry> e) {
       return WithEntries(
           e, [](Entry* x) { x->value = log_keys::TenantRunValue(3); }, kTenants);
     }},
    {"IdempotencyRecordOfAnotherStream",
     [](std::vector<Entry> e) {
       return WithEntries(
           e,
           [](Entry* x) {
             log_keys::IdempotencyRecord r;
             ASSERT_TRUE(r.Decode(x->value));
             r.stream_name = "t";
             x->value = r.Encode();
           },
           kIdempotency);
     }},
    {"IdempotencyRecordNamingEarlierPositions",
     [](std::vector<Entry> e) {
       return WithEntries(
           e,
           [](Entry* x) {
             log_keys::IdempotencyRecord r;
             ASSERT_TRUE(r.Decode(x->value));
             r.first_position = r.last_position = 1;
             x->value = r.Encode();
           },
           kIdempotency);
     }},
    {"StreamVersionThatSkipsAhead",
     [](std::vector<Entry> e) {
       // Consistent within the batch, but stream s is at version 3.
       Entry* event = Find(&e, kEvents);
       event_record::Stamp(&event->value, 9, 4,
                           schema::GetEvent(event->value.data())->recorded_at_us());
       Find(&e, kStreams)->key = log_keys::StreamVersionKey({"acme", "s"}, 9);
       Entry* idempotency = Find(&e, kIdempotency);
       log_keys::IdempotencyRecord r;
       EXPECT_TRUE(r.Decode(idempotency->value));
       r.first_version = r.last_version = 9;
       idempotency->value = r.Encode();
       return BatchOf(e);
     }},
    {"IdempotencyKeyOfAnEarlierAppend",
     [](std::vector<Entry> e) {
       return WithEntries(
           e, [](Entry* x) { x->key = "acme" + std::string(1, '\0') + "key1"; }, kIdempotency);
     }},
};

class JournalRecoveryTest : public ::testing::Test {
 protected:
  std::string Live() const { return dir_.Sub("live"); }
  std::string Lost() const { return dir_.Sub("lost"); }

  static void AppendEach(EventLog* log, int from, int to) {
    for (int i = from; i <= to; i++) {
      AppendResult r;
      ASSERT_TRUE(log->Append({"acme", "s"}, ExpectedVersion::Any(),
                              {test::CommentEvent("e" + std::to_string(i))},
                              "key" + std::to_string(i), &r)
                      .ok());
    }
  }

  // RocksDB's files of the lost copy hold 1..3; its journal 4..6, of which the record of 4 is
  // replaced with `forge`'s batch under a valid checksum.
  void ForgeLostJournal(const Forgery& forgery) {
    AppendEach(test::OpenLogOrDie(Live()).get(), 1, 3);
    fs::copy(Live(), Lost(), fs::copy_options::recursive);
    {
      auto live = test::OpenLogOrDie(Live());
      AppendEach(live.get(), 4, 6);
      fs::copy_file(Live() + "/tandem.journal", Lost() + "/tandem.journal",
                    fs::copy_options::overwrite_existing);
    }
    std::unique_ptr<Journal> journal;
    ASSERT_TRUE(Journal::OpenExisting(Lost() + "/tandem.journal", true, &journal).ok());
    struct Record {
      uint64_t first, last;
      std::string batch;
    };
    std::vector<Record> records;
    uint64_t last = 0;
    auto accept = [](uint64_t, uint64_t, std::string_view) { return Status::OK(); };
    ASSERT_TRUE(journal
                    ->Replay(
                        3, accept,
                        [&](uint64_t first, uint64_t last_position, std::string_view batch) {
                          records.push_back({first, last_position, std::string(batch)});
                          return Status::OK();
                        },
                        &last)
                    .ok());
    ASSERT_EQ(records.size(), 3u);
    ASSERT_EQ(records[0].first, 4u);
    records[0].batch = forgery.forge(EntriesOf(records[0].batch));
    ASSERT_TRUE(journal->Rewind(4).ok());
    for (const Record& r : records) {
      std::string encoded;
      journal->EncodeRecord(r.first, r.last, r.batch, &encoded);
      ASSERT_TRUE(journal->Write(encoded).ok());
    }
  }

  test::ScratchDir dir_;
};

class ForgedJournalBatchTest : public JournalRecoveryTest,
                               public ::testing::WithParamInterface<Forgery> {};

TEST_P(ForgedJournalBatchTest, AForgedBatchFailsTheOpenWithCorruptionAndChangesNothing) {
  ForgeLostJournal(GetParam());
  std::unique_ptr<EventLog> log;
  Status s = EventLog::Open(EventLogOptions(), Lost(), &log);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("positions 4..4"), std::string::npos) << s.ToString();
  log.reset();
  EventLogOptions read_only;
  read_only.read_only = true;
  auto unchanged = test::OpenLogOrDie(Lost(), read_only);
  EXPECT_EQ(unchanged->LastPosition(), 3u);
  std::vector<RecordedEvent> events;
  ASSERT_TRUE(unchanged->ReadAll(1, ReadOptions(), &events).ok());
  EXPECT_EQ(events.size(), 3u);
}

TEST_F(JournalRecoveryTest, AnUnforgedJournalStillRecoversEverything) {
  ForgeLostJournal({"Unchanged", [](std::vector<Entry> e) { return BatchOf(e); }});
  auto log = test::OpenLogOrDie(Lost());
  EXPECT_EQ(log->LastPosition(), 6u);
  std::string stream;
  AppendResult r;
  ASSERT_TRUE(log->FindIdempotentAppend("acme", "key4", &stream, &r).ok());
  EXPECT_EQ(r.first_position, 4u);
}

INSTANTIATE_TEST_SUITE_P(Forgeries, ForgedJournalBatchTest, ::testing::ValuesIn(kForgeries),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tandem
