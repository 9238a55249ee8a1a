#include "stream_registry.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace firehose::local {
namespace {

using std::chrono::system_clock;

std::int64_t to_millis(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

system_clock::time_point from_millis(std::int64_t ms) {
  return system_clock::time_point(std::chrono::milliseconds(ms));
}

// write(2) the whole text to `path` and fsync it: the rename that follows
// must never expose a partial file, even after a power loss.
Status write_file_synced(const std::filesystem::path& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(ErrorKind::Transient, "InternalFailure",
                      fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)), 500);
  }
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      return make_error(ErrorKind::Transient, "InternalFailure",
                        fmt::format("cannot write {}: {}", path.string(), std::strerror(saved)), 500);
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    return make_error(ErrorKind::Transient, "InternalFailure", fmt::format("cannot sync {}", path.string()), 500);
  }
  return {};
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

const char* to_string(StreamStatus status) {
  switch (status) {
    case StreamStatus::Creating: return "CREATING";
    case StreamStatus::Active: return "ACTIVE";
    case StreamStatus::Deleting: return "DELETING";
  }
  return "ACTIVE";
}

StreamRegistry::StreamRegistry(std::filesystem::path directory, std::string account_id, Clock clock)
    : directory_(directory.empty() ? std::filesystem::path() : directory / "streams"),
      account_id_(std::move(account_id)),
      clock_(clock ? std::move(clock) : Clock([] { return system_clock::now(); })) {}

std::filesystem::path StreamRegistry::file_of(std::string_view name) const {
  // Names are [a-zA-Z0-9_.-]{1,64}: safe as file names once suffixed ("." becomes "..json").
  return directory_ / (std::string(name) + ".json");
}

Error StreamRegistry::not_found(std::string_view name) const {
  return make_error(ErrorKind::Client, "ResourceNotFoundException",
                    fmt::format("Firehose {} under account {} not found.", name, account_id_), 400);
}

StreamStatus StreamRegistry::status_of(const Entry& entry, system_clock::time_point now) const {
  if (entry.gone_at) return StreamStatus::Deleting;
  return now < entry.active_at ? StreamStatus::Creating : StreamStatus::Active;
}

void StreamRegistry::purge_locked(system_clock::time_point now) {
  if (deleting_ == 0) return;
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (it->second.gone_at && *it->second.gone_at <= now) {
      unlink(it->first);
      --deleting_;
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
}

Status StreamRegistry::persist(const Entry& entry) const {
  if (directory_.empty()) return {};
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) {
    return make_error(ErrorKind::Transient, "InternalFailure",
                      fmt::format("cannot create {}: {}", directory_.string(), ec.message()), 500);
  }
  nlohmann::json stored = definition_to_json(*entry.definition);
  stored["ActiveAtMillis"] = to_millis(entry.active_at);
  if (entry.gone_at) stored["GoneAtMillis"] = to_millis(*entry.gone_at);
  const std::filesystem::path target = file_of(entry.definition->name);
  std::filesystem::path temporary = target;
  temporary += ".tmp";
  if (auto written = write_file_synced(temporary, stored.dump(2) + "\n"); !written) return written;
  std::filesystem::rename(temporary, target, ec);
  if (ec) {
    return make_error(ErrorKind::Transient, "InternalFailure",
                      fmt::format("cannot rename {}: {}", temporary.string(), ec.message()), 500);
  }
  sync_directory(directory_);
  return {};
}

void StreamRegistry::unlink(const std::string& name) const {
  if (directory_.empty()) return;
  std::error_code ec;
  std::filesystem::remove(file_of(name), ec);
}

std::vector<StreamSnapshot> StreamRegistry::load(std::vector<std::string>& problems) {
  std::vector<StreamSnapshot> loaded;
  if (directory_.empty()) return loaded;
  std::error_code ec;
  if (!std::filesystem::is_directory(directory_, ec)) return loaded;
  const system_clock::time_point now = clock_();
  std::lock_guard lock(mutex_);
  for (const auto& file : std::filesystem::directory_iterator(directory_, ec)) {
    const std::filesystem::path& path = file.path();
    if (path.extension() != ".json") continue;  // *.json.tmp: an interrupted write, superseded
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const auto stored = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    auto definition = definition_from_json(stored);
    if (!definition.ok()) {
      problems.push_back(fmt::format("{}: {}", path.string(), definition.error().message));
      continue;
    }
    Entry entry;
    entry.definition = std::make_shared<const StreamDefinition>(std::move(definition.value()));
    entry.active_at = from_millis(stored.value("ActiveAtMillis", std::int64_t{0}));
    if (stored.contains("GoneAtMillis")) entry.gone_at = from_millis(stored.at("GoneAtMillis").get<std::int64_t>());
    const std::string name = entry.definition->name;
    if (path.filename() != file_of(name).filename()) {
      problems.push_back(fmt::format("{}: holds stream '{}', expected file {}", path.string(), name,
                                     file_of(name).filename().string()));
      continue;
    }
    loaded.push_back(StreamSnapshot{entry.definition, status_of(entry, now)});
    if (entry.gone_at) ++deleting_;
    streams_.insert_or_assign(name, std::move(entry));
  }
  return loaded;
}

Result<StreamSnapshot> StreamRegistry::create(StreamDefinition definition, std::chrono::milliseconds create_delay,
                                              const std::function<void(const StreamDefinition&)>& before_visible) {
  const system_clock::time_point now = clock_();
  std::lock_guard lock(mutex_);
  purge_locked(now);
  if (streams_.contains(definition.name)) {
    return make_error(ErrorKind::Client, "ResourceInUseException",
                      fmt::format("Firehose {} under accountId {} already exists", definition.name, account_id_), 400);
  }
  Entry entry;
  entry.active_at = now + create_delay;
  entry.definition = std::make_shared<const StreamDefinition>(std::move(definition));
  if (auto stored = persist(entry); !stored) return stored.error();
  if (before_visible) before_visible(*entry.definition);
  const StreamSnapshot snapshot{entry.definition, status_of(entry, now)};
  streams_.emplace(entry.definition->name, std::move(entry));
  return snapshot;
}

Result<StreamSnapshot> StreamRegistry::find(std::string_view name) {
  const system_clock::time_point now = clock_();
  std::lock_guard lock(mutex_);
  purge_locked(now);
  const auto it = streams_.find(name);
  if (it == streams_.end()) return not_found(name);
  return StreamSnapshot{it->second.definition, status_of(it->second, now)};
}

Result<bool> StreamRegistry::begin_delete(std::string_view name, std::chrono::milliseconds delete_delay) {
  const system_clock::time_point now = clock_();
  std::lock_guard lock(mutex_);
  purge_locked(now);
  const auto it = streams_.find(name);
  if (it == streams_.end()) return not_found(name);
  Entry& entry = it->second;
  const StreamStatus status = status_of(entry, now);
  if (status == StreamStatus::Creating) {
    return make_error(
        ErrorKind::Client, "ResourceInUseException",
        fmt::format("Firehose {} under account {} is still CREATING and cannot be deleted yet.", name, account_id_),
        400);
  }
  if (status == StreamStatus::Deleting) return false;
  Entry updated = entry;
  updated.gone_at = now + delete_delay;
  if (auto stored = persist(updated); !stored) return stored.error();
  entry = std::move(updated);
  ++deleting_;
  return true;
}

std::vector<StreamSnapshot> StreamRegistry::list() {
  const system_clock::time_point now = clock_();
  std::lock_guard lock(mutex_);
  purge_locked(now);
  std::vector<StreamSnapshot> out;
  out.reserve(streams_.size());
  for (const auto& [name, entry] : streams_) out.push_back(StreamSnapshot{entry.definition, status_of(entry, now)});
  return out;
}

}  // namespace firehose::local
