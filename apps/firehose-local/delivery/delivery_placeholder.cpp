// PLACEHOLDER until branch local-delivery lands: keeps records in memory and
// writes them as one object per stream on flush. Delete on merge.
#include <atomic>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "delivery/delivery.hpp"

namespace firehose::local {
namespace {

class PlaceholderDelivery : public Delivery {
 public:
  PlaceholderDelivery(std::filesystem::path dir, DeliveryListener listener)
      : dir_(std::move(dir)), listener_(std::move(listener)) {}
  void configure(const StreamDestination& d) override {
    std::lock_guard lock(mutex_);
    streams_[d.stream_name].destination = d;
  }
  void remove(const std::string& name) override {
    flush_all();
    std::lock_guard lock(mutex_);
    streams_.erase(name);
  }
  Status accept(const std::string& name, const std::vector<std::string_view>& records) override {
    std::lock_guard lock(mutex_);
    auto& s = streams_[name];
    for (auto r : records) s.buffer.append(r);
    s.records += records.size();
    return {};
  }
  void flush_all() override {
    std::vector<DeliveredObject> done;
    {
      std::lock_guard lock(mutex_);
      for (auto& [name, s] : streams_) {
        if (s.buffer.empty()) continue;
        const std::time_t t = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&t, &tm);
        auto folder = dir_ / s.destination.bucket /
                      fmt::format("{}{:04}/{:02}/{:02}/{:02}", s.destination.prefix, tm.tm_year + 1900, tm.tm_mon + 1,
                                  tm.tm_mday, tm.tm_hour);
        std::filesystem::create_directories(folder);
        auto path = folder / fmt::format("{}-{}-{:04}-{:02}-{:02}-{:02}-{:02}-{:02}-{}", name, s.destination.version,
                                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                         tm.tm_sec, ++counter_);
        std::ofstream(path, std::ios::binary) << s.buffer;
        done.push_back(DeliveredObject{name, path, s.records, s.buffer.size(), std::chrono::system_clock::now()});
        s.buffer.clear();
        s.records = 0;
      }
    }
    for (auto& d : done) listener_(d);
  }
  void stop() override {}

 private:
  struct Stream {
    StreamDestination destination;
    std::string buffer;
    std::uint64_t records = 0;
  };
  std::filesystem::path dir_;
  DeliveryListener listener_;
  std::mutex mutex_;
  std::map<std::string, Stream> streams_;
  std::atomic<int> counter_{0};
};

class Discard : public Delivery {
 public:
  void configure(const StreamDestination&) override {}
  void remove(const std::string&) override {}
  Status accept(const std::string&, const std::vector<std::string_view>&) override { return {}; }
  void flush_all() override {}
  void stop() override {}
};

}  // namespace

std::unique_ptr<Delivery> make_directory_delivery(std::filesystem::path data_dir, DeliveryListener listener) {
  return std::make_unique<PlaceholderDelivery>(std::move(data_dir), std::move(listener));
}

std::unique_ptr<Delivery> make_discard_delivery() { return std::make_unique<Discard>(); }

}  // namespace firehose::local
