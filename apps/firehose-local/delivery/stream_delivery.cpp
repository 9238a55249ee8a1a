#include "delivery/stream_delivery.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "delivery/object_naming.hpp"
#include "delivery/object_writer.hpp"
#include "delivery/spool_reader.hpp"

namespace firehose::local {
namespace {

using Clock = std::chrono::system_clock;

constexpr std::chrono::seconds kRetryDelay{1};

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::uint64_t size_limit(const StreamDestination& destination) {
  return std::max<std::uint64_t>(destination.buffer_bytes, 1);
}

Error inconsistent(std::string_view stream) {
  return make_error(ErrorKind::Transient, "InternalFailure",
                    fmt::format("spool of {} holds fewer records than counted", stream));
}

}  // namespace

std::filesystem::path stream_spool_directory(const std::filesystem::path& data_dir, std::string_view stream_name) {
  std::string name;
  if (stream_name == "." || stream_name == "..") {
    for (std::size_t i = 0; i < stream_name.size(); ++i) name += "%2E";
  } else {
    for (const char c : stream_name) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                         c == '.' || c == '-';
      if (plain)
        name.push_back(c);
      else
        name += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return data_dir / "spool" / name;
}

StreamDelivery::StreamDelivery(std::filesystem::path data_dir, StreamDestination destination,
                               StreamDeliveryOptions options, DeliveryListener listener)
    : data_dir_(std::move(data_dir)),
      spool_directory_(stream_spool_directory(data_dir_, destination.stream_name)),
      options_(std::move(options)),
      listener_(std::move(listener)),
      destination_(std::move(destination)),
      buffer_bytes_(size_limit(destination_)) {}

Result<std::unique_ptr<StreamDelivery>> StreamDelivery::open(std::filesystem::path data_dir,
                                                             StreamDestination destination,
                                                             StreamDeliveryOptions options, DeliveryListener listener) {
  std::unique_ptr<StreamDelivery> stream(
      new StreamDelivery(std::move(data_dir), std::move(destination), std::move(options), std::move(listener)));
  const auto& directory = stream->spool_directory_;
  if (auto made = make_directories(directory); !made) return made.error();

  auto journal = read_journal(stream->journal_path());
  if (!journal) {
    // Never expected (the journal is replaced atomically); redelivering
    // everything still spooled beats losing it.
    spdlog::error("{}; delivering the whole spool again", journal.error().message);
    journal = JournalState{};
  }
  if (journal->object) {
    const auto object = stream->data_dir_ / *journal->object;
    if (journal->object_end && file_exists(object)) journal->delivered = *journal->object_end;
    if (auto removed = remove_file(ObjectWriter::temp_path_for(object)); !removed) return removed.error();
    journal->object.reset();
    journal->object_end.reset();
    if (auto written = write_journal(stream->journal_path(), *journal, stream->options_.durable); !written) {
      return written.error();
    }
  }
  stream->journal_ = *journal;

  auto spool = StreamSpool::open(directory, stream->journal_.delivered, SpoolOptions{stream->options_.durable});
  if (!spool) return spool.error();
  stream->spool_ = std::move(*spool);
  const auto recovered = stream->spool_->totals();
  if (recovered.records > 0) {
    spdlog::info("stream {}: {} spooled records ({} bytes) from a previous run to deliver",
                 stream->destination_.stream_name, recovered.records, recovered.bytes);
  }
  return stream;
}

void StreamDelivery::set_destination(const StreamDestination& destination) {
  std::lock_guard lock(destination_mutex_);
  destination_ = destination;
  buffer_bytes_.store(size_limit(destination));
}

StreamDestination StreamDelivery::destination() const {
  std::lock_guard lock(destination_mutex_);
  return destination_;
}

Result<bool> StreamDelivery::accept(const std::vector<std::string_view>& records, Clock::time_point now) {
  auto totals = spool_->append(records, now);
  if (!totals) return totals.error();
  return totals->bytes >= buffer_bytes_.load(std::memory_order_relaxed);
}

bool StreamDelivery::due(Clock::time_point now) const {
  if (steady_now_ns() < retry_after_ns_.load(std::memory_order_relaxed)) return false;
  const auto totals = spool_->totals();
  if (totals.records == 0) return false;
  const auto current = destination();
  return totals.bytes >= size_limit(current) || (totals.oldest && *totals.oldest + current.buffer_interval <= now);
}

Status StreamDelivery::deliver(bool everything, Clock::time_point now) {
  std::lock_guard lock(delivery_mutex_);
  auto status = deliver_locked(everything, now);
  if (!status) {
    retry_after_ns_.store(steady_now_ns() + std::chrono::nanoseconds(kRetryDelay).count());
  }
  return status;
}

Status StreamDelivery::retire(Clock::time_point now) {
  spool_->close_for_appends();
  std::lock_guard lock(delivery_mutex_);
  if (retired_) return {};
  if (auto delivered = deliver_locked(true, now); !delivered) return delivered;
  retired_ = true;
  std::error_code ec;
  std::filesystem::remove_all(spool_->directory(), ec);
  if (ec) return io_error("remove", spool_->directory(), ec.value());
  return {};
}

Status StreamDelivery::deliver_locked(bool everything, Clock::time_point now) {
  if (retired_) return {};
  const StreamDestination destination = this->destination();
  const SpoolSnapshot snapshot = spool_->close_current();
  if (snapshot.totals.records == 0) return {};
  const std::uint64_t limit = size_limit(destination);
  everything = everything || (snapshot.totals.oldest && *snapshot.totals.oldest + destination.buffer_interval <= now);

  auto hook = [&](std::string_view stage) {
    if (options_.fault_hook) options_.fault_hook(stage);
  };
  SpoolReader reader(spool_->directory(), snapshot.segments, journal_.delivered);
  std::uint64_t remaining_records = snapshot.totals.records;
  std::uint64_t remaining_bytes = snapshot.totals.bytes;
  while (remaining_records > 0) {
    if (!everything && remaining_bytes < limit) break;  // a partial object waits for its interval
    auto first = reader.peek_arrival();
    if (!first) return first.error();
    if (!*first) return inconsistent(destination.stream_name);

    const std::string key = object_key(destination, **first, random_uuid(), random_string());
    auto path = object_file_path(data_dir_, destination.bucket, key);
    if (!path) return path.error();
    JournalState writing = journal_;
    writing.object = path->lexically_relative(data_dir_).generic_string();
    if (auto written = write_journal(journal_path(), writing, options_.durable); !written) return written;

    auto writer =
        ObjectWriter::open(*path, ObjectWriterOptions{destination.gzip, options_.gzip_level, options_.durable});
    if (!writer) return writer.error();
    DeliveredObject object{destination.stream_name, *path, 0, 0, **first};
    while (object.records < remaining_records && object.bytes < limit) {
      auto record = reader.next();
      if (!record) return record.error();
      if (!*record) return inconsistent(destination.stream_name);
      if (auto appended = (*writer)->append((*record)->data); !appended) return appended;
      ++object.records;
      object.bytes += (*record)->data.size();
      object.oldest_record = std::min(object.oldest_record, (*record)->arrival);
    }
    hook("object_written");

    const SpoolPosition end = reader.position();
    writing.object_end = end;
    if (auto written = write_journal(journal_path(), writing, options_.durable); !written) return written;
    if (auto committed = (*writer)->commit(); !committed) return committed;
    hook("object_renamed");

    // The object is visible: from here on it counts as delivered, even if
    // the journal cannot be updated (recovery then finds it by its name).
    journal_ = JournalState{end, std::nullopt, std::nullopt};
    if (auto written = write_journal(journal_path(), journal_, options_.durable); !written) {
      spdlog::error("stream {}: {}", destination.stream_name, written.error().message);
    }
    hook("journal_committed");

    auto next = reader.peek_arrival();
    if (!next) spdlog::error("stream {}: {}", destination.stream_name, next.error().message);
    spool_->mark_delivered(object.records, object.bytes, end, next ? *next : std::nullopt);
    remaining_records -= object.records;
    remaining_bytes -= object.bytes;
    spdlog::debug("stream {}: delivered {} records ({} bytes) to {}", destination.stream_name, object.records,
                  object.bytes, object.path.string());
    if (listener_) listener_(object);
  }
  return {};
}

}  // namespace firehose::local
