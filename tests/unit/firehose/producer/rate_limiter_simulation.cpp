#include "rate_limiter_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <queue>
#include <random>
#include <vector>

namespace firehose::producer::simulation {
namespace {

using std::chrono::nanoseconds;
using Clock = std::chrono::steady_clock;

double seconds(nanoseconds d) { return std::chrono::duration<double>(d).count(); }
nanoseconds from_seconds(double s) { return std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(s)); }

// The server's quota: a bucket per dimension, full at the start.
struct ServerBucket {
  double rate;
  double capacity;
  double tokens;
  nanoseconds last{0};

  ServerBucket(double per_second, double burst_seconds)
      : rate(per_second), capacity(per_second * burst_seconds), tokens(per_second * burst_seconds) {}
  void refill(nanoseconds now) {
    tokens = std::min(capacity, tokens + rate * seconds(now - last));
    last = now;
  }
};

struct Record {
  int attempts = 0;
  nanoseconds ready{0};  // when a retry may go out
};

struct Request {
  std::vector<Record> records;
  nanoseconds sent_at{0};
  std::vector<Record> throttled;
  std::size_t accepted = 0;
};

enum class EventKind { kSenderReady, kServerReceives, kResponse };

struct Event {
  nanoseconds at;
  std::uint64_t sequence;  // ties broken by insertion order: deterministic
  EventKind kind;
  int sender;
  bool operator>(const Event& other) const { return at != other.at ? at > other.at : sequence > other.sequence; }
};

// A uniform double in [0, 1) from the raw generator (the standard
// distributions may differ between library implementations).
double uniform(std::mt19937_64& generator) { return static_cast<double>(generator() >> 11) * 0x1.0p-53; }

}  // namespace

Result run(const Config& config) {
  const Clock::time_point epoch = Clock::time_point(std::chrono::hours(1));
  nanoseconds now{0};
  RateLimiterOptions options = config.limiter;
  options.clock.now = [&] { return epoch + now; };
  options.clock.sleep = nullptr;
  AdaptiveRateLimiter limiter(options);

  ServerBucket server_bytes(config.quota_bytes_per_second, config.server_burst_seconds);
  ServerBucket server_requests(config.quota_requests_per_second, config.server_burst_seconds);
  ServerBucket server_records(config.quota_records_per_second, config.server_burst_seconds);

  std::mt19937_64 generator(config.seed);
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  std::uint64_t sequence = 0;
  auto schedule = [&](nanoseconds at, EventKind kind, int sender) { events.push(Event{at, sequence++, kind, sender}); };

  // Throttled records wait here for their backoff; the source of new records never runs dry.
  auto later = [](const Record& a, const Record& b) { return a.ready > b.ready; };
  std::priority_queue<Record, std::vector<Record>, decltype(later)> retries(later);

  std::vector<Request> requests(static_cast<std::size_t>(config.senders));
  std::deque<int> waiting;  // senders with a request ready, in arrival order
  const nanoseconds end = from_seconds(config.run_seconds);
  const nanoseconds steady_from = from_seconds(config.steady_from_seconds);
  const nanoseconds startup_until = from_seconds(config.startup_seconds);
  const nanoseconds first_second_until = from_seconds(1);

  struct Tally {
    double bytes = 0, requests = 0, records = 0;
    std::uint64_t sends = 0, throttled = 0;
  } whole, steady, startup, first_second;

  for (int s = 0; s < config.senders; ++s) schedule(nanoseconds(0), EventKind::kSenderReady, s);

  while (!events.empty() && events.top().at < end) {
    const Event event = events.top();
    events.pop();
    now = event.at;
    Request& request = requests[static_cast<std::size_t>(event.sender)];
    switch (event.kind) {
      case EventKind::kSenderReady: {
        // Like acquire(): senders wait in line and only the first asks the limiter.
        if (std::find(waiting.begin(), waiting.end(), event.sender) == waiting.end()) waiting.push_back(event.sender);
        if (waiting.front() != event.sender) break;
        if (request.records.empty()) {
          while (request.records.size() < config.records_per_request && !retries.empty() &&
                 retries.top().ready <= now) {
            request.records.push_back(retries.top());
            retries.pop();
          }
          // New records fill the rest, within what the limiter asks for (as the batcher does).
          const std::size_t hint = limiter.request_bytes_hint();
          const std::size_t fits =
              hint == SIZE_MAX ? config.records_per_request : std::max<std::size_t>(1, hint / config.record_bytes);
          request.records.resize(std::max(request.records.size(), std::min(config.records_per_request, fits)));
        }
        const std::size_t bytes = request.records.size() * config.record_bytes;
        const nanoseconds wait = limiter.try_acquire(request.records.size(), bytes);
        if (wait > nanoseconds::zero()) {
          schedule(now + wait, EventKind::kSenderReady, event.sender);
          break;
        }
        waiting.pop_front();
        if (!waiting.empty()) schedule(now, EventKind::kSenderReady, waiting.front());
        request.sent_at = now;
        const nanoseconds rtt = config.rtt_min + from_seconds(uniform(generator) * seconds(config.rtt_jitter));
        schedule(now + rtt / 2, EventKind::kServerReceives, event.sender);
        schedule(now + rtt, EventKind::kResponse, event.sender);
        break;
      }
      case EventKind::kServerReceives: {
        server_bytes.refill(now);
        server_requests.refill(now);
        server_records.refill(now);
        request.accepted = 0;
        request.throttled.clear();
        const bool request_faulted =
            config.request_fault_share > 0 && uniform(generator) < config.request_fault_share;
        const bool request_admitted = !request_faulted && server_requests.tokens >= 1;
        if (request_admitted) server_requests.tokens -= 1;
        for (Record& record : request.records) {
          ++record.attempts;
          const double size = static_cast<double>(config.record_bytes);
          if (request_admitted && server_bytes.tokens >= size && server_records.tokens >= 1) {
            server_bytes.tokens -= size;
            server_records.tokens -= 1;
            if (config.fault_share > 0 && uniform(generator) < config.fault_share) {
              request.throttled.push_back(record);
              continue;
            }
            ++request.accepted;
          } else {
            request.throttled.push_back(record);
          }
        }
        for (Tally* tally : {&whole, &steady, &startup, &first_second}) {
          if (tally == &steady && now < steady_from) continue;
          if (tally == &startup && now >= startup_until) continue;
          if (tally == &first_second && now >= first_second_until) continue;
          tally->bytes += static_cast<double>(request.accepted * config.record_bytes);
          tally->records += static_cast<double>(request.accepted);
          tally->requests += request_admitted ? 1 : 0;
          tally->sends += request.records.size();
          tally->throttled += request.throttled.size();
        }
        request.records.clear();
        if (!request_admitted) request.accepted = SIZE_MAX;  // marks a whole-request refusal
        break;
      }
      case EventKind::kResponse: {
        const bool whole_request_refused = request.accepted == SIZE_MAX;
        limiter.on_answer({whole_request_refused ? 0 : request.accepted,
                           whole_request_refused ? 0 : request.accepted * config.record_bytes, request.throttled.size(),
                           epoch + request.sent_at, !whole_request_refused});
        for (Record& record : request.throttled) {
          const double ceiling =
              std::min(seconds(config.retry_cap), seconds(config.retry_base) * std::pow(2.0, record.attempts - 1));
          record.ready = now + from_seconds(uniform(generator) * ceiling);
          retries.push(record);
        }
        if (seconds(now) < config.trace_until_seconds) {
          std::printf("t=%8.4f sender=%2d sent_at=%8.4f accepted=%4zu throttled=%4zu limit=%8.0f KiB/s dec=%llu\n",
                      seconds(now), event.sender, seconds(request.sent_at),
                      whole_request_refused ? 0 : request.accepted, request.throttled.size(),
                      limiter.bytes_per_second_limit() / 1024, static_cast<unsigned long long>(limiter.decreases()));
        }
        request.throttled.clear();
        schedule(now, EventKind::kSenderReady, event.sender);
        break;
      }
    }
  }

  auto window = [&](const Tally& tally, double length) {
    Window w;
    w.quota_fraction = std::max({tally.bytes / (config.quota_bytes_per_second * length),
                                 tally.requests / (config.quota_requests_per_second * length),
                                 tally.records / (config.quota_records_per_second * length)});
    w.accepted_records_per_second = tally.records / length;
    w.record_sends = tally.sends;
    w.throttled_record_sends = tally.throttled;
    w.throttled_fraction = tally.sends ? static_cast<double>(tally.throttled) / static_cast<double>(tally.sends) : 0;
    return w;
  };
  Result result;
  result.whole = window(whole, config.run_seconds);
  result.steady = window(steady, config.run_seconds - config.steady_from_seconds);
  result.startup = window(startup, std::min(config.startup_seconds, config.run_seconds));
  result.first_second = window(first_second, std::min(1.0, config.run_seconds));
  result.decreases = limiter.decreases();
  result.fault_share = limiter.fault_share();
  result.final_bytes_limit = limiter.bytes_per_second_limit();
  return result;
}

}  // namespace firehose::producer::simulation
