#pragma once
// Input framing for the commands that read records: one record per line.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace firehose::cli {

// Calls `on_line` with each line of `file`, its '\n' kept (added to a last
// line without one), until `should_stop()` (checked per block; a read that a
// signal interrupted counts as a stop). A line is a view, valid during the
// call: most lie inside the block read, and are not copied here. Reads in
// large blocks: this is the hot input path. False on a read error.
template <class ShouldStop, class OnLine>
bool for_each_line(std::FILE* file, ShouldStop&& should_stop, OnLine&& on_line) {
  // 128 KiB: the block is still in the core's L2 cache when the lines are
  // split and copied out of it (1 MiB blocks measured 0.1-0.2 CPU-s/GiB more).
  std::vector<char> block(128 * 1024);
  std::string partial;  // a line cut by the end of a block
  for (;;) {
    if (should_stop()) return true;
    const std::size_t n = std::fread(block.data(), 1, block.size(), file);
    if (n == 0) {
      if (std::ferror(file) && errno == EINTR && should_stop()) return true;
      break;
    }
    const char* start = block.data();
    const char* end = block.data() + n;
    while (start < end) {
      const char* newline = static_cast<const char*>(std::memchr(start, '\n', static_cast<std::size_t>(end - start)));
      if (newline == nullptr) {
        partial.append(start, end);
        break;
      }
      if (partial.empty()) {
        on_line(std::string_view(start, static_cast<std::size_t>(newline + 1 - start)));
      } else {
        partial.append(start, newline + 1);
        on_line(std::string_view(partial));
        partial.clear();
      }
      start = newline + 1;
    }
  }
  if (std::ferror(file)) return false;
  if (!partial.empty()) {
    partial.push_back('\n');
    on_line(std::string_view(partial));
  }
  return true;
}

}  // namespace firehose::cli
