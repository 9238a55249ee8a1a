#pragma once
// The two base64 encoders behind crypto::base64_encode_to, exposed so that
// tests can hold each to OpenSSL's output whichever one this CPU would pick.
#include <cstddef>

namespace firehose::aws::crypto::detail {

// Each writes the padded encoding of `size` bytes at `dst` and returns its end.
char* base64_encode_portable(const unsigned char* src, std::size_t size, char* dst);
// Only where base64_avx2_available(); elsewhere it is the portable encoder.
char* base64_encode_avx2(const unsigned char* src, std::size_t size, char* dst);
bool base64_avx2_available();

}  // namespace firehose::aws::crypto::detail
