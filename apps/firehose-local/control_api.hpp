#pragma once
// The control API under /_local/ (unsigned, JSON), for tests and operators:
//   GET  /_local/health           readiness probe: {"status": "ok"}
//   GET  /_local/settings         every option, by its command-line name
//   POST /_local/settings         change runtime options: {"fail-records": 0.5}
//   GET  /_local/counters         faults, throttles and records, counted by kind
//   POST /_local/counters/reset   set every counter to 0
//   POST /_local/flush            deliver every buffered record now
//   GET  /_local/streams          the streams, their state and delivery settings  (for the web console,
//   GET  /_local/objects          the objects delivered last, with previews        console_views.hpp and
//   GET  /_local/metrics          the AWS/Firehose metrics of the last 30 minutes  console_objects.hpp)
// Errors are {"error": "<one line>"} with status 400, 404 or 405.
#include <string_view>

#include "api_response.hpp"
#include "console_objects.hpp"
#include "counters.hpp"
#include "delivery/delivery.hpp"
#include "live_settings.hpp"
#include "metrics/metrics_store.hpp"
#include "stream_registry.hpp"

namespace firehose::local {

inline constexpr std::string_view kControlPrefix = "/_local/";

// What the console's read-only endpoints show; an endpoint whose source is
// null answers 404.
struct ConsoleSources {
  StreamRegistry* streams = nullptr;
  const RecentObjects* objects = nullptr;
  const MetricsStore* metrics = nullptr;
};

class ControlApi {
 public:
  ControlApi(LiveSettings& settings, Counters& counters, Delivery& delivery, ConsoleSources console = {})
      : settings_(settings), counters_(counters), delivery_(delivery), console_(console) {}

  ApiResponse handle(std::string_view method, std::string_view path, std::string_view body);

 private:
  LiveSettings& settings_;
  Counters& counters_;
  Delivery& delivery_;
  ConsoleSources console_;
};

}  // namespace firehose::local
