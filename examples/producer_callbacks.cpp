// The producer's two ways of telling what became of each record: a future
// per record, or a callback run on a producer thread; and the dead-letter
// file, where every record the producer gave up on ends with its reason.
// Usage: producer_callbacks STREAM DEAD_LETTER_FILE
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include <firehose/firehose_client.hpp>
#include <firehose/producer.hpp>
#include <firehose/session.hpp>

namespace fh = firehose;

static int fail(const fh::Error& error) {
  std::fprintf(stderr, "error: %s\n", error.to_string().c_str());
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 3) return std::fprintf(stderr, "usage: producer_callbacks STREAM DEAD_LETTER_FILE\n"), 2;
  auto session = fh::Session::create();
  if (!session) return fail(session.error());
  auto client = fh::FirehoseClient::create(*session);
  if (!client) return fail(client.error());

  fh::ProducerOptions options;
  options.delivery_stream_name = argv[1];
  options.dead_letter_path = argv[2];  // NDJSON, one line per record given up on
  options.linger = std::chrono::milliseconds(20);
  auto created = fh::Producer::create(*client, options);
  if (!created) return fail(created.error());
  fh::Producer& producer = **created;

  // Futures: put() returns at once; get() waits for that record's outcome.
  std::vector<std::future<fh::RecordOutcome>> futures;
  for (int i = 0; i < 100; ++i) futures.push_back(producer.put("future record " + std::to_string(i) + "\n"));

  // Callbacks: run on a producer thread when the record's outcome is known (keep them short).
  std::atomic<int> called_back{0}, acknowledged{0};
  auto on_outcome = [&](const fh::RecordOutcome& outcome) {
    if (outcome.acknowledged) ++acknowledged;
    ++called_back;
  };
  for (int i = 0; i < 100; ++i) producer.put("callback record " + std::to_string(i) + "\n", on_outcome);

  // A record over Firehose's 1,000 KiB limit is refused at once, and dead-lettered.
  fh::RecordOutcome too_large = producer.put(std::string(1'100'000, 'x')).get();
  std::printf("oversized record: acknowledged=%d error=%s dead_lettered=%d\n", too_large.acknowledged,
              too_large.error_code.c_str(), too_large.dead_lettered);

  for (auto& future : futures) {
    fh::RecordOutcome outcome = future.get();
    if (!outcome.acknowledged)
      std::printf("failed after %d attempts: %s %s\n", outcome.attempts, outcome.error_code.c_str(),
                  outcome.error_message.c_str());
    else if (outcome.attempts > 1)
      std::printf("acknowledged after %d attempts: %s\n", outcome.attempts, outcome.record_id.c_str());
  }
  if (auto closed = producer.close(std::chrono::seconds(30)); !closed) return fail(closed.error());

  const fh::ProducerMetrics metrics = producer.metrics();
  std::printf("callbacks: %d, acknowledged by callback: %d\n", called_back.load(), acknowledged.load());
  std::printf("acknowledged %llu, failed %llu, rejected %llu, dead-lettered %llu, p99 %.1f ms\n",
              static_cast<unsigned long long>(metrics.records_acknowledged),
              static_cast<unsigned long long>(metrics.records_failed),
              static_cast<unsigned long long>(metrics.records_rejected),
              static_cast<unsigned long long>(metrics.records_dead_lettered), metrics.record_latency.p99_ms);

  std::ifstream dead_letters(argv[2]);
  int lines = 0;
  for (std::string line; std::getline(dead_letters, line);) ++lines;
  std::printf("dead-letter file %s: %d entries\n", argv[2], lines);
  return called_back == 100 ? 0 : 1;
}
