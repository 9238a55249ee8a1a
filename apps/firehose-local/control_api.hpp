#pragma once
// The control API under /_local/ (unsigned, JSON), for tests and operators:
//   GET  /_local/health           readiness probe: {"status": "ok"}
//   GET  /_local/settings         every option, by its command-line name
//   POST /_local/settings         change runtime options: {"fail-records": 0.5}
//   GET  /_local/counters         faults, throttles and records, counted by kind
//   POST /_local/counters/reset   set every counter to 0
//   POST /_local/flush            deliver every buffered record now
// Errors are {"error": "<one line>"} with status 400, 404 or 405.
#include <string_view>

#include "api_response.hpp"
#include "counters.hpp"
#include "delivery/delivery.hpp"
#include "live_settings.hpp"

namespace firehose::local {

inline constexpr std::string_view kControlPrefix = "/_local/";

class ControlApi {
 public:
  ControlApi(LiveSettings& settings, Counters& counters, Delivery& delivery)
      : settings_(settings), counters_(counters), delivery_(delivery) {}

  ApiResponse handle(std::string_view method, std::string_view path, std::string_view body);

 private:
  LiveSettings& settings_;
  Counters& counters_;
  Delivery& delivery_;
};

}  // namespace firehose::local
