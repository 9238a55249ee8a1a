#pragma once
// The environment view is public (firehose/environment.hpp); the resolution
// code of this folder names it aws::Environment.
#include "firehose/environment.hpp"

namespace firehose::aws {
using firehose::Environment;
}  // namespace firehose::aws
