#pragma once
// The reconciliation of `firehose verify`: what was sent against what was
// delivered, by record key (a JSON field's value, or the whole line), with the
// dead-letter files' records set apart. Fed in passes:
//
//   1. every sent line            on_sent()
//   2. every dead-lettered line   on_dead_lettered()
//   3. every delivered line       on_delivered()
//   4. every sent line again      on_sent_again()   (names the missing; --mode bloom classifies here)
//
// then report(). Lines come without their '\n'. Memory: the key store's
// (verify_store.hpp), plus the few examples kept.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "verify_store.hpp"

namespace firehose::cli {

enum class VerifyMode { kExact, kBloom };

struct MatcherOptions {
  std::string key_field;     // empty: the whole line is the key
  std::size_t examples = 5;  // how many of each kind are named
  VerifyMode mode = VerifyMode::kExact;
  std::uint64_t expected_records = 0;          // bloom: the filters' capacity (sent records)
  double false_positive_rate = 1e-4;           // bloom: per filter, at that capacity
  std::uint64_t expected_dead_letters = 1000;  // bloom: the dead-letter filter's capacity
};

// Where a line was read: a file or object, and its line number (1-based).
struct LineSource {
  std::string_view name;
  std::uint64_t line = 0;
  std::string to_string() const { return std::string(name) + ":" + std::to_string(line); }
};

// A record named in the report: where it was read and its first bytes.
struct RecordExample {
  std::string source;  // "events.ndjson:12", "s3://bucket/key:3", "dead.ndjson:2 (ServiceUnavailableException)"
  std::string record;  // at most 200 bytes of the line
};

struct VerifyCounts {
  std::uint64_t sent = 0;                         // records read from the inputs
  std::uint64_t delivered = 0;                    // records (lines) read from the delivered objects
  std::uint64_t delivered_once = 0;               // sent records found delivered (each copy sent, one delivered)
  std::uint64_t missing = 0;                      // sent, not delivered, not dead-lettered
  std::uint64_t dead_lettered = 0;                // sent, not delivered, in a dead-letter file
  std::uint64_t dead_lettered_and_delivered = 0;  // in a dead-letter file and delivered all the same
  std::uint64_t duplicated = 0;                   // sent records delivered more often than sent
  std::uint64_t extra_copies = 0;                 // the copies beyond the first
  std::uint64_t never_sent = 0;                   // delivered records that no input holds
  std::uint64_t dead_letter_entries = 0;          // records read from the dead-letter files
  std::uint64_t without_key = 0;                  // --key: lines without that field (matched whole)
  std::uint64_t over_record_limit = 0;            // input lines over the 1,024,000-byte record limit (never sendable)
};

struct VerifyReport {
  VerifyCounts counts;
  std::vector<RecordExample> missing, duplicated, never_sent, dead_lettered;
  VerifyMode mode = VerifyMode::kExact;
  std::uint64_t objects = 0;        // delivered objects read
  std::uint64_t distinct_keys = 0;  // exact mode
  std::uint64_t memory_bytes = 0;   // the key store's
  double false_positive_rate = 0;   // bloom mode
};

// The key of a line: the value of `field` (compact JSON, so 1 and "1"
// differ) when the line is a JSON object holding it, else nullopt.
std::optional<std::string> json_field_key(std::string_view line, const std::string& field);

// The first bytes of a record for a report (control bytes escaped by the JSON output).
std::string record_excerpt(std::string_view line);

class Matcher {
 public:
  static std::unique_ptr<Matcher> create(const MatcherOptions& options);
  virtual ~Matcher() = default;

  virtual void on_sent(std::string_view line) = 0;
  virtual void on_dead_lettered(std::string_view line, const RecordExample& where) = 0;
  virtual void on_delivered(std::string_view line, const LineSource& source) = 0;
  // Whether pass 4 is needed at all (exact mode: only to name missing records).
  virtual bool wants_second_pass() const = 0;
  // False once nothing more is to be learnt from pass 4 (it may stop early).
  virtual bool on_sent_again(std::string_view line, const LineSource& source) = 0;
  virtual VerifyReport report() = 0;

 protected:
  explicit Matcher(const MatcherOptions& options) : options_(options) {}
  // The hash of the line's key; lines without the field are counted on their
  // first reading (passes 1 to 3), not when pass 4 reads them again.
  KeyHash key_hash_of(std::string_view line, bool first_reading = true);
  void keep(std::vector<RecordExample>& examples, RecordExample example) const {
    if (examples.size() < options_.examples) examples.push_back(std::move(example));
  }

  MatcherOptions options_;
  VerifyReport report_;
};

// The report as JSON (`--output json`, and what text and table render).
nlohmann::ordered_json report_json(const VerifyReport& report);

}  // namespace firehose::cli
