#pragma once
// Input framing for the commands that read records: one record per line.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace firehose::cli {

// Lines longer than a limit are refused as they stream, never buffered
// whole: only their first bytes are kept (a line with no newline in a
// 300 MB pipe must not take 300 MB).
struct LineLimit {
  std::size_t max_bytes = SIZE_MAX;  // a line's size with its '\n'
  static constexpr std::size_t kPrefixBytes = 1024;
  // Called, in order with the other lines, for each line over max_bytes:
  // its first kPrefixBytes and its full size (with the '\n').
  std::function<void(std::string_view prefix, std::size_t size)> on_oversize;
  // A last line without '\n' is normally taken whole (the '\n' added). But
  // when the input is a regular file whose size changed while it was read
  // (a writer appending, or a truncation), that line is torn, not whole: it
  // goes here instead (its first kPrefixBytes and its size without '\n').
  // Unset: taken as a whole line all the same.
  std::function<void(std::string_view prefix, std::size_t size)> on_torn_last_line;
  // A line whose end had not come when should_stop() ended the reading (a
  // signal while a pipe was mid-line): its first kPrefixBytes and its size
  // so far. Only for inputs that cannot be read again (pipes, terminals,
  // sockets): in a regular file that line is still there, like the lines
  // after it. Unset: dropped, as no line was read.
  std::function<void(std::string_view prefix, std::size_t size)> on_cut_by_stop;
};

// Whether a regular file changed size while it was read: its size now
// differs from `size_before`, or from where reading ended.
struct InputChange {
  bool regular = false;
  off_t size_before = 0;
  off_t start = 0;

  static InputChange watch(std::FILE* file) {
    InputChange change;
    struct stat info {};
    const int fd = fileno(file);
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
      change.regular = true;
      change.size_before = info.st_size;
      const off_t at = ::lseek(fd, 0, SEEK_CUR);
      change.start = at < 0 ? 0 : at;
    }
    return change;
  }
  bool changed(std::FILE* file, std::uint64_t bytes_read) const {
    struct stat info {};
    if (!regular || ::fstat(fileno(file), &info) != 0) return false;
    return info.st_size != size_before || start + static_cast<off_t>(bytes_read) != info.st_size;
  }
};

// Reads what the input has, up to `size` bytes. read(2) on the descriptor
// returns as soon as a pipe holds data: fread waits for a whole block, so
// `tail -f app.log | firehose send -` sent nothing until 128 KiB had come.
// Streams without a descriptor (fmemopen) go through fread. 0 at the end;
// -1 on an error, with errno (EINTR when a signal interrupted the read).
inline long read_available(std::FILE* file, char* data, std::size_t size) {
  const int fd = fileno(file);
  if (fd < 0) {
    const std::size_t n = std::fread(data, 1, size, file);
    return n == 0 && std::ferror(file) ? -1 : static_cast<long>(n);
  }
  return static_cast<long>(::read(fd, data, size));
}

// Calls `on_lines` with the lines of each block read from `file`, each line's
// '\n' kept (added to a last line without one), until `should_stop()`
// (checked per block and after a read that a signal interrupted).
// The lines are views, valid during the call: most lie inside the block,
// and are not copied here. Reads up to a large block at a time (this is the
// hot input path), and hands over what a pipe has as soon as it has it.
// False on a read error (errno says which).
template <class ShouldStop, class OnLines>
bool for_each_line_block(std::FILE* file, ShouldStop&& should_stop, OnLines&& on_lines, const LineLimit& limit = {}) {
  // 128 KiB: the block is still in the core's L2 cache when the lines are
  // split and copied out of it (1 MiB blocks measured 0.15-0.25 CPU-s/GiB more).
  std::vector<char> block(128 * 1024);
  std::string partial;        // a line cut by the end of a block (its prefix only, when discarding)
  bool discarding = false;    // the cut line is over the limit: its bytes are counted, not kept
  std::size_t discarded = 0;  // its size so far
  std::vector<std::string_view> lines;
  auto oversize = [&](std::string_view prefix, std::size_t size) {
    if (limit.on_oversize) limit.on_oversize(prefix.substr(0, LineLimit::kPrefixBytes), size);
  };
  auto flush_lines = [&] {
    if (!lines.empty()) on_lines(std::span<const std::string_view>(lines));
    lines.clear();
  };
  const InputChange change = InputChange::watch(file);
  std::uint64_t bytes_read = 0;
  for (;;) {
    if (should_stop()) {
      if (limit.on_cut_by_stop && !change.regular && (discarding || !partial.empty())) {
        limit.on_cut_by_stop(std::string_view(partial).substr(0, LineLimit::kPrefixBytes),
                             discarding ? discarded : partial.size());
      }
      return true;
    }
    const long got = read_available(file, block.data(), block.size());
    if (got < 0) {
      if (errno == EINTR) continue;  // a stop is seen at the loop's top
      return false;
    }
    if (got == 0) break;
    const std::size_t n = static_cast<std::size_t>(got);
    bytes_read += n;
    const char* start = block.data();
    const char* end = block.data() + n;
    bool joined = false;  // the block's first line ends the one cut by the last block
    while (start < end) {
      const char* newline = static_cast<const char*>(std::memchr(start, '\n', static_cast<std::size_t>(end - start)));
      if (newline == nullptr) break;
      const std::size_t piece = static_cast<std::size_t>(newline + 1 - start);
      if (discarding) {
        oversize(partial, discarded + piece);
        discarding = false;
        partial.clear();
      } else if (lines.empty() && !partial.empty() && !joined) {
        if (partial.size() + piece > limit.max_bytes) {
          const std::size_t size = partial.size() + piece;
          if (partial.size() < LineLimit::kPrefixBytes) {
            partial.append(start, std::min(piece, LineLimit::kPrefixBytes - partial.size()));
          }
          oversize(partial, size);
          partial.clear();
        } else {
          partial.append(start, newline + 1);  // not touched again before on_lines
          lines.emplace_back(partial);
          joined = true;
        }
      } else if (piece > limit.max_bytes) {
        flush_lines();
        oversize(std::string_view(start, piece), piece);
      } else {
        lines.emplace_back(start, piece);
      }
      start = newline + 1;
    }
    flush_lines();
    if (joined) partial.clear();
    const std::size_t rest = static_cast<std::size_t>(end - start);
    if (discarding) {
      discarded += rest;
    } else if (partial.size() + rest > limit.max_bytes) {
      // Over the limit before its end: keep its first bytes, count the rest.
      discarded = partial.size() + rest;
      if (partial.size() < LineLimit::kPrefixBytes) {
        partial.append(start, std::min(rest, LineLimit::kPrefixBytes - partial.size()));
      }
      std::string(partial, 0, std::min(partial.size(), LineLimit::kPrefixBytes)).swap(partial);  // frees the rest
      discarding = true;
    } else {
      partial.append(start, end);
    }
  }
  if (discarding) {
    oversize(partial, discarded + 1);  // the '\n' a last line gets
  } else if (!partial.empty() && limit.on_torn_last_line && change.changed(file, bytes_read)) {
    limit.on_torn_last_line(std::string_view(partial).substr(0, LineLimit::kPrefixBytes), partial.size());
  } else if (!partial.empty()) {
    partial.push_back('\n');
    if (partial.size() > limit.max_bytes) {
      oversize(partial, partial.size());
    } else {
      const std::string_view last(partial);
      on_lines(std::span<const std::string_view>(&last, 1));
    }
  }
  return true;
}

// The same, one line at a time.
template <class ShouldStop, class OnLine>
bool for_each_line(std::FILE* file, ShouldStop&& should_stop, OnLine&& on_line) {
  return for_each_line_block(file, should_stop, [&](std::span<const std::string_view> lines) {
    for (std::string_view line : lines) on_line(line);
  });
}

}  // namespace firehose::cli
