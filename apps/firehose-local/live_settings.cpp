#include "live_settings.hpp"

namespace firehose::local {

RuntimeSettings LiveSettings::runtime() const {
  std::lock_guard lock(mutex_);
  return settings_.runtime;
}

Settings LiveSettings::snapshot() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

Status LiveSettings::update(const nlohmann::json& changes) {
  Settings updated;
  std::vector<std::function<void(const Settings&)>> listeners;
  {
    std::lock_guard lock(mutex_);
    updated = settings_;
    if (auto applied = apply_settings_json(updated, changes, /*runtime_only=*/true); !applied) return applied;
    settings_ = updated;
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(updated);
  return {};
}

void LiveSettings::on_change(std::function<void(const Settings&)> listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

}  // namespace firehose::local
