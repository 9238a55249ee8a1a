#include "control_api.hpp"

#include <fmt/format.h>

#include "console_views.hpp"

namespace firehose::local {
namespace {

constexpr std::string_view kJson = "application/json";

ApiResponse answer(const nlohmann::json& body, int status = 200) {
  // Record previews are user data, not always UTF-8: invalid bytes are shown as U+FFFD.
  ApiResponse response = json_response(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), kJson);
  response.status = status;
  return response;
}

ApiResponse failure(int status, std::string message) { return answer(nlohmann::json{{"error", message}}, status); }

}  // namespace

ApiResponse ControlApi::handle(std::string_view method, std::string_view path, std::string_view body) {
  const bool get = method == "GET";
  const bool post = method == "POST";
  auto wrong_method = [&](std::string_view allowed) {
    ApiResponse response = failure(405, fmt::format("{} {} is not supported; use {}", method, path, allowed));
    response.headers.emplace_back("Allow", std::string(allowed));
    return response;
  };

  if (path == "/_local/health") {
    if (!get) return wrong_method("GET");
    return answer({{"status", "ok"}});
  }
  if (path == "/_local/settings") {
    if (get) return answer(settings_to_json(settings_.snapshot()));
    if (!post) return wrong_method("GET, POST");
    const auto changes = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (changes.is_discarded()) return failure(400, "the body is not valid JSON");
    if (auto updated = settings_.update(changes); !updated) return failure(400, updated.error().message);
    return answer(settings_to_json(settings_.snapshot()));
  }
  if (path == "/_local/counters") {
    if (!get) return wrong_method("GET");
    return answer(counters_.to_json());
  }
  if (path == "/_local/counters/reset") {
    if (!post) return wrong_method("POST");
    counters_.reset();
    return answer(counters_.to_json());
  }
  if (path == "/_local/flush") {
    if (!post) return wrong_method("POST");
    // Records that could not be delivered stay spooled (delivery is retried):
    // the answer says so rather than "flushed".
    const std::vector<std::string> failures = delivery_.flush_all();
    if (!failures.empty()) return answer({{"flushed", false}, {"errors", failures}}, 500);
    return answer({{"flushed", true}});
  }
  if (path == "/_local/streams" && console_.streams != nullptr) {
    if (!get) return wrong_method("GET");
    return answer(streams_view(*console_.streams));
  }
  if (path == "/_local/objects" && console_.objects != nullptr) {
    if (!get) return wrong_method("GET");
    return answer(console_.objects->to_json());
  }
  if (path == "/_local/metrics" && console_.metrics != nullptr) {
    if (!get) return wrong_method("GET");
    return answer(metrics_view(*console_.metrics, std::chrono::system_clock::now()));
  }
  return failure(404, fmt::format("no control endpoint {}", path));
}

}  // namespace firehose::local
