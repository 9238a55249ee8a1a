// Record ids: the service's shape (224 base64 characters), unique, and the
// same for a given seed as the ids firehose-local has always made (ids written
// in place must not change what a seeded run answers).
#include "random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

#include "core/crypto.hpp"

namespace firehose::local {
namespace {

// The original definition: 168 bytes from 21 draws, low byte first, base64.
std::string reference_record_id(Random& random) {
  std::array<char, 168> raw{};
  for (std::size_t i = 0; i < raw.size(); i += 8) {
    const std::uint64_t bits = random.next();
    for (std::size_t b = 0; b < 8; ++b) raw[i + b] = static_cast<char>(bits >> (8 * b));
  }
  return aws::crypto::base64_encode(std::string_view(raw.data(), raw.size()));
}

TEST(LocalRecordIds, AreTheSameForASeedAsTheReference) {
  Random made(42), appended(42), reference(42);
  std::string out = "prefix";
  for (int i = 0; i < 100; ++i) {
    const std::string expected = reference_record_id(reference);
    EXPECT_EQ(make_record_id(made), expected) << i;
    const std::size_t start = out.size();
    append_record_id(appended, out);
    EXPECT_EQ(out.substr(start), expected) << i;
  }
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ(made.next(), reference.next());  // the same number of draws
}

TEST(LocalRecordIds, Are224Base64CharactersAndUnique) {
  Random random(7);
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) {
    const std::string id = make_record_id(random);
    ASSERT_EQ(id.size(), kRecordIdLength);
    EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
              std::string::npos);
    EXPECT_TRUE(seen.insert(id).second) << i;
  }
}

}  // namespace
}  // namespace firehose::local
