#pragma once
// Caches what another provider returns and refreshes temporary credentials
// before they expire, without making concurrent callers queue behind the
// refresh while the current credentials are still good:
//   - fresh: returned as is;
//   - in the refresh window: one caller refreshes, the others keep using the
//     current credentials; a failed refresh keeps them too (until expiry)
//     and is retried after `retry_interval`;
//   - expired (or none yet): callers wait for the one refresh in flight and
//     share its outcome.
// Credentials without an expiration are kept for the provider's lifetime.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

#include "aws/credentials/clock.hpp"
#include "firehose/credentials.hpp"

namespace firehose::aws {

struct CachingOptions {
  // Refreshing starts this long before expiry (botocore's advisory 15 min),
  // capped at half the credentials' lifetime so short sessions are not
  // refreshed on every call.
  std::chrono::seconds refresh_window{15 * 60};
  // Credentials this close to expiry count as expired: a request signed with
  // them could arrive after they lapse.
  std::chrono::seconds expiry_margin{60};
  // After a failed refresh while the current credentials are still usable.
  std::chrono::seconds retry_interval{10};
  WallClock clock = system_now;
};

class CachingProvider : public CredentialsProvider {
 public:
  explicit CachingProvider(CredentialsProviderPtr inner, CachingOptions options = {});

  Result<Credentials> get() override;
  std::string name() const override { return inner_->name(); }

  // Drops the cached credentials (e.g. after the service answered ExpiredToken).
  void invalidate();

 private:
  struct Cached {
    Credentials credentials;
    std::chrono::system_clock::time_point refresh_at;
    std::chrono::system_clock::time_point expires_at;  // expiration minus the margin
  };

  Result<Credentials> refresh(std::unique_lock<std::mutex>& lock);
  Cached make_cached(Credentials credentials, std::chrono::system_clock::time_point now) const;

  CredentialsProviderPtr inner_;
  CachingOptions options_;

  std::mutex mutex_;
  std::condition_variable refreshed_;
  std::optional<Cached> cached_;
  bool refreshing_ = false;
  std::uint64_t refresh_count_ = 0;          // bumped when a refresh ends, wakes waiters
  std::optional<Error> last_refresh_error_;  // outcome of the last refresh, shared with waiters
  std::chrono::system_clock::time_point next_attempt_{};
};

}  // namespace firehose::aws
