#pragma once
// Request body buffers for the senders to reuse: a body built in a buffer
// that was used before costs no allocation, no first-touch page faults and
// no zero fill. Idle buffers are kept only up to an allowance (set aside
// from the memory budget), so that large bodies (packed records, 4 MiB
// each) do not each stay with a sender once the budget lets fewer of them
// be in flight than there are senders.
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace firehose::producer {

class BodyBuffers {
 public:
  explicit BodyBuffers(std::size_t allowance_bytes) : allowance_(allowance_bytes) {}

  // The buffer given back last (its memory is the likeliest to be in a
  // cache), or an empty string.
  std::string take();
  // Kept while the idle buffers fit the allowance; freed otherwise.
  void give_back(std::string buffer);
  std::size_t idle_bytes() const;

 private:
  const std::size_t allowance_;
  mutable std::mutex mutex_;
  std::vector<std::string> idle_;
  std::size_t idle_bytes_ = 0;
};

}  // namespace firehose::producer
