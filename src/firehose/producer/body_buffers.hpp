#pragma once
// Request body buffers for the senders to reuse: a body built in a buffer
// that was used before costs no allocation, no first-touch page faults and
// no zero fill. Idle buffers are kept only up to an allowance (set aside
// from the memory budget), so that large bodies (packed records, 4 MiB
// each) do not each stay with a sender once the budget lets fewer of them
// be in flight than there are senders.
//
// A body in flight is charged to the budget at its records' encoded size,
// not at its buffer's capacity: a 4 MiB buffer lent to a 1.3 MB body (one
// packed record sent again after a throttle) holds 2.7 MB that nothing
// charged, and with several such bodies in flight `--pack` under a quota
// peaked 6-9 MiB over its budget. So the allowance bounds all the body
// memory that is not charged: the idle buffers plus the unused part of each
// lent one. Lending never adds to that sum; a buffer given back is freed
// when keeping it would take the sum over the allowance.
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace firehose::producer {

class BodyBuffers {
 public:
  explicit BodyBuffers(std::size_t allowance_bytes) : allowance_(allowance_bytes) {}

  // The smallest idle buffer that holds a body of `bytes`; else the largest
  // (to be outgrown); an empty string when none is idle.
  std::string take(std::size_t bytes);
  // Takes back a buffer that held a body of `bytes` (what take() was asked for).
  void give_back(std::string buffer, std::size_t bytes);
  std::size_t idle_bytes() const;
  // The unused part of the buffers lent out.
  std::size_t lent_excess_bytes() const;

 private:
  const std::size_t allowance_;
  mutable std::mutex mutex_;
  std::vector<std::string> idle_;
  std::size_t idle_bytes_ = 0;
  std::size_t lent_excess_ = 0;
};

}  // namespace firehose::producer
