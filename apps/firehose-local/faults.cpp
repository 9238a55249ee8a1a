#include "faults.hpp"

namespace firehose::local {

std::optional<std::string_view> RecordFaults::next() {
  const double fail = random_.unit();
  const double pick = random_.unit();
  if (fail >= rate_) return std::nullopt;
  switch (code_) {
    case RecordFailureCode::ServiceUnavailable: return std::string_view("ServiceUnavailableException");
    case RecordFailureCode::InternalFailure: return std::string_view("InternalFailure");
    case RecordFailureCode::Mix: break;
  }
  return pick < 0.5 ? std::string_view("ServiceUnavailableException") : std::string_view("InternalFailure");
}

RequestPlan FaultInjector::plan(const FaultSettings& settings) {
  Random random = source_.fork();
  // Fixed draw order; see the header.
  const double stall = random.unit();
  const std::uint64_t jitter = random.next();
  const double fail = random.unit();
  const double status = random.unit();
  const double reset_before = random.unit();
  const double reset_after = random.unit();
  const std::uint64_t records_seed = random.next();
  const std::uint64_t ids_seed = random.next();

  RequestFaults faults;
  if (stall < settings.stall_rate) faults.stall = settings.stall;
  faults.latency = settings.latency;
  if (settings.latency_jitter.count() > 0) {
    const auto bound = static_cast<std::uint64_t>(settings.latency_jitter.count());
    faults.latency += std::chrono::milliseconds(static_cast<std::int64_t>(jitter % (bound + 1)));
  }
  if (fail < settings.fail_requests) {
    switch (settings.fail_requests_status) {
      case RequestFailureStatus::InternalError500: faults.fail_status = 500; break;
      case RequestFailureStatus::Unavailable503: faults.fail_status = 503; break;
      case RequestFailureStatus::Mix: faults.fail_status = status < 0.5 ? 500 : 503; break;
    }
  }
  faults.reset_before = reset_before < settings.reset_before;
  faults.reset_after = reset_after < settings.reset_after;
  return RequestPlan{faults, RecordFaults(Random(records_seed), settings.fail_records, settings.fail_records_code),
                     Random(ids_seed)};
}

bool FaultInjector::sleep_for(std::chrono::milliseconds duration) {
  if (duration.count() <= 0) return true;
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, duration, [this] { return interrupted_; });
}

void FaultInjector::interrupt() {
  {
    std::lock_guard lock(mutex_);
    interrupted_ = true;
  }
  wake_.notify_all();
}

}  // namespace firehose::local
