// ObjectDecoder: GZIP objects (one member or several, fed in any pieces) and
// plain ones, and GZIP streams that are cut or corrupt.
#include <zlib.h>

#include <gtest/gtest.h>

#include <string>

#include "firehose/s3_client.hpp"

namespace firehose {
namespace {

std::string gzip(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Decodes `stored` fed `piece` bytes at a time.
Result<std::string> decode(std::string_view stored, std::size_t piece, bool* was_gzip = nullptr) {
  ObjectDecoder decoder;
  std::string out;
  auto sink = [&](std::string_view bytes) { out.append(bytes); };
  for (std::size_t at = 0; at < stored.size(); at += piece) {
    if (auto fed = decoder.feed(stored.substr(at, piece), sink); !fed) return fed.error();
  }
  if (auto done = decoder.finish(sink); !done) return done.error();
  if (was_gzip != nullptr) *was_gzip = decoder.gzip();
  return out;
}

std::string lines(int count) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += "{\"id\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 50, 'x') + "\"}\n";
  return text;
}

TEST(ObjectDecoder, ReadsGzipInAnyPieces) {
  const std::string text = lines(20000);  // over a MiB: several output chunks
  const std::string stored = gzip(text);
  for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, stored.size()}) {
    bool was_gzip = false;
    auto decoded = decode(stored, piece, &was_gzip);
    ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, text) << "pieces of " << piece;
    EXPECT_TRUE(was_gzip);
  }
}

TEST(ObjectDecoder, ReadsEveryMemberOfAMultiMemberGzip) {
  const std::string stored = gzip("first\n") + gzip("second\n") + gzip(lines(100));
  auto decoded = decode(stored, 3);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "first\nsecond\n" + lines(100));
}

TEST(ObjectDecoder, PassesPlainContentThrough) {
  bool was_gzip = true;
  for (std::string text : {std::string(""), std::string("x"), lines(10), std::string("\x1f not gzip\n")}) {
    auto decoded = decode(text, 2, &was_gzip);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, text);
    EXPECT_FALSE(was_gzip);
  }
}

TEST(ObjectDecoder, ACutOrCorruptGzipIsAnError) {
  const std::string stored = gzip(lines(1000));
  auto cut = decode(stored.substr(0, stored.size() - 9), 100);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, "CorruptObject");
  EXPECT_NE(cut.error().message.find("cut short"), std::string::npos);
  std::string corrupt = stored;
  corrupt[20] = static_cast<char>(corrupt[20] ^ 0x55);
  corrupt[21] = static_cast<char>(corrupt[21] ^ 0x55);
  auto bad = decode(corrupt, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "CorruptObject");
  auto garbage_after = decode(stored + "trailing text", 100);
  EXPECT_FALSE(garbage_after.ok());
}

}  // namespace
}  // namespace firehose
