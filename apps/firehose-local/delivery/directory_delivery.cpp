#include "delivery/directory_delivery.hpp"

#include <spdlog/spdlog.h>

#include "core/thread_name.hpp"
#include "delivery/stream_delivery.hpp"

namespace firehose::local {

DirectoryDelivery::DirectoryDelivery(std::filesystem::path data_dir, DeliveryListener listener,
                                     DirectoryDeliveryOptions options)
    : data_dir_(std::move(data_dir)), listener_(std::move(listener)), options_(std::move(options)) {
  if (options_.background_thread) {
    thread_ = std::thread([this] {
      core::name_this_thread("local-delivery");
      run();
    });
  }
}

DirectoryDelivery::~DirectoryDelivery() { stop(); }

std::chrono::system_clock::time_point DirectoryDelivery::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

std::shared_ptr<StreamDelivery> DirectoryDelivery::find(const std::string& stream_name) const {
  std::shared_lock lock(streams_mutex_);
  const auto it = streams_.find(stream_name);
  return it == streams_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<StreamDelivery>> DirectoryDelivery::all_streams() const {
  std::shared_lock lock(streams_mutex_);
  std::vector<std::shared_ptr<StreamDelivery>> streams;
  streams.reserve(streams_.size());
  for (const auto& [name, stream] : streams_) streams.push_back(stream);
  return streams;
}

void DirectoryDelivery::configure(const StreamDestination& destination) {
  std::lock_guard configuring(configure_mutex_);
  if (auto existing = find(destination.stream_name)) {
    existing->set_destination(destination);
    return;
  }
  // Recovery may read a large spool: done before the stream is published,
  // without holding the lock that accept() takes.
  auto stream = StreamDelivery::open(data_dir_, destination,
                                     StreamDeliveryOptions{options_.durable, options_.gzip_level, options_.fault_hook},
                                     listener_);
  if (!stream) {
    spdlog::error("stream {}: cannot open its spool: {}", destination.stream_name, stream.error().message);
    return;
  }
  std::unique_lock lock(streams_mutex_);
  streams_.emplace(destination.stream_name, std::shared_ptr<StreamDelivery>(std::move(*stream)));
}

void DirectoryDelivery::remove(const std::string& stream_name) {
  std::lock_guard configuring(configure_mutex_);
  std::shared_ptr<StreamDelivery> stream;
  {
    std::unique_lock lock(streams_mutex_);
    const auto it = streams_.find(stream_name);
    if (it == streams_.end()) return;
    stream = std::move(it->second);
    streams_.erase(it);
  }
  if (auto retired = stream->retire(now()); !retired) {
    spdlog::error("stream {}: deleted, but its spool could not be delivered and is kept: {}", stream_name,
                  retired.error().message);
  }
}

Status DirectoryDelivery::accept(const std::string& stream_name, const std::vector<std::string_view>& records) {
  auto stream = find(stream_name);
  if (!stream) {
    return make_error(ErrorKind::Transient, "InternalFailure", "no delivery configured for stream " + stream_name);
  }
  auto size_reached = stream->accept(records, now());
  if (!size_reached) return size_reached.error();
  if (*size_reached) wake();
  return {};
}

std::vector<std::string> DirectoryDelivery::flush_all() {
  std::vector<std::string> failures;
  for (const auto& stream : all_streams()) {
    if (auto delivered = stream->deliver(true, now()); !delivered) {
      spdlog::error("flush: {}", delivered.error().message);
      failures.push_back(delivered.error().message);
    }
  }
  return failures;
}

void DirectoryDelivery::deliver_due() {
  const auto time = now();
  for (const auto& stream : all_streams()) {
    if (!stream->due(time)) continue;
    if (auto delivered = stream->deliver(false, time); !delivered) {
      spdlog::error("delivery failed, retrying: {}", delivered.error().message);
    }
  }
}

void DirectoryDelivery::wake() {
  // Only the first request notifies: a full buffer keeps asking on every
  // accept() until it is delivered.
  if (!wake_requested_.exchange(true)) wake_cv_.notify_one();
}

void DirectoryDelivery::run() {
  std::unique_lock lock(wake_mutex_);
  while (!stopping_) {
    // A notification racing with the check costs at most one interval.
    wake_cv_.wait_for(lock, options_.check_interval, [&] { return stopping_ || wake_requested_.load(); });
    if (stopping_) break;
    wake_requested_.store(false);
    lock.unlock();
    deliver_due();
    lock.lock();
  }
}

void DirectoryDelivery::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  std::lock_guard joining(thread_mutex_);
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<DirectoryDelivery> make_directory_delivery(std::filesystem::path data_dir, DeliveryListener listener,
                                                           DirectoryDeliveryOptions options) {
  return std::make_unique<DirectoryDelivery>(std::move(data_dir), std::move(listener), std::move(options));
}

std::unique_ptr<Delivery> make_directory_delivery(std::filesystem::path data_dir, DeliveryListener listener) {
  return make_directory_delivery(std::move(data_dir), std::move(listener), DirectoryDeliveryOptions{});
}

}  // namespace firehose::local
