// Expected text is written from the table's description in metrics_table.hpp.
#include "metrics_table.hpp"

#include <gtest/gtest.h>

#include "metrics_fixtures.hpp"

namespace firehose::cli::metrics {
namespace {

std::string sp(std::size_t n) { return std::string(n, ' '); }

// Three minutes: two with traffic, the third without a datapoint.
StreamMetrics small() {
  StreamMetrics m = testing::no_data(3);
  m.incoming_bytes = {1'048'576.0, 524'288.0, std::nullopt};
  m.incoming_records = {10.0, 5.0, std::nullopt};
  m.incoming_put_requests = {2.0, 1.0, std::nullopt};
  m.throttled_records = {std::nullopt, 4.0, std::nullopt};
  m.latency_average = {100.0, 50.0, std::nullopt};
  m.latency_samples = {2.0, 1.0, std::nullopt};
  m.latency_maximum = {150.0, 60.0, std::nullopt};
  m.bytes_limit = {5'242'880.0, 5'242'880.0, std::nullopt};
  m.records_limit = {1000.0, std::nullopt, std::nullopt};
  return m;
}

TEST(MetricsTable, RowsTotalsPeaksAndPeriods) {
  // Widest name "PutRequestsPerSecondLimit use (%)" (33); totals and peaks 7 wide
  // ("1572864", "5242880"). Latency average (100*2 + 50) / 3 = 83.33; byte use
  // 1048576 / 60 / 5242880 = 0.333 % then 0.167 %; record use 10 / 60 / 1000 =
  // 0.0167 % then 0.0083 % (against the latest limit, 1000).
  const std::string expected =
      "delivery stream events: 2024-05-01T12:00:00Z to 2024-05-01T12:03:00Z, 3 periods of 60 s\n"
      "metric" +
      sp(27) + sp(4) + "total" + sp(5) + "peak  per period\n" + "IncomingBytes" + sp(20) + sp(2) +
      "1572864  1048576  1048576 524288 -\n" + "IncomingBytes (MiB)" + sp(14) + sp(6) + "1.5" + sp(8) + "1  1 0.5 -\n" +
      "IncomingRecords" + sp(18) + sp(7) + "15" + sp(7) + "10  10 5 -\n" + "IncomingPutRequests" + sp(14) + sp(8) +
      "3" + sp(8) + "2  2 1 -\n" + "ThrottledRecords" + sp(17) + sp(8) + "4" + sp(8) + "4  - 4 -\n" +
      "PutRecordBatch.Latency avg (ms)" + sp(2) + sp(4) + "83.33" + sp(6) + "100  100 50 -\n" +
      "PutRecordBatch.Latency max (ms)" + sp(2) + sp(8) + "-" + sp(6) + "150  150 60 -\n" + "BytesPerSecondLimit" +
      sp(14) + sp(2) + "5242880  5242880  5242880 5242880 -\n" + "BytesPerSecondLimit use (%)" + sp(6) + sp(8) + "-" +
      sp(5) + "0.33  0.33 0.17 -\n" + "RecordsPerSecondLimit" + sp(12) + sp(5) + "1000" + sp(5) + "1000  1000 - -\n" +
      "RecordsPerSecondLimit use (%)" + sp(4) + sp(8) + "-" + sp(5) + "0.02  0.02 0.01 -\n" +
      "PutRequestsPerSecondLimit" + sp(8) + sp(8) + "-" + sp(8) + "-  - - -\n" + "PutRequestsPerSecondLimit use (%)" +
      sp(8) + "-" + sp(8) + "-  - - -\n";
  EXPECT_EQ(render_table(small()), expected);
}

TEST(MetricsTable, NoDataSumsToZeroWithoutPeaks) {
  // Totals 5 wide ("total"), peaks 4 ("peak").
  const std::string text = render_table(testing::no_data(2));
  EXPECT_NE(text.find("\nIncomingRecords" + sp(18) + sp(6) + "0" + sp(5) + "-  - -\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nPutRecordBatch.Latency avg (ms)" + sp(2) + sp(6) + "-" + sp(5) + "-  - -\n"),
            std::string::npos)
      << text;
}

TEST(MetricsTable, LinesHaveNoTrailingSpaces) {
  const std::string text = render_table(small());
  EXPECT_EQ(text.find(" \n"), std::string::npos) << text;
}

}  // namespace
}  // namespace firehose::cli::metrics
