#pragma once
// The work both candidate servers do per request, identical so that only the
// HTTP library differs: parse a PutRecordBatch body, decode every record
// strictly, and answer with one RecordId per record.
#include <atomic>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"

namespace bench {

inline std::atomic<std::uint64_t> g_records{0};
inline std::atomic<std::uint64_t> g_bytes{0};

inline std::pair<int, std::string> handle_put_record_batch(const std::string& body) {
  auto request = nlohmann::json::parse(body, nullptr, false);
  if (!request.is_object() || !request.contains("Records")) {
    return {400, R"({"__type":"SerializationException","message":"bad body"})"};
  }
  std::string answer = R"({"FailedPutCount":0,"Encrypted":false,"RequestResponses":[)";
  std::size_t i = 0;
  for (const auto& record : request["Records"]) {
    auto data = firehose::aws::crypto::base64_decode(record["Data"].get_ref<const std::string&>());
    if (!data) return {400, R"({"__type":"SerializationException","message":"bad base64"})"};
    g_bytes.fetch_add(data->size(), std::memory_order_relaxed);
    if (i++) answer.push_back(',');
    answer += fmt::format(R"({{"RecordId":"{:016x}{:016x}"}})", i, g_records.fetch_add(1));
  }
  answer += "]}";
  return {200, std::move(answer)};
}

}  // namespace bench
