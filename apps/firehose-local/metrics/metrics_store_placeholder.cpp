// PLACEHOLDER until branch local-metrics lands. Delete on merge.
#include "metrics/metrics_store.hpp"

namespace firehose::local {

void StatisticSet::add(double value) {
  if (sample_count == 0 || value < minimum) minimum = value;
  if (sample_count == 0 || value > maximum) maximum = value;
  sample_count += 1;
  sum += value;
}

void StatisticSet::merge(const StatisticSet& other) {
  if (other.sample_count == 0) return;
  if (sample_count == 0 || other.minimum < minimum) minimum = other.minimum;
  if (sample_count == 0 || other.maximum > maximum) maximum = other.maximum;
  sample_count += other.sample_count;
  sum += other.sum;
}

MetricsStore::MetricsStore(std::chrono::seconds visibility_delay) : visibility_delay_(visibility_delay) {}

void MetricsStore::record(const MetricKey& key, double value, std::string_view unit,
                          std::chrono::system_clock::time_point when) {
  std::lock_guard lock(mutex_);
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(when.time_since_epoch()).count();
  auto& m = series_[key][minute];
  m.statistics.add(value);
  m.unit = std::string(unit);
  m.recorded_last = when;
}

void MetricsStore::record_set(const MetricKey& key, const StatisticSet& set, std::string_view unit,
                              std::chrono::system_clock::time_point when) {
  std::lock_guard lock(mutex_);
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(when.time_since_epoch()).count();
  auto& m = series_[key][minute];
  m.statistics.merge(set);
  m.unit = std::string(unit);
  m.recorded_last = when;
}

std::vector<Datapoint> MetricsStore::query(const MetricKey& key, std::chrono::system_clock::time_point start,
                                           std::chrono::system_clock::time_point end, std::chrono::seconds period,
                                           std::chrono::system_clock::time_point now) const {
  std::lock_guard lock(mutex_);
  std::vector<Datapoint> out;
  auto it = series_.find(key);
  if (it == series_.end()) return out;
  for (const auto& [minute, m] : it->second) {
    const std::chrono::system_clock::time_point t{std::chrono::minutes(minute)};
    if (t < start || t >= end || m.recorded_last + visibility_delay_ > now) continue;
    (void)period;
    out.push_back(Datapoint{t, m.statistics, m.unit});
  }
  return out;
}

std::vector<MetricKey> MetricsStore::list(std::string_view, std::string_view, const Dimensions&) const {
  std::lock_guard lock(mutex_);
  std::vector<MetricKey> out;
  for (const auto& [key, series] : series_) out.push_back(key);
  return out;
}

void MetricsStore::set_visibility_delay(std::chrono::seconds delay) {
  std::lock_guard lock(mutex_);
  visibility_delay_ = delay;
}

}  // namespace firehose::local
