#include "timestamps.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace firehose::cli {
namespace {

using namespace std::chrono;

TEST(ParseIso8601Utc, ReadsWhatIso8601UtcWrites) {
  const auto parsed = parse_iso8601_utc("2026-12-03T10:00:00Z");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(system_clock::to_time_t(*parsed), 1796292000);
  EXPECT_EQ(iso8601_utc(*parsed), "2026-12-03T10:00:00Z");
  // The last second of a leap day.
  ASSERT_TRUE(parse_iso8601_utc("2024-02-29T23:59:59Z").has_value());
  EXPECT_EQ(iso8601_utc(*parse_iso8601_utc("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
}

TEST(ParseIso8601Utc, RefusesFieldsOutsideTheCalendar) {
  // timegm() normalised each of these into another, valid, time.
  for (const char* impossible :
       {"2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-12-00T00:00:00Z", "2026-12-07T24:00:00Z",
        "2026-12-07T25:61:00Z", "2026-12-07T10:60:00Z", "2026-12-07T10:00:60Z", "2026-12-07T10:00:61Z"}) {
    EXPECT_FALSE(parse_iso8601_utc(impossible).has_value()) << impossible;
  }
}

TEST(ParseIso8601Utc, RefusesAnythingButTheOneShape) {
  for (const char* malformed :
       {"", "2026-12-03", "2026-12-03T10:00:00", "2026-12-03T10:00:00Zjunk", "2026-12-3T10:00:00Z",
        "2026-12-03 10:00:00Z", "2026-12-03T10:00:00+00:00", "+026-12-03T10:00:00Z", "2026-12-03T1 :00:00Z",
        "2026-12-03t10:00:00z", "2026-12-03T10:00:00.5Z"}) {
    EXPECT_FALSE(parse_iso8601_utc(malformed).has_value()) << malformed;
  }
}

TEST(AwsCliTimestamp, RoundsToTheNearestMicrosecond) {
  // 1796612941.053 as a double is 1796612941.0529999733: truncated it showed .052999.
  EXPECT_EQ(aws_cli_timestamp(1796612941.053), "2026-12-07T03:09:01.053000+00:00");
  EXPECT_EQ(aws_cli_timestamp(1796612941.0529997), "2026-12-07T03:09:01.053000+00:00");
  EXPECT_EQ(aws_cli_timestamp(1796612941.0530003), "2026-12-07T03:09:01.053000+00:00");
  EXPECT_EQ(aws_cli_timestamp(1796612941.25), "2026-12-07T03:09:01.250000+00:00");
  // As Python's isoformat() (the AWS CLI): no fraction when it is zero.
  EXPECT_EQ(aws_cli_timestamp(1796612941.0), "2026-12-07T03:09:01+00:00");
  EXPECT_EQ(aws_cli_timestamp(1796612941.0000002), "2026-12-07T03:09:01+00:00");
  EXPECT_EQ(aws_cli_timestamp(1796612941.000001), "2026-12-07T03:09:01.000001+00:00");
  // A fraction that rounds up to a whole second carries into the seconds.
  EXPECT_EQ(aws_cli_timestamp(1796612941.9999997), "2026-12-07T03:09:02+00:00");
}

TEST(AwsCliTimestamp, EveryMillisecondOfASecondComesOutExact) {
  // What firehose-local and moto send: milliseconds. About half of them truncated one microsecond low.
  for (int ms = 0; ms < 1000; ++ms) {
    const double seconds = 1796612941.0 + ms / 1000.0;
    const std::string fraction = ms == 0 ? "" : fmt::format(".{:03d}000", ms);
    EXPECT_EQ(aws_cli_timestamp(seconds).substr(19), fraction + "+00:00") << ms;
  }
}

}  // namespace
}  // namespace firehose::cli
