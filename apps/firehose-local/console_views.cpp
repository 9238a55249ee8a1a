#include "console_views.hpp"

#include <algorithm>
#include <string>

namespace firehose::local {
namespace {

constexpr std::string_view kNamespace = "AWS/Firehose";
constexpr std::string_view kStreamDimension = "DeliveryStreamName";

std::int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

nlohmann::json streams_view(StreamRegistry& registry) {
  nlohmann::json streams = nlohmann::json::array();
  for (const StreamSnapshot& snapshot : registry.list()) {
    const StreamDefinition& definition = *snapshot.definition;
    const StreamDestination destination = delivery_destination(definition);
    streams.push_back({
        {"name", definition.name},
        {"status", to_string(snapshot.status)},
        {"created_ms", epoch_ms(definition.created)},
        {"bucket", destination.bucket},
        {"prefix", destination.prefix},
        {"error_output_prefix", destination.error_output_prefix},
        {"buffer_bytes", destination.buffer_bytes},
        {"buffer_seconds", destination.buffer_interval.count()},
        {"compression", definition.destination.value("CompressionFormat", "UNCOMPRESSED")},
        {"encrypted", !definition.encryption.is_null()},
    });
  }
  return {{"streams", std::move(streams)}};
}

nlohmann::json metrics_view(const MetricsStore& store, std::chrono::system_clock::time_point now,
                            std::chrono::minutes window) {
  using std::chrono::minutes;
  const auto end = std::chrono::floor<minutes>(now) + minutes(1);  // the current minute included
  const auto start = end - window;
  nlohmann::json series = nlohmann::json::array();
  for (const MetricKey& key : store.list(kNamespace, "", {})) {
    const auto stream = std::find_if(key.dimensions.begin(), key.dimensions.end(),
                                     [](const auto& dimension) { return dimension.first == kStreamDimension; });
    if (stream == key.dimensions.end() || key.dimensions.size() != 1) continue;
    nlohmann::json points = nlohmann::json::array();
    std::string unit;
    for (const Datapoint& point : store.query(key, start, end, std::chrono::seconds(60), now)) {
      unit = point.unit;
      points.push_back({{"t_ms", epoch_ms(point.timestamp)},
                        {"sum", point.statistics.sum},
                        {"count", point.statistics.sample_count},
                        {"min", point.statistics.minimum},
                        {"max", point.statistics.maximum}});
    }
    if (points.empty()) continue;
    series.push_back({{"stream", stream->second}, {"metric", key.metric_name}, {"unit", unit}, {"points", points}});
  }
  return {{"period_seconds", 60}, {"start_ms", epoch_ms(start)}, {"end_ms", epoch_ms(end)}, {"series", series}};
}

}  // namespace firehose::local
