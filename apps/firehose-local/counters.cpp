#include "counters.hpp"

namespace firehose::local {
namespace {

// Counters or const Counters: one list of names for reading and resetting.
template <class C, class Fn>
void for_each_counter(C& c, Fn fn) {
  fn("put_requests", c.put_requests);
  fn("records_received", c.records_received);
  fn("records_stored", c.records_stored);
  fn("bytes_stored", c.bytes_stored);
  fn("records_acknowledged", c.records_acknowledged);
  fn("records_throttled", c.records_throttled);
  fn("requests_throttled", c.requests_throttled);
  fn("records_failed_injected", c.records_failed_injected);
  fn("records_failed_storage", c.records_failed_storage);
  fn("requests_failed_500", c.requests_failed_500);
  fn("requests_failed_503", c.requests_failed_503);
  fn("resets_before", c.resets_before);
  fn("resets_after", c.resets_after);
  fn("records_stored_unacknowledged", c.records_stored_unacknowledged);
  fn("latency_injected", c.latency_injected);
  fn("stalls", c.stalls);
  fn("requests_invalid", c.requests_invalid);
  fn("auth_failures", c.auth_failures);
}

}  // namespace

nlohmann::json Counters::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  for_each_counter(*this, [&out](const char* name, const Counter& value) { out[name] = value.load(); });
  return out;
}

void Counters::reset() {
  for_each_counter(*this, [](const char*, Counter& value) { value.store(0); });
}

}  // namespace firehose::local
