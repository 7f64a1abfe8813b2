// JsonLine writes list lines without building a boost::json object first; the stored rows (and
// so every view's hash and reader) stay as they were only if it writes exactly what
// boost::json::serialize writes for the same object.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

#include <boost/json.hpp>

#include "json_fields.h"
#include "json_line.h"
#include "row_fields.h"

namespace tandem {
namespace {

// Every byte value, the escaped ones among plain text, and bytes that are not UTF-8.
std::string RandomText(std::mt19937_64* random) {
  static const std::string kAlphabet = std::string("ab \"\\/\b\f\n\r\t\x01\x1f\x7f", 13) +
                                       "\xC3\xA9\xE2\x80\xA6\xF0\x9F\x98\x80\xFF\xC3";
  std::string text;
  const size_t size = (*random)() % 24;
  for (size_t i = 0; i < size; ++i) {
    text += (*random)() % 4 == 0 ? static_cast<char>((*random)() % 256)
                                 : kAlphabet[(*random)() % kAlphabet.size()];
  }
  return text;
}

TEST(JsonLineTest, WritesWhatBoostJsonSerialisesForTheSameObject) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 2000; ++round) {
    std::string line;
    boost::json::object expected;
    JsonLine writer(&line);
    for (int member = 0; member < 4; ++member) {
      const std::string key = RandomText(&random) + std::to_string(member);  // keys differ
      switch (random() % 7) {
        case 0: {
          const std::string text = RandomText(&random);
          writer.Str(key, text);
          expected[key] = text;
          break;
        }
        case 1: {
          const int64_t n = static_cast<int64_t>(random());
          writer.Int(key, n);
          expected[key] = n;
          break;
        }
        case 2: {
          const bool b = random() % 2 == 0;
          writer.Bool(key, b);
          expected[key] = b;
          break;
        }
        case 3: {
          std::vector<std::string> texts(random() % 3);
          for (std::string& t : texts) t = RandomText(&random);
          writer.StrArray(key, texts);
          boost::json::array array;
          for (const std::string& t : texts) array.emplace_back(t);
          expected[key] = std::move(array);
          break;
        }
        case 4: {
          const std::string inner_key = RandomText(&random) + "k", text = RandomText(&random);
          writer.Object(key, [&](JsonLine& inner) { inner.Str(inner_key, text).Bool("b", true); });
          expected[key] = boost::json::object{{inner_key, text}, {"b", true}};
          break;
        }
        case 5: {
          std::vector<int64_t> items(random() % 3);
          for (int64_t& item : items) item = static_cast<int64_t>(random());
          writer.ObjectArray(key, items, [](JsonLine& o, int64_t n) { o.Int("n", n); });
          boost::json::array array;
          for (int64_t n : items) array.emplace_back(boost::json::object{{"n", n}});
          expected[key] = std::move(array);
          break;
        }
        default: {
          const uint64_t n = random();
          writer.UInt(key, n);
          expected[key] = n;
        }
      }
    }
    writer.Close();
    ASSERT_EQ(line, boost::json::serialize(expected)) << "round " << round;
  }
}

TEST(JsonLineTest, WritesTheExtremeNumbersAsBoostJsonDoes) {
  std::string line;
  JsonLine(&line)
      .Int("min", std::numeric_limits<int64_t>::min())
      .Int("zero", 0)
      .UInt("max", std::numeric_limits<uint64_t>::max())
      .Close();
  const boost::json::object expected{{"min", std::numeric_limits<int64_t>::min()},
                                     {"zero", int64_t{0}},
                                     {"max", std::numeric_limits<uint64_t>::max()}};
  EXPECT_EQ(line, boost::json::serialize(expected));
}

// Means in reports read as people write them; the rest of the text as boost::json writes it.
TEST(JsonLineTest, JsonTextWritesNumbersWithAFractionInPlainNotation) {
  const boost::json::value report{{"mean", 4.67},
                                  {"rows", boost::json::array{0.5, 1e-7, 123456.25}},
                                  {"count", 3},
                                  {"name", "a \"quoted\"\n name"},
                                  {"none", nullptr}};
  const std::string text = JsonText(report);
  EXPECT_EQ(text,
            "{\"mean\":4.67,\"rows\":[0.5,0.0000001,123456.25],\"count\":3,"
            "\"name\":\"a \\\"quoted\\\"\\n name\",\"none\":null}");
  EXPECT_EQ(boost::json::parse(text), report);
}

TEST(JsonLineTest, WritesAnEventsTextAsTheViewsReadItWhetherOrNotItIsUtf8) {
  for (const std::string& bytes :
       {std::string("plain \"text\""), std::string("bad \xFF\xC3 end")}) {
    flatbuffers::FlatBufferBuilder builder;
    const auto offset = builder.CreateString(bytes);
    const flatbuffers::String* text = flatbuffers::GetTemporaryPointer(builder, offset);
    std::string line;
    JsonLine(&line)
        .Str("body", text)
        .Str("none", static_cast<const flatbuffers::String*>(nullptr))
        .Close();
    const boost::json::object expected{{"body", json_fields::S(text)}, {"none", ""}};
    EXPECT_EQ(line, boost::json::serialize(expected));
  }
}

TEST(JsonLineTest, AppendsToWhatTheStringHolds) {
  std::string lines = "{}\n";
  JsonLine(&lines).Str("a", "b").Raw("parts", R"([{"m":"ana"},"x"])").Close();
  EXPECT_EQ(lines, "{}\n{\"a\":\"b\",\"parts\":[{\"m\":\"ana\"},\"x\"]}");
}

// A row type declared by its fields (row_fields.h): one of each kind of member.
struct FieldsRow {
  bool flag = false;
  std::string text;
  uint32_t count = 0;
  int64_t at_us = 0;
  std::string unstored = "kept out";  // not a field: a read leaves it as a new row has it
  static constexpr std::tuple kFields{Field("flag", &FieldsRow::flag), Field("t", &FieldsRow::text),
                                      Field("count", &FieldsRow::count),
                                      Field("at_us", &FieldsRow::at_us)};
};

TEST(JsonLineTest, ARowOfDeclaredFieldsIsWrittenInTheirOrderAndReadsBackAsWritten) {
  FieldsRow row{true, "a \"b\"", 7, -3, "changed"};
  std::string text;
  JsonLine line(&text);
  WriteRow(row, &line);
  line.Close();
  EXPECT_EQ(text, R"({"flag":true,"t":"a \"b\"","count":7,"at_us":-3})");
  FieldsRow read;
  read.text = "left from before";
  ReadRow(boost::json::parse(text).as_object(), &read);
  EXPECT_TRUE(read.flag);
  EXPECT_EQ(read.text, row.text);
  EXPECT_EQ(read.count, 7u);
  EXPECT_EQ(read.at_us, -3);
  EXPECT_EQ(read.unstored, "kept out");
}

// A damaged row never throws: each mistyped or missing member reads as empty.
TEST(JsonLineTest, ARowOfDeclaredFieldsWithMistypedMembersReadsThemAsEmpty) {
  FieldsRow read{true, "old", 9, 9};
  ReadRow(boost::json::parse(R"({"flag":"yes","t":4,"count":[1]})").as_object(), &read);
  EXPECT_FALSE(read.flag);
  EXPECT_EQ(read.text, "");
  EXPECT_EQ(read.count, 0u);
  EXPECT_EQ(read.at_us, 0);
}

}  // namespace
}  // namespace tandem
