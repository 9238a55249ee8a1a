#include "aws/credentials/caching_provider.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/log.hpp"

#include "core/timestamp.hpp"

namespace firehose::aws {

CachingProvider::CachingProvider(CredentialsProviderPtr inner, CachingOptions options)
    : inner_(std::move(inner)), options_(std::move(options)) {}

Result<Credentials> CachingProvider::get() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto now = options_.clock();
    if (cached_ && now < cached_->refresh_at) return cached_->credentials;

    const bool usable = cached_ && now < cached_->expires_at;
    if (usable) {
      if (refreshing_ || now < next_attempt_) return cached_->credentials;
      return refresh(lock);
    }
    if (!refreshing_) return refresh(lock);

    const std::uint64_t awaited = refresh_count_;
    refreshed_.wait(lock, [&] { return refresh_count_ != awaited; });
    if (last_refresh_error_) return *last_refresh_error_;
    // Otherwise loop: the new credentials are in the cache.
  }
}

Result<Credentials> CachingProvider::refresh(std::unique_lock<std::mutex>& lock) {
  refreshing_ = true;
  lock.unlock();
  Result<Credentials> result = inner_->get();
  if (result && result->expiration && *result->expiration <= options_.clock()) {
    // As botocore: credentials that come expired are an error here, not a
    // signature the service refuses later (or, locally, none at all).
    result = make_error(
        ErrorKind::Config, "ExpiredCredentials",
        fmt::format("the {} credentials expired at {} (refresh them, or their expiration setting)",
                    result->provider.empty() ? inner_->name() : result->provider, format_iso8601(*result->expiration)));
  }
  lock.lock();
  refreshing_ = false;
  ++refresh_count_;
  const auto now = options_.clock();

  if (result) {
    cached_ = make_cached(result.value(), now);
    last_refresh_error_.reset();
    refreshed_.notify_all();
    return result;
  }
  last_refresh_error_ = result.error();
  refreshed_.notify_all();
  if (cached_ && now < cached_->expires_at) {
    next_attempt_ = now + options_.retry_interval;
    logging::warn("refreshing {} credentials failed, using the current ones until they expire: {}", inner_->name(),
                  result.error().to_string());
    return cached_->credentials;
  }
  return result;
}

CachingProvider::Cached CachingProvider::make_cached(Credentials credentials,
                                                     std::chrono::system_clock::time_point now) const {
  using std::chrono::system_clock;
  Cached cached;
  if (!credentials.expiration) {
    cached.refresh_at = cached.expires_at = system_clock::time_point::max();
  } else {
    const auto expiration = *credentials.expiration;
    const auto lifetime = std::max(expiration - now, system_clock::duration::zero());
    const auto window = std::min<system_clock::duration>(options_.refresh_window, lifetime / 2);
    cached.expires_at = expiration - options_.expiry_margin;
    cached.refresh_at = std::min(expiration - window, cached.expires_at);
  }
  cached.credentials = std::move(credentials);
  return cached;
}

void CachingProvider::invalidate() {
  std::lock_guard lock(mutex_);
  cached_.reset();
  next_attempt_ = {};
}

}  // namespace firehose::aws
