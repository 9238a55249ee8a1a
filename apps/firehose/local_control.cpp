#include "local_control.hpp"

#include <curl/curl.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace firehose::cli {
namespace {

struct Answer {
  long status = 0;
  std::string body;
};

std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * count > 1024 * 1024) return 0;  // a control answer is small
  body->append(data, size * count);
  return size * count;
}

std::optional<Answer> call(const std::string& url, bool post) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return std::nullopt;
  Answer answer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  // A flush writes every buffered record: give it time.
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, post ? 300000L : 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (post) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
  const CURLcode result = curl_easy_perform(curl);
  if (result == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_easy_cleanup(curl);
  if (result != CURLE_OK) return std::nullopt;
  return answer;
}

}  // namespace

std::optional<std::string> local_data_dir(const std::string& endpoint_url) {
  if (endpoint_url.rfind("http://", 0) != 0) return std::nullopt;  // firehose-local speaks plain HTTP
  auto answer = call(endpoint_url + "/_local/settings", false);
  if (!answer || answer->status != 200) return std::nullopt;
  auto settings = nlohmann::json::parse(answer->body, nullptr, false);
  if (!settings.is_object() || !settings.contains("data-dir") || !settings["data-dir"].is_string()) return std::nullopt;
  return settings["data-dir"].get<std::string>();
}

Status flush_local(const std::string& endpoint_url) {
  auto answer = call(endpoint_url + "/_local/flush", true);
  if (!answer) return make_error(ErrorKind::Transient, "FlushFailed", "POST /_local/flush got no answer");
  if (answer->status != 200) {
    return make_error(ErrorKind::Transient, "FlushFailed",
                      fmt::format("POST /_local/flush answered {}: {}", answer->status, answer->body));
  }
  return {};
}

}  // namespace firehose::cli
