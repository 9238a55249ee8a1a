// Record ids: the service's shape (224 base64 characters), unique within an
// answer and across answers, and the same for a given seed (a seeded run
// answers the same ids every time).
#include "random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>
#include <vector>

#include "core/crypto.hpp"

namespace firehose::local {
namespace {

// The definition, byte by byte: 156 bytes drawn once (20 draws, the last
// one's low 4 bytes), then 12 bytes per id (2 draws, the second one's low 4),
// low byte first, base64 of the 168 bytes.
std::vector<std::string> reference_record_ids(Random& random, std::size_t count) {
  auto draw = [&random](std::size_t size) {
    std::string raw;
    while (raw.size() < size) {
      const std::uint64_t bits = random.next();
      for (std::size_t b = 0; b < 8 && raw.size() < size; ++b) raw.push_back(static_cast<char>(bits >> (8 * b)));
    }
    return raw;
  };
  const std::string shared = draw(156);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < count; ++i) ids.push_back(aws::crypto::base64_encode(shared + draw(12)));
  return ids;
}

TEST(LocalRecordIds, AreTheSameForASeedAsTheReference) {
  Random made(42), reference(42);
  const std::vector<std::string> expected = reference_record_ids(reference, 100);
  RecordIds ids(made);
  std::string out = "prefix";
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const std::size_t start = out.size();
    ids.append_to(out);
    EXPECT_EQ(out.substr(start), expected[i]) << i;
  }
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ(made.next(), reference.next());  // the same number of draws
}

TEST(LocalRecordIds, OneIdIsTheFirstOfAnAnswer) {
  Random made(9), reference(9);
  EXPECT_EQ(make_record_id(made), reference_record_ids(reference, 1)[0]);
  EXPECT_EQ(made.next(), reference.next());
}

TEST(LocalRecordIds, Are224Base64CharactersAndUnique) {
  // Ids of many answers, and many ids of one answer.
  Random random(7);
  std::vector<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.push_back(make_record_id(random));
  RecordIds answer(random);
  std::string out;
  for (int i = 0; i < 10000; ++i) answer.append_to(out);
  for (std::size_t i = 0; i < out.size(); i += kRecordIdLength) ids.push_back(out.substr(i, kRecordIdLength));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    ASSERT_EQ(id.size(), kRecordIdLength);
    EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
              std::string::npos);
    EXPECT_TRUE(seen.insert(id).second) << i;
  }
}

}  // namespace
}  // namespace firehose::local
