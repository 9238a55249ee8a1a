#include "core/timestamp.hpp"

#include <gtest/gtest.h>

namespace firehose::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

system_clock::time_point at(long long epoch_ms) { return system_clock::time_point(milliseconds(epoch_ms)); }

TEST(CredentialsTimestamp, ParsesTheFormsCredentialSourcesWrite) {
  // Expected epochs computed with Python's datetime.fromisoformat.
  EXPECT_EQ(parse_iso8601("2024-02-29T12:34:56Z").value(), at(1709210096000));
  EXPECT_EQ(parse_iso8601("2011-07-15T23:28:33.359Z").value(), at(1310772513359));
  EXPECT_EQ(parse_iso8601("2024-01-01T01:30:00+02:00").value(), at(1704065400000));
  EXPECT_EQ(parse_iso8601("2024-01-01T01:30:00+0200").value(), at(1704065400000));
  EXPECT_EQ(parse_iso8601("2023-12-31T22:30:00-01:00").value(), at(1704065400000));
  EXPECT_EQ(parse_iso8601("1970-01-01 00:00:00Z").value(), at(0));
}

TEST(CredentialsTimestamp, RejectsMalformedOrZonelessText) {
  for (const char* bad : {"", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
                          "2024-01-01T24:00:00Z", "2024-01-01T00:00:00Zjunk", "yesterday", "2024-01-01T00:00:00.Z"}) {
    auto parsed = parse_iso8601(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
  }
}

// Found by fuzzing (tests/fuzz/fuzz_credential_process): an Expiration in the
// year 2470 overflowed the nanosecond time point (undefined behaviour).
TEST(CredentialsTimestamp, RefusesYearsATimePointCannotHold) {
  for (const char* far : {"2470-05-01T12:00:00.999999999Z", "9999-12-31T23:59:59Z", "2262-04-12T00:00:00Z",
                          "0001-01-01T00:00:00Z", "1677-09-21T00:00:00+01:00"}) {
    auto parsed = parse_iso8601(far);
    ASSERT_FALSE(parsed.ok()) << far;
    EXPECT_NE(parsed.error().message.find("out of range"), std::string::npos) << parsed.error().message;
  }
  EXPECT_TRUE(parse_iso8601("2261-12-31T23:59:59.999Z").ok());
  EXPECT_TRUE(parse_iso8601("1678-01-01T00:00:00Z").ok());
}

TEST(CredentialsTimestamp, FormatRoundTrips) {
  EXPECT_EQ(format_iso8601(at(1709210096000)), "2024-02-29T12:34:56Z");
  const auto now = std::chrono::floor<seconds>(system_clock::now());
  EXPECT_EQ(parse_iso8601(format_iso8601(now)).value(), now);
}

}  // namespace
}  // namespace firehose::aws
