#pragma once
// A single-call command's retries: the session's policy and its retry quota.
#include <string_view>

#include "aws/retry_loop.hpp"
#include "aws/session_impl.hpp"

namespace firehose::cli {

template <class Call>
auto retry_call(const Session& session, std::string_view operation, Call&& call) {
  return aws::call_with_retries(session.retry_policy(), operation, std::forward<Call>(call),
                                session.impl().retry_quota.get());
}

}  // namespace firehose::cli
