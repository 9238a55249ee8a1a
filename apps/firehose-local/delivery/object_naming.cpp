#include "delivery/object_naming.hpp"

#include <sys/random.h>

#include <ctime>
#include <random>

#include <fmt/format.h>

namespace firehose::local {
namespace {

std::tm utc_fields(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  return fields;
}

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The subset of java.time.format.DateTimeFormatter patterns that prefixes use.
std::string format_java_timestamp(std::string_view pattern, const std::tm& t) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '\'') {
      // 'literal' text; '' is a single quote.
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
        out.push_back('\'');
        i += 2;
        continue;
      }
      ++i;
      while (i < pattern.size()) {
        if (pattern[i] == '\'') {
          if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
            out.push_back('\'');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        out.push_back(pattern[i++]);
      }
      continue;
    }
    if (!is_ascii_letter(c)) {
      out.push_back(c);
      ++i;
      continue;
    }
    std::size_t run = 1;
    while (i + run < pattern.size() && pattern[i + run] == c) ++run;
    const int width = static_cast<int>(run);
    switch (c) {
      case 'y':
      case 'u':
        if (run == 2)
          out += fmt::format("{:02}", (t.tm_year + 1900) % 100);
        else
          out += fmt::format("{:0{}}", t.tm_year + 1900, width);
        break;
      case 'M': out += fmt::format("{:0{}}", t.tm_mon + 1, width); break;
      case 'd': out += fmt::format("{:0{}}", t.tm_mday, width); break;
      case 'H': out += fmt::format("{:0{}}", t.tm_hour, width); break;
      case 'm': out += fmt::format("{:0{}}", t.tm_min, width); break;
      case 's': out += fmt::format("{:0{}}", t.tm_sec, width); break;
      default: out.append(pattern.substr(i, run)); break;  // not supported: kept as written
    }
    i += run;
  }
  return out;
}

// From the kernel, not a seeded engine: a forked process must not repeat its
// parent's names (a name collision would replace an object).
void fill_random(void* out, std::size_t size) {
  auto* bytes = static_cast<unsigned char*>(out);
  while (size > 0) {
    const ssize_t got = getrandom(bytes, size, 0);
    if (got <= 0) {
      std::random_device device;  // getrandom() unavailable: still not fork-shared state
      for (; size > 0; --size) *bytes++ = static_cast<unsigned char>(device());
      return;
    }
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
}

}  // namespace

std::string evaluate_prefix(std::string_view prefix, std::chrono::system_clock::time_point oldest,
                            std::string_view random_text) {
  const std::tm t = utc_fields(oldest);
  if (prefix.find("!{") == std::string_view::npos) {
    return fmt::format("{}{:04}/{:02}/{:02}/{:02}/", prefix, t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour);
  }
  std::string out;
  std::size_t i = 0;
  while (i < prefix.size()) {
    const std::size_t open = prefix.find("!{", i);
    const std::size_t close = open == std::string_view::npos ? open : prefix.find('}', open);
    if (close == std::string_view::npos) {
      out.append(prefix.substr(i));
      break;
    }
    out.append(prefix.substr(i, open - i));
    const std::string_view expression = prefix.substr(open + 2, close - open - 2);
    if (expression.starts_with("timestamp:")) {
      out += format_java_timestamp(expression.substr(10), t);
    } else if (expression == "firehose:random-string") {
      out.append(random_text);
    } else {
      out.append(prefix.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  return out;
}

std::string object_key(const StreamDestination& destination, std::chrono::system_clock::time_point oldest,
                       std::string_view uuid, std::string_view random_text) {
  const std::tm t = utc_fields(oldest);
  return fmt::format("{}{}-{}-{:04}-{:02}-{:02}-{:02}-{:02}-{:02}-{}{}",
                     evaluate_prefix(destination.prefix, oldest, random_text), destination.stream_name,
                     destination.version, t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                     uuid, destination.gzip ? ".gz" : "");
}

Result<std::filesystem::path> object_file_path(const std::filesystem::path& data_dir, std::string_view bucket,
                                               std::string_view key) {
  if (bucket.empty() || bucket == "." || bucket == ".." || bucket.find('/') != std::string_view::npos ||
      bucket.find('\0') != std::string_view::npos) {
    return make_error(ErrorKind::Client, "InvalidArgumentException",
                      fmt::format("bucket name '{}' cannot be used as a directory", bucket));
  }
  std::filesystem::path path = data_dir / std::string(bucket);
  std::size_t start = 0;
  std::size_t components = 0;
  while (start <= key.size()) {
    const std::size_t slash = key.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? key.size() : slash;
    std::string component(key.substr(start, end - start));
    start = end + 1;
    if (component.empty()) continue;
    if (component == ".") component = "%2E";
    if (component == "..") component = "%2E%2E";
    std::string safe;
    for (const char c : component) {
      if (c == '\0')
        safe += "%00";
      else
        safe.push_back(c);
    }
    path /= safe;
    ++components;
  }
  if (components == 0 || key.ends_with('/')) {
    return make_error(ErrorKind::Client, "InvalidArgumentException", fmt::format("object key '{}' names no file", key));
  }
  return path;
}

std::string random_uuid() {
  std::uint64_t words[2];
  fill_random(words, sizeof words);
  std::uint64_t high = words[0];
  std::uint64_t low = words[1];
  high = (high & ~0xf000ULL) | 0x4000ULL;            // version 4
  low = (low & ~(0xc0ULL << 56)) | (0x80ULL << 56);  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff, high & 0xffff, low >> 48,
                     low & 0xffffffffffffULL);
}

std::string random_string() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[11];
  fill_random(bytes, sizeof bytes);
  std::string text(sizeof bytes, ' ');
  // A modulo is slightly biased; names need to be unlikely to collide, not uniform.
  for (std::size_t i = 0; i < sizeof bytes; ++i) text[i] = kAlphabet[bytes[i] % (sizeof kAlphabet - 1)];
  return text;
}

}  // namespace firehose::local
