#include "status_line.hpp"

#include <cstdio>
#include <mutex>

namespace firehose::cli::status_line {
namespace {

std::mutex g_mutex;
std::string g_line;  // what is on the status line now; empty = none

void put(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stderr); }

}  // namespace

void show(std::string_view line) {
  std::lock_guard lock(g_mutex);
  put(kEraseLine);
  put(line);
  std::fflush(stderr);
  g_line = line;
}

void clear() {
  std::lock_guard lock(g_mutex);
  if (g_line.empty()) return;
  put(kEraseLine);
  std::fflush(stderr);
  g_line.clear();
}

void write(std::string_view text) {
  std::lock_guard lock(g_mutex);
  if (!g_line.empty()) put(kEraseLine);
  put(text);
  if (!g_line.empty()) put(g_line);
  std::fflush(stderr);
}

}  // namespace firehose::cli::status_line
