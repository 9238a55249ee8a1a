#include "aws/credentials/caching_provider.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace firehose::aws {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

// A clock the test moves by hand.
class ManualClock {
 public:
  system_clock::time_point now() const { return base_ + std::chrono::seconds(offset_.load()); }
  void advance(std::chrono::seconds by) { offset_ += by.count(); }
  WallClock fn() {
    return [this] { return now(); };
  }

 private:
  system_clock::time_point base_ = system_clock::time_point(std::chrono::hours(24 * 365 * 50));
  std::atomic<long long> offset_{0};
};

// Issues credentials numbered by call ("AKID1", "AKID2", ...) valid for `lifetime`;
// can be made to hold the next call inside get() until released (later calls
// pass straight through, so a cache that lets them in fails instead of hanging),
// or to fail.
class CountingProvider : public CredentialsProvider {
 public:
  CountingProvider(ManualClock& clock, std::chrono::seconds lifetime) : clock_(clock), lifetime_(lifetime) {}

  Result<Credentials> get() override {
    const int n = ++calls_;
    {
      std::unique_lock lock(mutex_);
      if (hold_next_) {
        hold_next_ = false;
        held_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return !held_; });
      }
    }
    if (fail_) return make_error(ErrorKind::Transport, "Boom", "refresh failed");
    Credentials creds;
    creds.access_key_id = "AKID" + std::to_string(n);
    creds.secret_access_key = "secret";
    if (lifetime_.count() > 0) creds.expiration = clock_.now() + lifetime_;
    return creds;
  }
  std::string name() const override { return "counting"; }

  void hold_next_call() {
    std::lock_guard lock(mutex_);
    hold_next_ = true;
  }
  void wait_until_held() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return held_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    changed_.notify_all();
  }
  void set_failing(bool fail) { fail_ = fail; }
  int calls() const { return calls_; }

 private:
  ManualClock& clock_;
  std::chrono::seconds lifetime_;
  std::atomic<int> calls_{0};
  std::atomic<bool> fail_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  bool hold_next_ = false;
  bool held_ = false;
};

CachingOptions options_with(ManualClock& clock) {
  CachingOptions options;
  options.clock = clock.fn();
  options.refresh_window = 15min;
  options.expiry_margin = 1min;
  options.retry_interval = 10s;
  return options;
}

TEST(CachingProvider, ReturnsCachedCredentialsUntilTheRefreshWindow) {
  ManualClock clock;
  auto inner = std::make_shared<CountingProvider>(clock, 1h);
  CachingProvider cache(inner, options_with(clock));
  EXPECT_EQ(cache.get()->access_key_id, "AKID1");
  clock.advance(44min);
  EXPECT_EQ(cache.get()->access_key_id, "AKID1");
  EXPECT_EQ(inner->calls(), 1);
  clock.advance(2min);  // 14 minutes left: inside the 15-minute window
  EXPECT_EQ(cache.get()->access_key_id, "AKID2");
  EXPECT_EQ(inner->calls(), 2);
}

TEST(CachingProvider, ShortLivedCredentialsRefreshAtHalfTheirLifetime) {
  ManualClock clock;
  auto inner = std::make_shared<CountingProvider>(clock, 15min);
  CachingProvider cache(inner, options_with(clock));
  EXPECT_EQ(cache.get()->access_key_id, "AKID1");
  clock.advance(7min);
  EXPECT_EQ(cache.get()->access_key_id, "AKID1");
  clock.advance(1min);
  EXPECT_EQ(cache.get()->access_key_id, "AKID2");
}

TEST(CachingProvider, CredentialsWithoutExpirationAreFetchedOnce) {
  ManualClock clock;
  auto inner = std::make_shared<CountingProvider>(clock, 0s);
  CachingProvider cache(inner, options_with(clock));
  EXPECT_EQ(cache.get()->access_key_id, "AKID1");
  clock.advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(cache.get()->access_key_id, "AKID1");
  EXPECT_EQ(inner->calls(), 1);
}

TEST(CachingProvider, FailedRefreshKeepsValidCredentialsAndRetriesLater) {
  ManualClock clock;
  auto inner = std::make_shared<CountingProvider>(clock, 1h);
  CachingProvider cache(inner, options_with(clock));
  ASSERT_TRUE(cache.get().ok());
  clock.advance(50min);
  inner->set_failing(true);
  auto during_outage = cache.get();
  ASSERT_TRUE(during_outage.ok());
  EXPECT_EQ(during_outage->access_key_id, "AKID1");
  EXPECT_EQ(inner->calls(), 2);
  EXPECT_EQ(cache.get()->access_key_id, "AKID1");
  EXPECT_EQ(inner->calls(), 2);  // within the retry interval: no new attempt
  clock.advance(11s);
  EXPECT_EQ(cache.get()->access_key_id, "AKID1");
  EXPECT_EQ(inner->calls(), 3);
  clock.advance(9min);  // past expiry minus margin: the error surfaces
  auto expired = cache.get();
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "Boom");
  inner->set_failing(false);
  EXPECT_EQ(cache.get()->access_key_id, "AKID5");
}

TEST(CachingProvider, InvalidateForcesAFetch) {
  ManualClock clock;
  auto inner = std::make_shared<CountingProvider>(clock, 1h);
  CachingProvider cache(inner, options_with(clock));
  EXPECT_EQ(cache.get()->access_key_id, "AKID1");
  cache.invalidate();
  EXPECT_EQ(cache.get()->access_key_id, "AKID2");
}

TEST(CachingProvider, DuringAnAdvisoryRefreshOtherCallersKeepTheCurrentCredentials) {
  ManualClock clock;
  auto inner = std::make_shared<CountingProvider>(clock, 1h);
  CachingProvider cache(inner, options_with(clock));
  ASSERT_EQ(cache.get()->access_key_id, "AKID1");
  clock.advance(50min);

  inner->hold_next_call();
  std::thread refresher([&] { EXPECT_EQ(cache.get()->access_key_id, "AKID2"); });
  inner->wait_until_held();

  // The refresh is stuck inside the provider; these callers must not wait for it.
  std::vector<std::thread> readers;
  std::atomic<int> got_current{0};
  for (int i = 0; i < 8; ++i) {
    readers.emplace_back([&] {
      auto creds = cache.get();
      if (creds.ok() && creds->access_key_id == "AKID1") ++got_current;
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(got_current.load(), 8);

  inner->release();
  refresher.join();
  EXPECT_EQ(inner->calls(), 2);
  EXPECT_EQ(cache.get()->access_key_id, "AKID2");
}

TEST(CachingProvider, ExpiredCredentialsMakeCallersWaitForOneSharedRefresh) {
  ManualClock clock;
  auto inner = std::make_shared<CountingProvider>(clock, 1h);
  CachingProvider cache(inner, options_with(clock));
  ASSERT_TRUE(cache.get().ok());
  clock.advance(2h);

  inner->hold_next_call();
  std::vector<std::thread> callers;
  std::atomic<int> got_new{0};
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      auto creds = cache.get();
      if (creds.ok() && creds->access_key_id == "AKID2" && creds->expiration > clock.now()) ++got_new;
    });
  }
  inner->wait_until_held();
  inner->release();
  for (auto& t : callers) t.join();
  EXPECT_EQ(got_new.load(), 8);
  EXPECT_EQ(inner->calls(), 2);
}

TEST(CachingProvider, WaitersShareAFailedRefreshsError) {
  ManualClock clock;
  auto inner = std::make_shared<CountingProvider>(clock, 1h);
  CachingProvider cache(inner, options_with(clock));
  inner->set_failing(true);
  inner->hold_next_call();
  std::vector<std::thread> callers;
  std::atomic<int> errors{0};
  for (int i = 0; i < 4; ++i) {
    callers.emplace_back([&] {
      auto creds = cache.get();
      if (!creds.ok() && creds.error().code == "Boom") ++errors;
    });
  }
  inner->wait_until_held();
  inner->release();
  for (auto& t : callers) t.join();
  EXPECT_EQ(errors.load(), 4);
  // Callers that arrived after the failed attempt may have tried again; none got credentials.
  EXPECT_GE(inner->calls(), 1);
}

}  // namespace
}  // namespace firehose::aws
