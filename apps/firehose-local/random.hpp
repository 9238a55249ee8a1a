#pragma once
// Repeatable randomness. One seeded source (--seed) hands each request its own
// generator, so that a given sequence of requests meets the same faults and
// gets the same record ids whatever the other settings are, and requests on
// different threads never contend after the one locked draw.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace firehose::local {

// SplitMix64: tiny, fast, and good enough for fault decisions and ids; the
// same sequence on every platform (no <random> distributions involved).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [0, 1), 53 bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // True with probability `rate` (0 never, 1 always).
  bool chance(double rate) { return unit() < rate; }
  // Uniform in [0, bound], bound inclusive.
  std::uint64_t up_to(std::uint64_t bound);

 private:
  std::uint64_t state_;
};

// Thread-safe parent of per-request generators.
class RandomSource {
 public:
  explicit RandomSource(std::uint64_t seed) : root_(seed) {}
  Random fork();

 private:
  std::mutex mutex_;
  Random root_;
};

// A record id shaped like the service's: 224 characters of base64 (168 random bytes).
inline constexpr std::size_t kRecordIdLength = 224;

// The record ids of one answer. Their first 156 bytes (208 characters) are
// drawn once per answer and their last 12 (16 characters) for each record:
// 96 fresh bits keep the ids of an answer apart, the shared part keeps those
// of different answers apart, and an answer of 500 ids costs 1,021 draws, not
// 10,500 (drawing and encoding ids was a twentieth of firehose-local's CPU).
class RecordIds {
 public:
  explicit RecordIds(Random& random);
  // The next id, appended to `out`.
  void append_to(std::string& out);

 private:
  Random& random_;
  std::string shared_;  // the first 208 characters of every id
};

// One id (PutRecord's): the first of a RecordIds.
std::string make_record_id(Random& random);
// A random (version 4) UUID, lower-case, for x-amzn-RequestId.
std::string make_uuid(Random& random);

}  // namespace firehose::local
