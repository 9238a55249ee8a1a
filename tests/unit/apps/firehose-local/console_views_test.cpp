// The console's views (streams, metrics), its embedded files and the control
// API's routes to them.
#include "console_views.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "console_page.hpp"
#include "control_api.hpp"
#include "local_test_support.hpp"

namespace firehose::local {
namespace {

using std::chrono::system_clock;

const system_clock::time_point kNow(std::chrono::seconds(1'704'067'230));  // 2024-01-01T00:00:30Z

StreamDefinition definition(const std::string& name, const std::string& prefix) {
  nlohmann::json request = {{"DeliveryStreamName", name},
                            {"ExtendedS3DestinationConfiguration",
                             {{"RoleARN", testing::kRoleArn},
                              {"BucketARN", testing::kBucketArn},
                              {"Prefix", prefix},
                              {"CompressionFormat", "GZIP"},
                              {"BufferingHints", {{"SizeInMBs", 1}, {"IntervalInSeconds", 60}}}}}};
  auto parsed = parse_create_request(request, "us-east-1", "123456789012", kNow);
  EXPECT_TRUE(parsed.ok());
  return parsed.value();
}

TEST(ConsoleViews, StreamsWithTheirDeliverySettings) {
  StreamRegistry registry({}, "123456789012", [] { return kNow; });
  ASSERT_TRUE(registry.create(definition("b", "logs/<b>/"), std::chrono::milliseconds(0)).ok());
  ASSERT_TRUE(registry.create(definition("a", ""), std::chrono::milliseconds(1000)).ok());
  const nlohmann::json view = streams_view(registry);
  ASSERT_EQ(view.at("streams").size(), 2u);
  const nlohmann::json& a = view["streams"][0];
  const nlohmann::json& b = view["streams"][1];
  EXPECT_EQ(a["name"], "a");
  EXPECT_EQ(a["status"], "CREATING");
  EXPECT_EQ(b["status"], "ACTIVE");
  EXPECT_EQ(b["bucket"], "bucket");
  EXPECT_EQ(b["prefix"], "logs/<b>/");
  EXPECT_EQ(b["compression"], "GZIP");
  EXPECT_EQ(b["buffer_bytes"], 1024 * 1024);
  EXPECT_EQ(b["buffer_seconds"], 60);
  EXPECT_EQ(b["encrypted"], false);
}

TEST(ConsoleViews, MetricsPerStreamPerMinuteWithinTheWindow) {
  MetricsStore store;
  const MetricKey incoming{"AWS/Firehose", "IncomingRecords", {{"DeliveryStreamName", "s"}}};
  store.record(incoming, 10, "Count", kNow - std::chrono::minutes(2));
  store.record(incoming, 5, "Count", kNow);
  store.record(incoming, 7, "Count", kNow);
  store.record(incoming, 99, "Count", kNow - std::chrono::minutes(45));                       // outside the 30 minutes
  store.record(MetricKey{"MyApp", "Sent", {{"DeliveryStreamName", "s"}}}, 1, "Count", kNow);  // not AWS/Firehose
  const nlohmann::json view = metrics_view(store, kNow);
  EXPECT_EQ(view["period_seconds"], 60);
  EXPECT_EQ(view["end_ms"], 1'704'067'260'000);  // the current minute included
  EXPECT_EQ(view["start_ms"], 1'704'067'260'000 - 30 * 60'000);
  ASSERT_EQ(view["series"].size(), 1u);
  const nlohmann::json& series = view["series"][0];
  EXPECT_EQ(series["stream"], "s");
  EXPECT_EQ(series["metric"], "IncomingRecords");
  EXPECT_EQ(series["unit"], "Count");
  ASSERT_EQ(series["points"].size(), 2u);
  EXPECT_EQ(series["points"][0]["sum"], 10);
  EXPECT_EQ(series["points"][1]["sum"], 12);
  EXPECT_EQ(series["points"][1]["count"], 2);
  EXPECT_EQ(series["points"][1]["t_ms"], 1'704'067'200'000);
}

TEST(ConsoleViews, MetricsHonourTheVisibilityDelay) {
  MetricsStore store(std::chrono::seconds(60));
  store.record(MetricKey{"AWS/Firehose", "IncomingRecords", {{"DeliveryStreamName", "s"}}}, 1, "Count", kNow);
  EXPECT_TRUE(metrics_view(store, kNow)["series"].empty()) << "as GetMetricStatistics would not show it yet";
}

TEST(ConsolePage, EmbeddedFilesServedWithTheirPolicy) {
  for (std::string_view path : {"/", "/_local/ui", "/_local/ui/"}) {
    auto page = console_file(path);
    ASSERT_TRUE(page) << path;
    EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
    EXPECT_NE(page->body.find("<script src=\"/_local/ui/console.js\""), std::string::npos);
  }
  auto script = console_file("/_local/ui/console.js");
  ASSERT_TRUE(script);
  EXPECT_NE(script->body.find("refresh();"), std::string::npos) << "the whole file, embedded";
  auto style = console_file("/_local/ui/console.css");
  ASSERT_TRUE(style);
  bool has_policy = false;
  for (const auto& [name, value] : style->headers) has_policy |= name == "Content-Security-Policy";
  EXPECT_TRUE(has_policy);
  EXPECT_FALSE(console_file("/_local/ui/../settings"));
  EXPECT_FALSE(console_file("/index.html"));
}

TEST(ConsoleRoutes, ReadOnlyEndpointsOfTheControlApi) {
  testing::TempDir dir;
  Settings settings;
  LiveSettings live(settings);
  Counters counters;
  auto delivery = make_discard_delivery();
  StreamRegistry registry({}, "123456789012", [] { return kNow; });
  RecentObjects recent(dir.path());
  MetricsStore store;
  ControlApi control(live, counters, *delivery, ConsoleSources{&registry, &recent, &store});
  for (std::string_view path : {"/_local/streams", "/_local/objects", "/_local/metrics"}) {
    EXPECT_EQ(control.handle("GET", path, "").status, 200) << path;
    EXPECT_EQ(control.handle("POST", path, "{}").status, 405) << path;
  }
  ControlApi without(live, counters, *delivery);
  EXPECT_EQ(without.handle("GET", "/_local/streams", "").status, 404);

  // Record data that is not UTF-8 is answered, its bytes replaced.
  const auto path = dir.path() / "bucket" / "o";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << "caf\xe9\n";
  recent.add(DeliveredObject{"s", path, 1, 5, kNow}, kNow);
  const ApiResponse objects = control.handle("GET", "/_local/objects", "");
  ASSERT_EQ(objects.status, 200);
  EXPECT_EQ(nlohmann::json::parse(objects.body)["objects"][0]["preview"]["lines"][0], "caf\xef\xbf\xbd");
}

}  // namespace
}  // namespace firehose::local
