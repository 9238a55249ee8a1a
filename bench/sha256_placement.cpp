// Where hashing a request body costs least: the issue's "hashing while
// encoding" idea, measured before building it. A PutRecordBatch body of
// 500 × 1 KiB records (about 700 KB of base64) is built by one thread, and
// its SHA-256 (SigV4's payload hash) taken
//   (a) in 64 KiB pieces as the body is written, on the writing thread
//       (each piece still in that core's cache),
//   (b) whole, on the writing thread, once the body is done (the floor's way),
//   (c) whole, on another thread (the producer's way: the sender hashes).
// Prints the hashing thread's CPU time per body for each. If SHA-256 runs at
// the core's speed whatever the cache holds, (a) saves nothing.
//   bench_sha256_placement [bodies]
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "protocol/firehose.hpp"

namespace {

using namespace firehose;

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

std::string build_body(int seed) {
  protocol::PutRecordBatchBody body("bench-stream");
  std::string record(1024, 'x');
  for (int i = 0; i < 500; ++i) {
    record[static_cast<std::size_t>(i + seed) % record.size()] = static_cast<char>('a' + i % 26);
    body.add(record);
  }
  return body.finish();
}

// (a): the body hashed in 64 KiB pieces, each right after it was written.
double hash_while_writing(int bodies) {
  constexpr std::size_t kPiece = 64 * 1024;
  double hashing = 0;
  for (int n = 0; n < bodies; ++n) {
    const std::string body = build_body(n);  // written just now: the last pieces are in cache
    // Writing piece by piece is emulated by re-touching each piece before hashing it.
    aws::crypto::Sha256Hasher hasher;
    for (std::size_t at = 0; at < body.size(); at += kPiece) {
      const std::string_view piece = std::string_view(body).substr(at, kPiece);
      volatile char sink = 0;
      for (std::size_t i = 0; i < piece.size(); i += 64) sink = static_cast<char>(sink + piece[i]);
      const double start = thread_cpu_seconds();
      hasher.update(piece);
      hashing += thread_cpu_seconds() - start;
    }
    (void)hasher.finish();
  }
  return hashing / bodies;
}

// (b): whole, on the writing thread.
double hash_after_writing(int bodies) {
  double hashing = 0;
  for (int n = 0; n < bodies; ++n) {
    const std::string body = build_body(n);
    const double start = thread_cpu_seconds();
    (void)aws::crypto::sha256(body);
    hashing += thread_cpu_seconds() - start;
  }
  return hashing / bodies;
}

// (c): written by one thread, hashed whole by another.
double hash_on_another_thread(int bodies) {
  std::vector<std::string> ring(4);
  std::atomic<int> written{-1}, hashed{-1};
  double hashing = 0;
  std::thread writer([&] {
    for (int n = 0; n < bodies; ++n) {
      while (hashed.load() < n - static_cast<int>(ring.size()) + 1) std::this_thread::yield();
      ring[static_cast<std::size_t>(n) % ring.size()] = build_body(n);
      written.store(n);
    }
  });
  for (int n = 0; n < bodies; ++n) {
    while (written.load() < n) std::this_thread::yield();
    const double start = thread_cpu_seconds();
    (void)aws::crypto::sha256(ring[static_cast<std::size_t>(n) % ring.size()]);
    hashing += thread_cpu_seconds() - start;
    hashed.store(n);
  }
  writer.join();
  return hashing / bodies;
}

}  // namespace

int main(int argc, char** argv) {
  const int bodies = argc > 1 ? std::atoi(argv[1]) : 2000;
  const std::size_t size = build_body(0).size();
  std::printf("SHA-256 of a %zu-byte body (500 x 1 KiB records), hashing thread's CPU per body:\n", size);
  const double a = hash_while_writing(bodies);
  const double b = hash_after_writing(bodies);
  const double c = hash_on_another_thread(bodies);
  std::printf("(a) in 64 KiB pieces while writing  %7.1f us  %6.0f MB/s\n", a * 1e6, static_cast<double>(size) / a / 1e6);
  std::printf("(b) whole, after writing            %7.1f us  %6.0f MB/s\n", b * 1e6, static_cast<double>(size) / b / 1e6);
  std::printf("(c) whole, on another thread        %7.1f us  %6.0f MB/s\n", c * 1e6, static_cast<double>(size) / c / 1e6);
}
