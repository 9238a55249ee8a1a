#pragma once
// The Delivery behind make_directory_delivery(), with the knobs the default
// factory leaves at their defaults.
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>

#include "delivery/delivery.hpp"

namespace firehose::local {

class StreamDelivery;

struct DirectoryDeliveryOptions {
  // fsync spool appends, journals and objects: survive a power cut, not only a kill.
  bool durable = false;
  int gzip_level = 1;
  // How often the background thread looks for buffers whose interval has passed.
  std::chrono::milliseconds check_interval{100};
  // False: no background thread; deliver_due() does its work (tests).
  bool background_thread = true;
  // The time records arrive at and intervals are measured with (tests inject one).
  std::function<std::chrono::system_clock::time_point()> clock;
  // See StreamDeliveryOptions::fault_hook.
  std::function<void(std::string_view stage)> fault_hook;
};

class DirectoryDelivery final : public Delivery {
 public:
  DirectoryDelivery(std::filesystem::path data_dir, DeliveryListener listener, DirectoryDeliveryOptions options);
  // Stops the background thread. Does not flush: what is spooled stays for
  // the next run, as after a kill.
  ~DirectoryDelivery() override;

  // For a stream whose spool holds records from a previous run, those are
  // delivered on their normal schedule, measured from their original arrival.
  void configure(const StreamDestination& destination) override;
  void remove(const std::string& stream_name) override;
  // An error (Transient, InternalFailure) also for a stream never configured.
  Status accept(const std::string& stream_name, const std::vector<std::string_view>& records) override;
  std::vector<std::string> flush_all() override;
  void stop() override;

  // One round of the background thread: delivers the streams that are due.
  void deliver_due();

 private:
  std::shared_ptr<StreamDelivery> find(const std::string& stream_name) const;
  std::vector<std::shared_ptr<StreamDelivery>> all_streams() const;
  std::chrono::system_clock::time_point now() const;
  void wake();
  void run();

  const std::filesystem::path data_dir_;
  const DeliveryListener listener_;
  const DirectoryDeliveryOptions options_;

  std::mutex configure_mutex_;  // serialises configure() and remove()
  mutable std::shared_mutex streams_mutex_;
  std::map<std::string, std::shared_ptr<StreamDelivery>, std::less<>> streams_;

  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  bool stopping_ = false;
  std::atomic<bool> wake_requested_{false};
  std::mutex thread_mutex_;
  std::thread thread_;
};

// make_directory_delivery() with options.
std::unique_ptr<DirectoryDelivery> make_directory_delivery(std::filesystem::path data_dir, DeliveryListener listener,
                                                           DirectoryDeliveryOptions options);

}  // namespace firehose::local
