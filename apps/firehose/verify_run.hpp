#pragma once
// One verification, from the sources to the report: shared by `firehose
// verify` and `workflow --verify`. The passes (verify_matcher.hpp) run one
// after the other; progress goes to stderr as `send`'s does (a status line
// on a terminal, `verify_progress` events every interval otherwise).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "firehose/result.hpp"
#include "firehose/session.hpp"
#include "verify_matcher.hpp"
#include "verify_sources.hpp"

namespace firehose::cli {

struct VerifyRequest {
  SentRecords* sent = nullptr;
  std::uint64_t* sent_over_limit = nullptr;  // where `sent` counts lines over the record limit
  DeliveredLocation delivered;
  std::vector<std::string> dead_letters;
  MatcherOptions matcher;
  std::chrono::milliseconds progress_interval{10'000};
};

// The number of records in `sent`, from its size and the average record of
// its first MiB (plus 10 %): the Bloom filters' capacity when
// --expected-records is not given, and the exact table's first size.
std::uint64_t estimate_records(SentRecords& sent);

// Runs the passes. `session` is used for S3 only (may be null for a local
// directory). Errors: the sources' (unreadable input, S3 refusals, corrupt objects).
Result<VerifyReport> run_verification(VerifyRequest& request, const std::shared_ptr<Session>& session);

// The report as one line for people ("2550 sent: 2550 delivered once, 0 missing, ...").
std::string verify_summary_text(const VerifyReport& report);

}  // namespace firehose::cli
