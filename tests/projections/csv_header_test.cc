// Every view's CSV has one header whatever its rows: a consumer scheduling exports reads the
// same columns from a project full of work and from an empty one.
#include <gtest/gtest.h>

#include "view_world.h"

namespace tandem::test {
namespace {

class CsvHeaderTest : public StandardViewTest {
 protected:
  void SetUp() override {
    StandardViewTest::SetUp();
    // A project of acme's with nothing in it but itself.
    world_->MustRun(Cmd("project.create", "northwind", "pm",
                        {{"project_id", "p-empty"}, {"client_id", "acme"}, {"name", "Empty"}}));
  }

  std::string Header(ViewRequest r) {
    r.format = ViewFormat::kCsv;
    Status s;
    const std::string csv = world_->Read(r, &s);
    EXPECT_TRUE(s.ok()) << r.view << " as " << r.member << ": " << s.ToString();
    return csv.substr(0, csv.find("\r\n"));
  }

  // The header read on acme's project (which has rows) and on the empty one, as `member`.
  void ExpectOneHeader(const std::string& view, const std::string& member,
                       const std::string& board = "") {
    ViewRequest full = Ask(view, member, view == "action-items" ? "" : "p-acme");
    ViewRequest empty = Ask(view, member, "p-empty");
    full.board = empty.board = board;
    const std::string header = Header(full);
    EXPECT_FALSE(header.empty()) << view << " as " << member;
    EXPECT_EQ(Header(empty), header) << view << " as " << member;
  }
};

TEST_F(CsvHeaderTest, EachViewHasTheSameHeaderForTheFirmWithRowsOrWithout) {
  for (const char* view : {"internal-timeline", "client-timeline", "threads", "files", "feed",
                           "board", "action-items"}) {
    ExpectOneHeader(view, "pm");
  }
}

TEST_F(CsvHeaderTest, EachViewHasTheSameHeaderForTheClientWithRowsOrWithout) {
  for (const char* view : {"client-timeline", "threads", "files", "feed", "board"}) {
    ExpectOneHeader(view, "acme-member");
  }
  ExpectOneHeader("action-items", "acme-admin");
}

}  // namespace
}  // namespace tandem::test
