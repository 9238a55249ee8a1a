#pragma once
// The wall clock, injectable so that expiry and refresh logic is testable.
#include <chrono>
#include <functional>

namespace firehose::aws {

using WallClock = std::function<std::chrono::system_clock::time_point()>;

inline std::chrono::system_clock::time_point system_now() { return std::chrono::system_clock::now(); }

}  // namespace firehose::aws
