#pragma once
// The settings while the server runs: read on every request, changed by the
// control API. Readers get a copy of the runtime part (a few dozen bytes)
// under a short lock, so a change applies to whole requests, never halfway.
#include <functional>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "settings.hpp"

namespace firehose::local {

class LiveSettings {
 public:
  explicit LiveSettings(Settings settings) : settings_(std::move(settings)) {}

  RuntimeSettings runtime() const;
  Settings snapshot() const;

  // Applies a JSON object of runtime options (names as on the command line);
  // all or nothing. Listeners run after a successful change, outside the lock.
  Status update(const nlohmann::json& changes);
  void on_change(std::function<void(const Settings&)> listener);

 private:
  mutable std::mutex mutex_;
  Settings settings_;
  std::vector<std::function<void(const Settings&)>> listeners_;
};

}  // namespace firehose::local
