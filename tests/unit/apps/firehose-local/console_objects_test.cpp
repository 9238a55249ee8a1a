// RecentObjects and preview_object: the last objects delivered, newest first,
// and previews that read no more than their bounds, gzip or not.
#include "console_objects.hpp"

#include <zlib.h>

#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "local_test_support.hpp"

namespace firehose::local {
namespace {

using testing::TempDir;

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string gzip(const std::string& data) {
  z_stream zlib{};
  EXPECT_EQ(deflateInit2(&zlib, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zlib, static_cast<uLong>(data.size())), '\0');
  zlib.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zlib.avail_in = static_cast<uInt>(data.size());
  zlib.next_out = reinterpret_cast<Bytef*>(out.data());
  zlib.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zlib, Z_FINISH), Z_STREAM_END);
  out.resize(zlib.total_out);
  deflateEnd(&zlib);
  return out;
}

std::string numbered_lines(int count, std::size_t pad = 0) {
  std::string out;
  for (int i = 0; i < count; ++i) out += "record " + std::to_string(i) + std::string(pad, 'x') + "\n";
  return out;
}

TEST(ConsolePreview, FirstLinesOfAPlainObject) {
  TempDir dir;
  write_file(dir.path() / "o", numbered_lines(3));
  auto preview = preview_object(dir.path() / "o");
  ASSERT_TRUE(preview.ok()) << preview.error().message;
  EXPECT_EQ(preview->lines, (std::vector<std::string>{"record 0", "record 1", "record 2"}));
  EXPECT_FALSE(preview->more);
}

TEST(ConsolePreview, BoundedInLinesAndInBytesPerLine) {
  TempDir dir;
  write_file(dir.path() / "o", numbered_lines(2, 500) + numbered_lines(10));
  auto preview = preview_object(dir.path() / "o", PreviewLimits{.lines = 4, .line_bytes = 20});
  ASSERT_TRUE(preview.ok());
  ASSERT_EQ(preview->lines.size(), 4u);
  EXPECT_EQ(preview->lines[0], "record 0xxxxxxxxxxxx\u2026");
  EXPECT_EQ(preview->lines[2], "record 0");
  EXPECT_TRUE(preview->more);
}

TEST(ConsolePreview, ReadsNoFurtherThanItsDecodedBound) {
  TempDir dir;
  // One 10 MB record without a newline: the preview looks at 64 bytes of it.
  write_file(dir.path() / "o", std::string(10'000'000, 'a'));
  auto preview = preview_object(dir.path() / "o", PreviewLimits{.lines = 5, .line_bytes = 200, .decoded_bytes = 64});
  ASSERT_TRUE(preview.ok());
  ASSERT_EQ(preview->lines.size(), 1u);
  EXPECT_EQ(preview->lines[0], std::string(64, 'a') + "\u2026");
  EXPECT_TRUE(preview->more);
}

TEST(ConsolePreview, GunzipsGzObjectsAndConcatenatedMembers) {
  TempDir dir;
  write_file(dir.path() / "o.gz", gzip("one\ntwo\n") + gzip("three\n"));
  auto preview = preview_object(dir.path() / "o.gz");
  ASSERT_TRUE(preview.ok()) << preview.error().message;
  EXPECT_EQ(preview->lines, (std::vector<std::string>{"one", "two", "three"}));

  write_file(dir.path() / "big.gz", gzip(numbered_lines(100000)));
  preview = preview_object(dir.path() / "big.gz", PreviewLimits{.lines = 2});
  ASSERT_TRUE(preview.ok());
  EXPECT_EQ(preview->lines, (std::vector<std::string>{"record 0", "record 1"}));
  EXPECT_TRUE(preview->more);
}

TEST(ConsolePreview, GzObjectsAreReadChunkByChunkUpToTheFileBound) {
  TempDir dir;
  std::mt19937 random(7);
  std::string content;
  for (int i = 0; i < 6; ++i) {
    content += "line " + std::to_string(i) + " ";
    for (int j = 0; j < 10000; ++j) content += static_cast<char>('a' + random() % 26);  // compresses little
    content += "\n";
  }
  const std::string compressed = gzip(content);
  ASSERT_GT(compressed.size(), 32u * 1024) << "more than two chunks of 16 KiB";
  write_file(dir.path() / "o.gz", compressed);
  auto preview =
      preview_object(dir.path() / "o.gz", PreviewLimits{.lines = 5, .line_bytes = 6, .decoded_bytes = 60'000});
  ASSERT_TRUE(preview.ok()) << preview.error().message;
  EXPECT_EQ(preview->lines,
            (std::vector<std::string>{"line 0\u2026", "line 1\u2026", "line 2\u2026", "line 3\u2026", "line 4\u2026"}));
  // With a file bound of 16 KiB only the first two records can be decoded.
  preview =
      preview_object(dir.path() / "o.gz",
                     PreviewLimits{.lines = 5, .line_bytes = 6, .decoded_bytes = 60'000, .file_bytes = 16 * 1024});
  ASSERT_TRUE(preview.ok());
  EXPECT_LE(preview->lines.size(), 3u);
  EXPECT_EQ(preview->lines.at(0), "line 0\u2026");
}

TEST(ConsolePreview, ErrorsNameTheFile) {
  TempDir dir;
  auto missing = preview_object(dir.path() / "gone");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("gone"), std::string::npos);
  write_file(dir.path() / "broken.gz", "this is not gzip at all");
  auto broken = preview_object(dir.path() / "broken.gz");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("not valid gzip"), std::string::npos) << broken.error().message;
}

TEST(RecentObjects, KeepsTheNewestFirstWithKeysRelativeToTheDataDirectory) {
  TempDir dir;
  RecentObjects recent(dir.path(), 2);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  for (int i = 0; i < 3; ++i) {
    const auto path = dir.path() / "bucket" / "p" / ("object-" + std::to_string(i));
    write_file(path, "<script>alert(" + std::to_string(i) + ")</script>\n");
    recent.add(DeliveredObject{"s", path, 1, 30, now}, now + std::chrono::seconds(i));
  }
  const nlohmann::json view = recent.to_json();
  ASSERT_EQ(view.at("objects").size(), 2u);
  EXPECT_EQ(view["objects"][0]["key"], "bucket/p/object-2");
  EXPECT_EQ(view["objects"][1]["key"], "bucket/p/object-1");
  EXPECT_EQ(view["objects"][0]["delivered_ms"], 1'700'000'002'000);
  EXPECT_EQ(view["objects"][0]["preview"]["lines"][0], "<script>alert(2)</script>");  // data as is: the page escapes

  std::filesystem::remove(dir.path() / "bucket" / "p" / "object-1");
  EXPECT_TRUE(recent.to_json()["objects"][1].contains("preview_error"));
}

}  // namespace
}  // namespace firehose::local
