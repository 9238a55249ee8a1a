#include "metrics/metrics_store.hpp"

#include <algorithm>

namespace firehose::local {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kSecondsPerMinute = 60;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::int64_t epoch_seconds_floor(MetricsStore::TimePoint time) {
  return std::chrono::floor<seconds>(time.time_since_epoch()).count();
}

std::int64_t epoch_seconds_ceil(MetricsStore::TimePoint time) {
  return std::chrono::ceil<seconds>(time.time_since_epoch()).count();
}

std::int64_t minute_of(MetricsStore::TimePoint time) { return floor_div(epoch_seconds_floor(time), kSecondsPerMinute); }

MetricsStore::TimePoint from_epoch_seconds(std::int64_t s) { return MetricsStore::TimePoint(seconds(s)); }

std::string_view stored_unit(std::string_view unit) { return unit.empty() ? std::string_view("None") : unit; }

// CloudWatch names a metric by its set of dimensions: callers may list them in any order.
const MetricKey& normalized(const MetricKey& key, MetricKey& storage) {
  auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (std::is_sorted(key.dimensions.begin(), key.dimensions.end(), by_name)) return key;
  storage = key;
  std::sort(storage.dimensions.begin(), storage.dimensions.end(), by_name);
  return storage;
}

bool matches(const MetricKey& key, std::string_view name_space, std::string_view metric_name,
             const Dimensions& dimension_filter) {
  if (!name_space.empty() && key.name_space != name_space) return false;
  if (!metric_name.empty() && key.metric_name != metric_name) return false;
  return std::all_of(dimension_filter.begin(), dimension_filter.end(), [&](const auto& filter) {
    return std::any_of(key.dimensions.begin(), key.dimensions.end(), [&](const auto& dimension) {
      return dimension.first == filter.first && (filter.second.empty() || dimension.second == filter.second);
    });
  });
}

}  // namespace

void StatisticSet::add(double value) {
  if (sample_count == 0) {
    minimum = maximum = value;
  } else {
    minimum = std::min(minimum, value);
    maximum = std::max(maximum, value);
  }
  sample_count += 1;
  sum += value;
}

void StatisticSet::merge(const StatisticSet& other) {
  if (other.sample_count <= 0) return;
  if (sample_count <= 0) {
    *this = other;
    return;
  }
  sample_count += other.sample_count;
  sum += other.sum;
  minimum = std::min(minimum, other.minimum);
  maximum = std::max(maximum, other.maximum);
}

MetricsStore::MetricsStore(std::chrono::seconds visibility_delay) : visibility_delay_(visibility_delay) {}

void MetricsStore::record(const MetricKey& key, double value, std::string_view unit, TimePoint when) {
  StatisticSet one;
  one.add(value);
  add(key, one, unit, when, when);
}

void MetricsStore::record_set(const MetricKey& key, const StatisticSet& set, std::string_view unit, TimePoint when) {
  add(key, set, unit, when, when);
}

void MetricsStore::record_set(const MetricKey& key, const StatisticSet& set, std::string_view unit, TimePoint when,
                              TimePoint recorded_at) {
  add(key, set, unit, when, recorded_at);
}

void MetricsStore::add(const MetricKey& key, const StatisticSet& set, std::string_view unit, TimePoint when,
                       TimePoint recorded_at) {
  if (set.sample_count <= 0) return;
  MetricKey sorted;
  const MetricKey& id = normalized(key, sorted);
  const std::int64_t minute = minute_of(when);
  const std::string_view unit_name = stored_unit(unit);

  std::lock_guard<std::mutex> lock(mutex_);
  auto series = series_.find(id);
  if (series == series_.end()) series = series_.emplace(id, Minutes{}).first;
  Units& units = series->second[minute];
  auto cell = units.find(unit_name);
  if (cell == units.end()) cell = units.emplace(std::string(unit_name), Cell{}).first;

  if (visibility_delay_.count() <= 0 && cell->second.pending.empty()) {
    cell->second.visible.merge(set);
    return;
  }
  cell->second.pending[epoch_seconds_ceil(recorded_at)].merge(set);
  // Fold what this sample's arrival proves visible, so pending stays small.
  const std::int64_t visible_up_to = epoch_seconds_floor(recorded_at) - visibility_delay_.count();
  auto& pending = cell->second.pending;
  for (auto it = pending.begin(); it != pending.end() && it->first <= visible_up_to;) {
    cell->second.visible.merge(it->second);
    it = pending.erase(it);
  }
}

StatisticSet MetricsStore::visible_at(const Cell& cell, TimePoint now) const {
  StatisticSet total = cell.visible;
  for (const auto& [recorded_second, set] : cell.pending) {
    if (from_epoch_seconds(recorded_second) + visibility_delay_ > now) break;  // ordered by time
    total.merge(set);
  }
  return total;
}

std::vector<Datapoint> MetricsStore::query(const MetricKey& key, TimePoint start, TimePoint end,
                                           std::chrono::seconds period, TimePoint now) const {
  return query(key, start, end, period, now, {});
}

std::vector<Datapoint> MetricsStore::query(const MetricKey& key, TimePoint start, TimePoint end,
                                           std::chrono::seconds period, TimePoint now, std::string_view unit) const {
  std::vector<Datapoint> points;
  if (period.count() <= 0 || end <= start) return points;
  MetricKey sorted;
  const MetricKey& id = normalized(key, sorted);
  const std::int64_t first_minute = minute_of(start);
  const std::int64_t aligned_start = first_minute * kSecondsPerMinute;
  const std::int64_t end_seconds = epoch_seconds_ceil(end);

  // (bucket, unit) -> statistics, in timestamp-then-unit order.
  std::map<std::pair<std::int64_t, std::string>, StatisticSet> buckets;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto series = series_.find(id);
    if (series == series_.end()) return points;
    const Minutes& minutes = series->second;
    for (auto it = minutes.lower_bound(first_minute);
         it != minutes.end() && it->first * kSecondsPerMinute < end_seconds; ++it) {
      const std::int64_t bucket = floor_div(it->first * kSecondsPerMinute - aligned_start, period.count());
      for (const auto& [unit_name, cell] : it->second) {
        if (!unit.empty() && unit_name != unit) continue;
        const StatisticSet visible = visible_at(cell, now);
        if (visible.sample_count <= 0) continue;
        buckets[{bucket, unit_name}].merge(visible);
      }
    }
  }
  points.reserve(buckets.size());
  for (auto& [bucket_unit, statistics] : buckets) {
    Datapoint point;
    point.timestamp = from_epoch_seconds(aligned_start + bucket_unit.first * period.count());
    point.statistics = statistics;
    point.unit = bucket_unit.second;
    points.push_back(std::move(point));
  }
  return points;
}

std::vector<MetricKey> MetricsStore::list(std::string_view name_space, std::string_view metric_name,
                                          const Dimensions& dimension_filter) const {
  return list_matching(name_space, metric_name, dimension_filter, std::nullopt);
}

std::vector<MetricKey> MetricsStore::list(std::string_view name_space, std::string_view metric_name,
                                          const Dimensions& dimension_filter, TimePoint active_since) const {
  return list_matching(name_space, metric_name, dimension_filter, active_since);
}

std::vector<MetricKey> MetricsStore::list_matching(std::string_view name_space, std::string_view metric_name,
                                                   const Dimensions& dimension_filter,
                                                   std::optional<TimePoint> active_since) const {
  std::vector<MetricKey> keys;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, minutes] : series_) {
    if (minutes.empty() || !matches(key, name_space, metric_name, dimension_filter)) continue;
    if (active_since) {
      const std::int64_t last_minute_end = (minutes.rbegin()->first + 1) * kSecondsPerMinute;
      if (from_epoch_seconds(last_minute_end) <= *active_since) continue;
    }
    keys.push_back(key);
  }
  return keys;
}

void MetricsStore::set_visibility_delay(std::chrono::seconds delay) {
  std::lock_guard<std::mutex> lock(mutex_);
  visibility_delay_ = delay;
}

std::chrono::seconds MetricsStore::visibility_delay() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return visibility_delay_;
}

}  // namespace firehose::local
