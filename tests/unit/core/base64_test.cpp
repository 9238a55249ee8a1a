// Base64: RFC 4648 vectors, both encoders against OpenSSL's, and the
// strictness of the decoder firehose-local uses to reject bad record data.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <initializer_list>
#include <random>
#include <string>

#include "core/base64_kernels.hpp"
#include "core/crypto.hpp"

namespace firehose::aws::crypto {
namespace {

TEST(CryptoBase64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [raw, encoded] : vectors) {
    SCOPED_TRACE(raw);
    EXPECT_EQ(base64_encode(raw), encoded);
    EXPECT_EQ(base64_encoded_size(std::string_view(raw).size()), std::string_view(encoded).size());
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, raw);
  }
}

TEST(CryptoBase64, UsesTheStandardAlphabet) {
  EXPECT_EQ(base64_encode("\xfb\xff\xbf"), "+/+/");
  auto decoded = base64_decode("+/+/");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "\xfb\xff\xbf");
}

TEST(CryptoBase64, EncodedSizes) {
  EXPECT_EQ(base64_encoded_size(0), 0u);
  EXPECT_EQ(base64_encoded_size(1), 4u);
  EXPECT_EQ(base64_encoded_size(3), 4u);
  EXPECT_EQ(base64_encoded_size(4), 8u);
  EXPECT_EQ(base64_encoded_size(1024000), 1365336u);
}

TEST(CryptoBase64, AppendKeepsWhatIsThere) {
  std::string out = R"({"Data":")";
  base64_encode_append("hello", out);
  out += "\"}";
  EXPECT_EQ(out, R"({"Data":"aGVsbG8="})");
}

TEST(CryptoBase64, RoundTripsEveryByteAndLength) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  for (std::size_t length = 0; length < 300; ++length) {
    std::string raw(length, '\0');
    for (char& c : raw) c = static_cast<char>(byte(rng));
    const std::string encoded = base64_encode(raw);
    ASSERT_EQ(encoded.size(), base64_encoded_size(length));
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.ok()) << length;
    ASSERT_EQ(*decoded, raw) << length;
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  auto decoded = base64_decode(base64_encode(all));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, all);
}

// Decoding in place (firehose-local decodes a batch's records one after the
// other into one buffer): the same bytes and errors as base64_decode, and
// nothing written past the decoded size.
TEST(CryptoBase64, DecodeToWritesExactlyTheDecodedBytes) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  constexpr char kGuard = '\x5a';
  for (std::size_t length = 0; length < 200; ++length) {
    std::string raw(length, '\0');
    for (char& c : raw) c = static_cast<char>(byte(rng));
    const std::string encoded = base64_encode(raw);
    std::string out(base64_decoded_bound(encoded.size()) + 16, kGuard);
    auto size = base64_decode_to(encoded, out.data());
    ASSERT_TRUE(size.ok()) << length;
    ASSERT_EQ(*size, length);
    EXPECT_EQ(out.substr(0, length), raw) << length;
    EXPECT_EQ(out.find_first_not_of(kGuard, length), std::string::npos) << length << ": written past the end";
  }
  for (const char* text : {"Zg", "Zm9v!A==", "Zg==Zg==", "Zm=v"}) {
    std::string out(16, kGuard);
    auto to = base64_decode_to(text, out.data());
    auto decoded = base64_decode(text);
    ASSERT_FALSE(to.ok()) << text;
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(to.error().message, decoded.error().message);
    EXPECT_EQ(to.error().code, "InvalidBase64");
  }
}

// OpenSSL's encoder is the oracle: ours are different algorithms (12-bit
// lookups over 6-byte steps; AVX2 over 24- and 48-byte steps), so every
// length around the step sizes and every byte value must come out the same,
// from each encoder, without a byte written past the end.
std::string openssl_base64(const std::string& raw) {
  std::string expected(base64_encoded_size(raw.size()) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(expected.data()),
                                      reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  expected.resize(static_cast<std::size_t>(written));
  return expected;
}

using Encoder = char* (*)(const unsigned char*, std::size_t, char*);

void expect_like_openssl(Encoder encode, const char* name) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  constexpr char kGuard = '#';
  for (std::size_t length = 0; length < 600; ++length) {
    std::string raw(length, '\0');
    for (char& c : raw) c = static_cast<char>(byte(rng));
    const std::size_t size = base64_encoded_size(length);
    std::string out(size + 64, kGuard);
    char* end = encode(reinterpret_cast<const unsigned char*>(raw.data()), length, out.data());
    ASSERT_EQ(static_cast<std::size_t>(end - out.data()), size) << name << ", length " << length;
    ASSERT_EQ(out.substr(0, size), openssl_base64(raw)) << name << ", length " << length;
    ASSERT_EQ(out.substr(size), std::string(64, kGuard)) << name << " wrote past the end, length " << length;
  }
}

TEST(CryptoBase64, PortableEncoderEncodesLikeOpenSsl) {
  expect_like_openssl(&detail::base64_encode_portable, "portable");
}

TEST(CryptoBase64, Avx2EncoderEncodesLikeOpenSsl) {
  if (!detail::base64_avx2_available()) GTEST_SKIP() << "this CPU has no AVX2";
  expect_like_openssl(&detail::base64_encode_avx2, "avx2");
}

TEST(CryptoBase64, EncodesLikeOpenSslAtAnOffsetAndAtRecordSize) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string raw(1024000 + 7, '\0');
  for (char& c : raw) c = static_cast<char>(byte(rng));
  for (std::size_t offset : {0, 1, 5, 7}) {
    const std::string part = raw.substr(offset, 1024000);
    std::string out(base64_encoded_size(part.size()), '\0');
    base64_encode_to(std::string_view(raw).substr(offset, 1024000), out.data());
    ASSERT_EQ(out, openssl_base64(part)) << "offset " << offset;
  }
}

TEST(CryptoBase64, RoundTripsARecordSizedBuffer) {
  std::string raw(1024000, '\0');
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>((i * 131) ^ (i >> 7));
  const std::string encoded = base64_encode(raw);
  EXPECT_EQ(encoded.size(), 1365336u);
  auto decoded = base64_decode(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(*decoded == raw);
}

TEST(CryptoBase64, StrictDecodingRejectsMalformedInput) {
  const char* invalid[] = {
      "Zg",           // missing padding
      "Zg=",          // short padding
      "Zm9vY",        // length not a multiple of 4
      "Z===",         // too much padding
      "Zm9v====",     // a whole group of padding
      "Zg==Zg==",     // padding in the middle
      "=Zm9",         // padding first
      "Zm=v",         // padding inside a group
      "Zm9v\n",       // whitespace
      "Zm9 v",        // whitespace
      "Zm9-",         // URL-safe alphabet
      "Zm9_",         // URL-safe alphabet
      "Zm9v!A==",     // punctuation
      "\xc3\xa9QQQ",  // non-ASCII
  };
  for (const char* text : invalid) {
    SCOPED_TRACE(text);
    auto decoded = base64_decode(text);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code, "InvalidBase64");
    EXPECT_EQ(decoded.error().kind, ErrorKind::Client);
  }
  EXPECT_FALSE(base64_decode(std::string("Zm9v\0AAA", 8)).ok());  // embedded NUL
}

// Both group decoders against OpenSSL's encoding, at every length up to 600
// bytes and every alignment of the vector loop; and with a character outside
// the alphabet at every position, each stopping at the group that holds it.
using GroupDecoder = std::size_t (*)(const unsigned char*, std::size_t, unsigned char*);
void expect_decodes_openssl_output(GroupDecoder decode, const char* name) {
  std::mt19937 rng(13);
  std::uniform_int_distribution<int> byte(0, 255);
  constexpr unsigned char kGuard = 0xA5;
  for (std::size_t groups = 0; groups < 200; ++groups) {
    std::string raw(groups * 3, '\0');
    for (char& c : raw) c = static_cast<char>(byte(rng));
    const std::string text = openssl_base64(raw);
    ASSERT_EQ(text.size(), groups * 4);
    // The vector loop may write up to 8 bytes past a step; never past the end.
    std::string out(raw.size() + 32, static_cast<char>(kGuard));
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    ASSERT_EQ(decode(reinterpret_cast<const unsigned char*>(text.data()), groups, dst), groups)
        << name << " " << groups;
    ASSERT_EQ(out.substr(0, raw.size()), raw) << name << ", " << groups << " groups";
    ASSERT_EQ(out.substr(raw.size()), std::string(32, static_cast<char>(kGuard))) << name << " wrote past the end";
  }
  std::string raw(3 * 60, '\0');
  for (char& c : raw) c = static_cast<char>(byte(rng));
  const std::string good = openssl_base64(raw);
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (int bad : std::initializer_list<int>{'=', '-', '_', ' ', 0, 0x80, 0xff, '.', ':', '@', '[', '`', '{'}) {
      std::string text = good;
      text[at] = static_cast<char>(bad);
      std::string out(raw.size() + 32, '\0');
      const std::size_t decoded =
          decode(reinterpret_cast<const unsigned char*>(text.data()), 60, reinterpret_cast<unsigned char*>(out.data()));
      ASSERT_EQ(decoded, at / 4) << name << ": 0x" << std::hex << bad << " at " << std::dec << at;
      ASSERT_EQ(out.substr(0, decoded * 3), raw.substr(0, decoded * 3)) << name;
    }
  }
}

TEST(CryptoBase64, PortableDecoderDecodesOpenSslOutput) {
  expect_decodes_openssl_output(&detail::base64_decode_groups_portable, "portable");
}

TEST(CryptoBase64, Avx2DecoderDecodesOpenSslOutput) {
  if (!detail::base64_avx2_available()) GTEST_SKIP() << "this CPU has no AVX2";
  expect_decodes_openssl_output(&detail::base64_decode_groups_avx2, "avx2");
}

TEST(CryptoBase64, ErrorNamesTheOffsetDeepInALongText) {
  std::string text = base64_encode(std::string(3000, 'x'));
  text[2345] = '!';
  auto decoded = base64_decode(text);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("offset 2345: invalid character 0x21"), std::string::npos)
      << decoded.error().message;
}

TEST(CryptoBase64, ErrorNamesTheOffset) {
  auto decoded = base64_decode("Zm9vYm!y");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("offset 6"), std::string::npos) << decoded.error().message;
}

}  // namespace
}  // namespace firehose::aws::crypto
