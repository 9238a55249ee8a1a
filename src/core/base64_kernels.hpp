#pragma once
// The two base64 encoders behind crypto::base64_encode_to and the two group
// decoders behind crypto::base64_decode, exposed so that tests can hold each
// to OpenSSL's output (and the decoders to each other) whichever one this CPU
// would pick.
#include <cstddef>

namespace firehose::aws::crypto::detail {

// Each writes the padded encoding of `size` bytes at `dst` and returns its end.
char* base64_encode_portable(const unsigned char* src, std::size_t size, char* dst);
// Only where base64_avx2_available(); elsewhere it is the portable encoder.
char* base64_encode_avx2(const unsigned char* src, std::size_t size, char* dst);
bool base64_avx2_available();

// Decode `groups` whole groups of four characters (no padding) at `src` into
// 3 * groups bytes at `dst`. Return how many groups were decoded: fewer than
// `groups` when the next one holds a character outside the alphabet.
std::size_t base64_decode_groups_portable(const unsigned char* src, std::size_t groups, unsigned char* dst);
// Only where base64_avx2_available(); elsewhere it is the portable decoder.
std::size_t base64_decode_groups_avx2(const unsigned char* src, std::size_t groups, unsigned char* dst);

}  // namespace firehose::aws::crypto::detail
