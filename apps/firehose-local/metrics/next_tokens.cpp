#include "metrics/next_tokens.hpp"

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"

namespace firehose::local {
namespace {

using nlohmann::json;

// Version tags: a token from another format (or another program) is refused.
constexpr std::string_view kMetricDataTag = "gmd1";
constexpr std::string_view kListMetricsTag = "lm1";

std::optional<json> decode_json(std::string_view token) {
  auto raw = aws::crypto::base64_decode(token);
  if (!raw) return std::nullopt;
  auto parsed = json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array() || parsed.empty() || !parsed[0].is_string()) return std::nullopt;
  return parsed;
}

}  // namespace

std::string encode_metric_data_token(const MetricDataPosition& position) {
  const json fields = {kMetricDataTag, position.request_fingerprint, position.timestamp_ms, position.query_index};
  return aws::crypto::base64_encode(fields.dump());
}

std::optional<MetricDataPosition> decode_metric_data_token(std::string_view token) {
  auto fields = decode_json(token);
  if (!fields || fields->size() != 4 || (*fields)[0] != kMetricDataTag || !(*fields)[1].is_string() ||
      !(*fields)[2].is_number_integer() || !(*fields)[3].is_number_unsigned()) {
    return std::nullopt;
  }
  MetricDataPosition position;
  position.request_fingerprint = (*fields)[1].get<std::string>();
  position.timestamp_ms = (*fields)[2].get<std::int64_t>();
  position.query_index = (*fields)[3].get<std::size_t>();
  return position;
}

std::string encode_list_metrics_token(const MetricKey& last) {
  json dimensions = json::array();
  for (const auto& [name, value] : last.dimensions) dimensions.push_back({name, value});
  const json fields = {kListMetricsTag, last.name_space, last.metric_name, std::move(dimensions)};
  return aws::crypto::base64_encode(fields.dump());
}

std::optional<MetricKey> decode_list_metrics_token(std::string_view token) {
  auto fields = decode_json(token);
  if (!fields || fields->size() != 4 || (*fields)[0] != kListMetricsTag || !(*fields)[1].is_string() ||
      !(*fields)[2].is_string() || !(*fields)[3].is_array()) {
    return std::nullopt;
  }
  MetricKey key;
  key.name_space = (*fields)[1].get<std::string>();
  key.metric_name = (*fields)[2].get<std::string>();
  for (const auto& pair : (*fields)[3]) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) return std::nullopt;
    key.dimensions.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  return key;
}

}  // namespace firehose::local
