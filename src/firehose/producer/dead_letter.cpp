#include "firehose/dead_letter.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/timestamp.hpp"

namespace firehose {
namespace {

using nlohmann::ordered_json;

Error file_error(const char* code, const std::string& what, const std::string& path, int error_number) {
  return make_error(ErrorKind::Config, code, fmt::format("{} {}: {}", what, path, std::strerror(error_number)));
}

Error malformed(std::string why) { return make_error(ErrorKind::Client, "MalformedDeadLetter", std::move(why)); }

ordered_json time_or_null(const std::optional<std::chrono::system_clock::time_point>& time) {
  return time ? ordered_json(aws::format_iso8601(*time, /*with_milliseconds=*/true)) : ordered_json(nullptr);
}

// Looks up `key` in `object`, checking its type; `why` gets the reason on failure.
const nlohmann::json* field(const nlohmann::json& object, const char* key, nlohmann::json::value_t type, bool nullable,
                            std::string& why) {
  const auto it = object.find(key);
  if (it == object.end()) {
    why = fmt::format("missing \"{}\"", key);
    return nullptr;
  }
  const bool integer_ok = type == nlohmann::json::value_t::number_unsigned && it->is_number_integer();
  if (it->type() != type && !integer_ok && !(nullable && it->is_null())) {
    why = fmt::format("\"{}\" is not {}", key, nlohmann::json(type).type_name());
    return nullptr;
  }
  return &*it;
}

}  // namespace

std::string format_dead_letter(const DeadLetterEntry& entry) {
  ordered_json line;
  line["stream"] = entry.stream;
  line[entry.truncated ? "data_prefix" : "data"] = aws::crypto::base64_encode(entry.data);
  if (entry.truncated) line["truncated"] = true;
  if (entry.size) line["size"] = *entry.size;
  if (!entry.source.empty()) line["source"] = entry.source;
  line["error_code"] = entry.error_code;
  line["error_message"] = entry.error_message;
  line["attempts"] = entry.attempts;
  line["first_attempt"] = time_or_null(entry.first_attempt);
  line["last_attempt"] = time_or_null(entry.last_attempt);
  line["possible_duplicate"] = entry.possible_duplicate;
  // Error messages come from servers and may hold any bytes: replace rather
  // than throw on invalid UTF-8.
  return line.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

Result<DeadLetterEntry> parse_dead_letter(std::string_view line) {
  using value_t = nlohmann::json::value_t;
  const nlohmann::json object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return malformed("not valid JSON");
  if (!object.is_object()) return malformed("not a JSON object");

  std::string why;
  const auto* stream = field(object, "stream", value_t::string, false, why);
  const bool truncated =
      object.contains("truncated") && object["truncated"].is_boolean() && object["truncated"].get<bool>();
  const auto* data = stream ? field(object, truncated ? "data_prefix" : "data", value_t::string, false, why) : nullptr;
  const auto* code = data ? field(object, "error_code", value_t::string, false, why) : nullptr;
  const auto* message = code ? field(object, "error_message", value_t::string, false, why) : nullptr;
  const auto* attempts = message ? field(object, "attempts", value_t::number_unsigned, false, why) : nullptr;
  const auto* first = attempts ? field(object, "first_attempt", value_t::string, true, why) : nullptr;
  const auto* last = first ? field(object, "last_attempt", value_t::string, true, why) : nullptr;
  const auto* duplicate = last ? field(object, "possible_duplicate", value_t::boolean, false, why) : nullptr;
  if (!duplicate) return malformed(why);

  DeadLetterEntry entry;
  entry.stream = stream->get<std::string>();
  auto decoded = aws::crypto::base64_decode(data->get_ref<const std::string&>());
  if (!decoded) return malformed(fmt::format("\"data\": {}", decoded.error().message));
  entry.data = std::move(decoded).value();
  entry.error_code = code->get<std::string>();
  entry.error_message = message->get<std::string>();
  const std::int64_t count = attempts->get<std::int64_t>();
  if (count < 0 || count > std::numeric_limits<int>::max()) return malformed("\"attempts\" is out of range");
  entry.attempts = static_cast<int>(count);
  for (auto [value, target, key] : {std::tuple{first, &entry.first_attempt, "first_attempt"},
                                    std::tuple{last, &entry.last_attempt, "last_attempt"}}) {
    if (value->is_null()) continue;
    auto time = aws::parse_iso8601(value->get_ref<const std::string&>());
    if (!time) return malformed(fmt::format("\"{}\" is not an ISO-8601 time", key));
    *target = *time;
  }
  entry.possible_duplicate = duplicate->get<bool>();
  entry.truncated = truncated;
  if (const auto it = object.find("size"); it != object.end()) {
    if (!it->is_number_unsigned()) return malformed("\"size\" is not a number");
    entry.size = it->get<std::size_t>();
  }
  if (const auto it = object.find("source"); it != object.end()) {
    if (!it->is_string()) return malformed("\"source\" is not a string");
    entry.source = it->get<std::string>();
  }
  return entry;
}

Result<std::unique_ptr<DeadLetterWriter>> DeadLetterWriter::open(const std::string& path) {
  // O_EXCL first, to know whether this call created the file: only a file we
  // created gets its mode forced to 0600 (the umask can only remove bits, but
  // default ACLs can add some).
  // O_NOFOLLOW: a symbolic link planted where the file goes (in a shared
  // directory) must not send the records and their data somewhere else.
  bool created = true;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0 && errno == ELOOP) {
    return make_error(ErrorKind::Config, "DeadLetterOpenFailed",
                      fmt::format("cannot open dead-letter file {}: it is a symbolic link (not followed: give the "
                                  "file's own path)",
                                  path));
  }
  if (fd < 0) return file_error("DeadLetterOpenFailed", "cannot open dead-letter file", path, errno);
  if (created && ::fchmod(fd, 0600) != 0) {
    const int error_number = errno;
    ::close(fd);
    return file_error("DeadLetterOpenFailed", "cannot set mode 0600 on dead-letter file", path, error_number);
  }
  return std::unique_ptr<DeadLetterWriter>(new DeadLetterWriter(path, fd));
}

DeadLetterWriter::~DeadLetterWriter() { ::close(fd_); }

Status DeadLetterWriter::write(const DeadLetterEntry& entry) {
  std::string line = format_dead_letter(entry);
  line.push_back('\n');
  std::lock_guard lock(mutex_);
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return file_error("DeadLetterWriteFailed", "cannot write to dead-letter file", path_, errno);
    }
    written += static_cast<std::size_t>(n);
  }
  return {};
}

Status DeadLetterWriter::flush() {
  std::lock_guard lock(mutex_);
  if (::fsync(fd_) != 0) return file_error("DeadLetterWriteFailed", "cannot sync dead-letter file", path_, errno);
  return {};
}

Status for_each_dead_letter(const std::string& path, const std::function<bool(DeadLetterEntry&&)>& on_entry) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return file_error("DeadLetterOpenFailed", "cannot read dead-letter file", path, errno);
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto entry = parse_dead_letter(line);
    if (!entry) {
      const bool last_cut_short = in.eof();  // getline hit the end before a '\n'
      return malformed(fmt::format("{}:{}: {}{}", path, number, entry.error().message,
                                   last_cut_short ? " (last line, no newline: cut short?)" : ""));
    }
    if (!on_entry(std::move(entry).value())) return {};
  }
  if (in.bad()) return file_error("DeadLetterOpenFailed", "cannot read dead-letter file", path, errno);
  return {};
}

Result<std::vector<DeadLetterEntry>> read_dead_letters(const std::string& path) {
  std::vector<DeadLetterEntry> entries;
  auto read = for_each_dead_letter(path, [&](DeadLetterEntry&& entry) {
    entries.push_back(std::move(entry));
    return true;
  });
  if (!read) return read.error();
  return entries;
}

}  // namespace firehose
