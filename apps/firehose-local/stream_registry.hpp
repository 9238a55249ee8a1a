#pragma once
// The delivery streams that exist, with their lifecycle: CREATING until
// --create-delay has passed, then ACTIVE; DELETING after a delete until
// --delete-delay has passed, then gone. States follow from timestamps, so
// nothing has to wake up to change them and a restarted server computes the
// same states. Each stream is a JSON file under DIR/streams/, written
// atomically (aside, then renamed), so a server killed at any point and
// restarted on the same directory knows its streams.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/result.hpp"
#include "stream_definition.hpp"

namespace firehose::local {

enum class StreamStatus { Creating, Active, Deleting };
const char* to_string(StreamStatus status);

struct StreamSnapshot {
  std::shared_ptr<const StreamDefinition> definition;
  StreamStatus status = StreamStatus::Creating;
};

class StreamRegistry {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `directory` empty: streams live in memory only. `account_id` words the errors.
  StreamRegistry(std::filesystem::path directory, std::string account_id, Clock clock);

  // Reads DIR/streams/*.json (start-up). Streams whose deletion completed
  // while the server was down are removed; unreadable files are skipped and
  // reported in `problems` (left in place for a person to look at).
  std::vector<StreamSnapshot> load(std::vector<std::string>& problems);

  // ResourceInUseException if the name exists in any state; InternalFailure
  // (500) if the definition cannot be written. `before_visible` runs once the
  // definition is stored and before any other call can see the stream (so
  // that delivery is ready before the first put can arrive).
  Result<StreamSnapshot> create(StreamDefinition definition, std::chrono::milliseconds create_delay,
                                const std::function<void(const StreamDefinition&)>& before_visible = nullptr);

  // ResourceNotFoundException for unknown (or fully deleted) streams.
  Result<StreamSnapshot> find(std::string_view name);

  // Marks the stream DELETING; true when this call started the deletion
  // (false: it was DELETING already). ResourceNotFoundException for unknown
  // streams, ResourceInUseException while it is still CREATING.
  Result<bool> begin_delete(std::string_view name, std::chrono::milliseconds delete_delay);

  // Every stream in any state, sorted by name (byte order, as the service lists them).
  std::vector<StreamSnapshot> list();

 private:
  struct Entry {
    std::shared_ptr<const StreamDefinition> definition;
    std::chrono::system_clock::time_point active_at;
    std::optional<std::chrono::system_clock::time_point> gone_at;
  };

  StreamStatus status_of(const Entry& entry, std::chrono::system_clock::time_point now) const;
  void purge_locked(std::chrono::system_clock::time_point now);
  Status persist(const Entry& entry) const;
  void unlink(const std::string& name) const;
  std::filesystem::path file_of(std::string_view name) const;
  Error not_found(std::string_view name) const;

  std::filesystem::path directory_;
  std::string account_id_;
  Clock clock_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> streams_;
  std::size_t deleting_ = 0;
};

}  // namespace firehose::local
