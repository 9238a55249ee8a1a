#pragma once
// The Firehose API (AWS JSON 1.1, target prefix Firehose_20150804): the six
// operations of the client, with the service's validation, errors, quotas
// and the injected faults. The HTTP layer has already checked the signature;
// it calls handle() with the operation named by X-Amz-Target and the body.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "api_response.hpp"
#include "counters.hpp"
#include "delivery/delivery.hpp"
#include "faults.hpp"
#include "firehose_metrics.hpp"
#include "live_settings.hpp"
#include "quota.hpp"
#include "stream_registry.hpp"

namespace firehose::local {

inline constexpr std::string_view kFirehoseContentType = "application/x-amz-json-1.1";

class FirehoseApi {
 public:
  struct Parts {
    std::string region;
    std::string account_id;
    LiveSettings& settings;
    StreamRegistry& registry;
    Delivery& delivery;
    StreamQuotas& quotas;
    FaultInjector& faults;
    Counters& counters;
    FirehoseMetrics& metrics;
    std::function<std::chrono::system_clock::time_point()> clock;  // default: system_clock::now
  };

  struct Outcome {
    ApiResponse response;
    // Drop the connection without answering (an injected reset). With
    // reset-after the records are stored; with reset-before nothing is.
    bool reset_connection = false;
  };

  explicit FirehoseApi(Parts parts);

  Outcome handle(std::string_view operation, std::string_view body);

 private:
  Outcome put(std::string_view body, bool batch);
  ApiResponse create_delivery_stream(std::string_view body);
  ApiResponse delete_delivery_stream(std::string_view body);
  ApiResponse describe_delivery_stream(std::string_view body);
  ApiResponse list_delivery_streams(std::string_view body);

  Parts parts_;
};

}  // namespace firehose::local
