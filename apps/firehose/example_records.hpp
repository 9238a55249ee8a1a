#pragma once
// Records shaped like the AWS code example's data set ("Kinesis Data Firehose:
// put records"): one compact JSON object a line,
//   {"ip_address":"<IPv4>","timestamp":<unix seconds>,"alert_level":"Low"|"Medium"|"High"|"Critical"}
// The same algorithm as resources/generate-data.js, so that `firehose generate
// --seed S` and `node generate-data.js --seed S` write the same bytes (an
// integration test holds them together): sfc32 seeded through splitmix32 from
// the seed's low and high 32 bits, fields drawn by rejection (no modulo bias):
//   - ip_address: the first octet 1..223 (unicast), the others 0..255;
//   - alert_level: Low 40 %, Medium 30 %, High 20 %, Critical 10 %;
//   - timestamp: from kExampleBaseTimestamp, 0 to 2 s later each record (about
//     an hour per 2,550 records), never the clock.
#include <cstdint>
#include <string>

namespace firehose::cli {

inline constexpr std::uint64_t kDefaultExampleSeed = 2550;         // any fixed value; documented in README
inline constexpr std::uint64_t kExampleDataSetSize = 2550;         // the AWS example's generator writes 2,550
inline constexpr std::int64_t kExampleBaseTimestamp = 1735689600;  // 2025-01-01T00:00:00Z

class ExampleRecordGenerator {
 public:
  explicit ExampleRecordGenerator(std::uint64_t seed = kDefaultExampleSeed);

  // Replaces `line` with the next record, '\n' included (the buffer is reused:
  // no allocation per record once it has grown).
  void next(std::string& line);

 private:
  std::uint32_t next_raw();             // sfc32's next output
  std::uint32_t below(std::uint32_t n);  // in [0, n), by rejection

  std::uint32_t a_ = 0, b_ = 0, c_ = 0, counter_ = 1;
  std::int64_t timestamp_ = kExampleBaseTimestamp;
};

}  // namespace firehose::cli
