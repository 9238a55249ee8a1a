// Published vectors (FIPS 180-2 examples, RFC 4231) for the hashes signing runs on.
#include "core/crypto.hpp"

#include <gtest/gtest.h>

namespace firehose::aws::crypto {
namespace {

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

std::string bytes_1_to_25() {
  std::string s;
  for (int i = 1; i <= 25; ++i) s.push_back(static_cast<char>(i));
  return s;
}

TEST(CryptoSha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(repeat('a', 1000000)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(CryptoSha256, RawDigestMatchesHex) {
  const Sha256Digest digest = sha256("abc");
  EXPECT_EQ(digest[0], 0xba);
  EXPECT_EQ(digest[31], 0xad);
  EXPECT_EQ(hex_encode(digest), sha256_hex("abc"));
}

TEST(CryptoSha256, HasherInPiecesEqualsOneShot) {
  const std::string text = repeat('x', 100000) + "tail";
  Sha256Hasher hasher;
  hasher.update(std::string_view(text).substr(0, 7));
  hasher.update(std::string_view(text).substr(7, 65536));
  hasher.update("");
  hasher.update(std::string_view(text).substr(7 + 65536));
  EXPECT_EQ(hasher.finish(), sha256(text));
  // Reusable after finish.
  hasher.update("abc");
  EXPECT_EQ(hex_encode(hasher.finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoHmac, Rfc4231Vectors) {
  EXPECT_EQ(hex_encode(hmac_sha256(repeat('\x0b', 20), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_encode(hmac_sha256(repeat('\xaa', 20), repeat('\xdd', 50))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  EXPECT_EQ(hex_encode(hmac_sha256(bytes_1_to_25(), repeat('\xcd', 50))),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  EXPECT_EQ(hex_encode(hmac_sha256(repeat('\x0c', 20), "Test With Truncation")).substr(0, 32),
            "a3b6167473100ee06e0c796c2955552b");
  EXPECT_EQ(hex_encode(hmac_sha256(repeat('\xaa', 131), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hex_encode(hmac_sha256(repeat('\xaa', 131),
                                   "This is a test using a larger than block-size key and a larger than block-size "
                                   "data. The key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(CryptoHmac, DigestKeyOverloadEqualsBytes) {
  const Sha256Digest key = sha256("key");
  const std::string key_bytes(reinterpret_cast<const char*>(key.data()), key.size());
  EXPECT_EQ(hmac_sha256(key, "data"), hmac_sha256(key_bytes, "data"));
}

TEST(CryptoHex, EncodesLowerCase) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode(std::string("\x00\x01\x7f\x80\xfe\xff", 6)), "00017f80feff");
  EXPECT_EQ(hex_encode("\xAB\xCD"), "abcd");
}

TEST(CryptoConstantTime, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "ab"));
  EXPECT_FALSE(constant_time_equals("ab", "abc"));
}

}  // namespace
}  // namespace firehose::aws::crypto
