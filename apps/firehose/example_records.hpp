#pragma once
// Records shaped like the AWS code example's data set ("Kinesis Data Firehose:
// put records"): one compact JSON object a line,
//   {"ip_address":"<IPv4>","timestamp":<unix seconds>,"alert_level":"Low"|"Medium"|"High"|"Critical"}
// Deterministic: the same seed gives the same bytes on every machine. The raw
// 64-bit outputs of std::mt19937_64 (fixed by the standard) are mapped to
// fields here, not through <random>'s distributions, whose results differ
// between standard libraries. Timestamps are a fixed base plus seeded
// offsets, never the clock, for the same reason.
#include <cstdint>
#include <random>
#include <string>

namespace firehose::cli {

inline constexpr std::uint64_t kDefaultExampleSeed = 2550;         // any fixed value; documented in README
inline constexpr std::uint64_t kExampleDataSetSize = 2550;         // the AWS example's generator writes 2,550
inline constexpr std::int64_t kExampleBaseTimestamp = 1700000000;  // 2023-11-14T22:13:20Z
inline constexpr std::int64_t kExampleTimestampSpread = 86400;     // offsets within one day

class ExampleRecordGenerator {
 public:
  explicit ExampleRecordGenerator(std::uint64_t seed = kDefaultExampleSeed) : engine_(seed) {}

  // Replaces `line` with the next record, '\n' included (the buffer is reused:
  // no allocation per record once it has grown).
  void next(std::string& line);

 private:
  std::mt19937_64 engine_;
};

}  // namespace firehose::cli
