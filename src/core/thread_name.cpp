#include "core/thread_name.hpp"

#include <pthread.h>

#include <algorithm>

namespace firehose::core {
namespace {

constexpr std::size_t kMaxNameLength = 15;  // the kernel's TASK_COMM_LEN, less its terminator

}  // namespace

void name_this_thread(std::string_view name) {
  const std::string kept(name.substr(0, std::min(name.size(), kMaxNameLength)));
  ::pthread_setname_np(::pthread_self(), kept.c_str());  // a name is a help, not a need: failure is ignored
}

std::string this_thread_name() {
  char name[kMaxNameLength + 1] = {};
  if (::pthread_getname_np(::pthread_self(), name, sizeof(name)) != 0) return {};
  return name;
}

}  // namespace firehose::core
