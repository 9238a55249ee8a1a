// The JSON readers of both put paths, issue 14 (docs/benchmarks.md, "JSON
// readers"): simdjson (DOM and On-Demand, what the project uses since it
// replaced its hand-written reader) against nlohmann's DOM (the cold paths'),
// and the project's two functions end to end: firehose-local reading a PutRecordBatch request
// (500 records of 1 KiB, about 690 KB of base64) and the producer reading the
// answer (500 RequestResponses with 224-character RecordIds, some failed).
// Each side does the same work: find every record's Data (or every entry's
// RecordId / ErrorCode / ErrorMessage) as a string view. Prints MB/s.
//   bench_json_readers [seconds per case]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <simdjson.h>

#include <nlohmann/json.hpp>
#include "protocol/firehose.hpp"
#include "put_request.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace firehose;

std::string make_request() {
  protocol::PutRecordBatchBody body("bench-stream");
  std::string record(1024, 'x');
  for (int i = 0; i < 500; ++i) {
    record[i % 1024] = static_cast<char>('a' + i % 26);
    body.add(record);
  }
  return body.finish();
}

std::string make_answer() {
  std::string text = R"({"Encrypted":false,"FailedPutCount":25,"RequestResponses":[)";
  for (int i = 0; i < 500; ++i) {
    if (i) text += ',';
    if (i % 20 == 7) {
      text += R"({"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."})";
    } else {
      text += R"({"RecordId":")" + std::string(220, 'A') + std::to_string(1000 + i) + R"("})";
    }
  }
  return text + "]}";
}

// Runs `work` for about `seconds`; returns MB/s over `bytes` per call.
double measure(double seconds, std::size_t bytes, const std::function<std::size_t()>& work) {
  std::size_t sink = 0, calls = 0;
  for (int i = 0; i < 20; ++i) sink += work();  // warm up
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < until) {
    for (int i = 0; i < 10; ++i) sink += work();
    calls += 10;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (sink == 42) std::puts("");  // keeps the work observable
  return static_cast<double>(bytes) * static_cast<double>(calls) / elapsed / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const std::string request = make_request();
  const std::string answer = make_answer();
  const simdjson::padded_string padded_request(request);
  const simdjson::padded_string padded_answer(answer);
  simdjson::ondemand::parser parser;

  // ---- firehose-local: the request ----
  const double nlohmann_request = measure(seconds, request.size(), [&] {
    auto document = nlohmann::json::parse(request);
    std::size_t total = 0;
    for (const auto& item : document["Records"]) total += item["Data"].get_ref<const std::string&>().size();
    return total;
  });
  const double simd_request = measure(seconds, request.size(), [&] {
    auto document = parser.iterate(padded_request);
    std::size_t total = 0;
    for (auto item : document["Records"].get_array()) total += std::string_view(item["Data"].get_string()).size();
    return total;
  });
  const double simd_request_copy = measure(seconds, request.size(), [&] {
    simdjson::padded_string copy(request);  // a body that arrived without padding
    auto document = parser.iterate(copy);
    std::size_t total = 0;
    for (auto item : document["Records"].get_array()) total += std::string_view(item["Data"].get_string()).size();
    return total;
  });
  simdjson::dom::parser dom_parser;
  const double simd_dom_request = measure(seconds, request.size(), [&] {
    // The DOM validates the whole document (On-Demand only what it reads).
    simdjson::dom::element root = dom_parser.parse(request);  // copies to padding when needed
    std::size_t total = 0;
    for (auto item : root["Records"].get_array()) total += std::string_view(item["Data"].get_string()).size();
    return total;
  });
  const double whole_request = measure(seconds, request.size(), [&] {
    return local::parse_put_record_batch(request)->total_bytes;  // JSON + base64 decode + validation
  });

  // ---- the producer: the answer ----
  const double project_answer = measure(seconds, answer.size(), [&] {
    auto read = protocol::read_put_record_batch_answer(answer, 500);  // a copy, as the transport hands it over
    return read->responses.size();
  });
  const double nlohmann_answer = measure(seconds, answer.size(), [&] {
    auto document = nlohmann::json::parse(answer);
    std::size_t found = 0;
    for (const auto& entry : document["RequestResponses"]) found += entry.size();
    return found;
  });
  const double simd_answer = measure(seconds, answer.size(), [&] {
    std::string copy = answer;  // the same copy, for the same work
    simdjson::padded_string padded(copy);
    auto document = parser.iterate(padded);
    std::size_t found = 0;
    for (auto entry : document["RequestResponses"].get_array()) {
      for (auto field : entry.get_object()) {
        std::string_view value = field.value().get_string();
        found += value.empty() ? 0 : 1;
      }
    }
    return found;
  });
  const double simd_answer_padded = measure(seconds, answer.size(), [&] {
    auto document = parser.iterate(padded_answer);
    std::size_t found = 0;
    for (auto entry : document["RequestResponses"].get_array()) {
      for (auto field : entry.get_object()) {
        std::string_view value = field.value().get_string();
        found += value.empty() ? 0 : 1;
      }
    }
    return found;
  });

  std::printf("request (%zu bytes, 500 records of 1 KiB):\n", request.size());
  std::printf("  nlohmann::json::parse + Records/Data            %8.0f MB/s\n", nlohmann_request);
  std::printf("  simdjson On-Demand, padded input                %8.0f MB/s\n", simd_request);
  std::printf("  simdjson On-Demand, copy to padding per call    %8.0f MB/s\n", simd_request_copy);
  std::printf("  simdjson DOM (validates all), copy to padding   %8.0f MB/s\n", simd_dom_request);
  std::printf("  parse_put_record_batch (JSON + base64 + checks) %8.0f MB/s\n", whole_request);
  std::printf("answer (%zu bytes, 500 entries, 25 failed):\n", answer.size());
  std::printf("  read_put_record_batch_answer (DOM, whole)       %8.0f MB/s\n", project_answer);
  std::printf("  nlohmann::json::parse + RequestResponses        %8.0f MB/s\n", nlohmann_answer);
  std::printf("  simdjson On-Demand, copy + padding per call     %8.0f MB/s\n", simd_answer);
  std::printf("  simdjson On-Demand, padded input                %8.0f MB/s\n", simd_answer_padded);
  return 0;
}
