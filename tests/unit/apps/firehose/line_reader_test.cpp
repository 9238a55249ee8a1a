// Input framing: every line once, with its '\n', whatever the block
// boundaries (128 KiB) cut through: lines shorter and longer than a block,
// a last line without '\n', an empty file.
#include "line_reader.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace firehose::cli {
namespace {

std::FILE* file_with(const std::string& text) {
  std::FILE* file = std::tmpfile();
  std::fwrite(text.data(), 1, text.size(), file);
  std::rewind(file);
  return file;
}

std::vector<std::string> read_blocks(const std::string& text, std::size_t* calls = nullptr) {
  std::FILE* file = file_with(text);
  std::vector<std::string> lines;
  EXPECT_TRUE(for_each_line_block(
      file, [] { return false; },
      [&](std::span<const std::string_view> block) {
        EXPECT_FALSE(block.empty());
        if (calls != nullptr) ++*calls;
        for (std::string_view line : block) lines.emplace_back(line);
      }));
  std::fclose(file);
  return lines;
}

TEST(LineReader, EveryLineOnceWithItsNewlineAcrossBlockBoundaries) {
  std::mt19937 rng(3);
  std::vector<std::size_t> lengths = {1, 131071, 131072, 131073, 300000, 5, 1};  // around and past a block
  std::uniform_int_distribution<std::size_t> small(1, 3000);
  for (int i = 0; i < 400; ++i) lengths.push_back(small(rng));
  std::string text;
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    std::string line(lengths[i] - 1, static_cast<char>('a' + i % 26));
    line += '\n';
    expected.push_back(line);
    text += line;
  }
  std::size_t calls = 0;
  EXPECT_EQ(read_blocks(text, &calls), expected);
  EXPECT_LT(calls, expected.size());  // lines come a block at a time
}

TEST(LineReader, ALastLineWithoutNewlineGetsOne) {
  EXPECT_EQ(read_blocks("a\nbc"), (std::vector<std::string>{"a\n", "bc\n"}));
  EXPECT_EQ(read_blocks(std::string(200000, 'x')), (std::vector<std::string>{std::string(200000, 'x') + "\n"}));
  EXPECT_TRUE(read_blocks("").empty());
}

// A writer appending while the file is read: the last line is cut, not whole.
TEST(LineReader, ALastLineOfAFileThatGrewWhileReadIsTorn) {
  std::FILE* file = file_with("a\nb");
  std::vector<std::string> lines;
  std::vector<std::pair<std::string, std::size_t>> torn;
  LineLimit limit;
  limit.on_torn_last_line = [&](std::string_view prefix, std::size_t size) { torn.emplace_back(prefix, size); };
  bool appended = false;
  EXPECT_TRUE(for_each_line_block(
      file, [] { return false; },
      [&](std::span<const std::string_view> block) {
        for (std::string_view line : block) lines.emplace_back(line);
        if (!appended) {
          appended = true;
          // Another writer appends (pwrite leaves the reader's offset alone).
          EXPECT_EQ(::pwrite(fileno(file), "c", 1, 3), 1);
        }
      },
      limit));
  std::fclose(file);
  EXPECT_EQ(lines, std::vector<std::string>{"a\n"});
  EXPECT_EQ(torn, (std::vector<std::pair<std::string, std::size_t>>{{"bc", 2}}));
}

TEST(LineReader, AnUnchangedFilesLastLineIsWholeEvenWithATornHandler) {
  std::FILE* file = file_with("a\nbc");
  std::vector<std::string> lines;
  LineLimit limit;
  limit.on_torn_last_line = [&](std::string_view, std::size_t) { ADD_FAILURE() << "not torn"; };
  EXPECT_TRUE(for_each_line_block(
      file, [] { return false; },
      [&](std::span<const std::string_view> block) {
        for (std::string_view line : block) lines.emplace_back(line);
      },
      limit));
  std::fclose(file);
  EXPECT_EQ(lines, (std::vector<std::string>{"a\n", "bc\n"}));
}

TEST(LineReader, OneLineAtATimeIsTheSame) {
  const std::string text = "one\ntwo\n" + std::string(140000, 'z') + "\nlast";
  std::FILE* file = file_with(text);
  std::vector<std::string> lines;
  EXPECT_TRUE(for_each_line(
      file, [] { return false; }, [&](std::string_view line) { lines.emplace_back(line); }));
  std::fclose(file);
  EXPECT_EQ(lines, read_blocks(text));
  EXPECT_EQ(lines.size(), 4u);
}

}  // namespace
}  // namespace firehose::cli

namespace firehose::cli {
namespace {

// Lines over a limit are refused as they stream: their first bytes and
// size are reported in order with the other lines, never the whole line.
TEST(LineReader, LinesOverTheLimitAreReportedWithPrefixAndSizeInOrder) {
  const std::string big(300'000, 'x');                                                  // longer than a 128 KiB block
  const std::string input = "a\n" + big + "\nb\n" + std::string(10, 'y') + "\n" + big;  // the last without '\n'
  std::FILE* file = fmemopen(const_cast<char*>(input.data()), input.size(), "rb");
  ASSERT_NE(file, nullptr);
  std::vector<std::string> events;
  LineLimit limit;
  limit.max_bytes = 11;  // "yyyyyyyyyy\n" is exactly 11: allowed
  limit.on_oversize = [&](std::string_view prefix, std::size_t size) {
    events.push_back("oversize " + std::to_string(prefix.size()) + " " + std::to_string(size));
  };
  EXPECT_TRUE(for_each_line_block(
      file, [] { return false; },
      [&](std::span<const std::string_view> lines) {
        for (auto line : lines) events.emplace_back(line);
      },
      limit));
  std::fclose(file);
  const std::vector<std::string> expected = {"a\n", "oversize 1024 300001", "b\n", "yyyyyyyyyy\n",
                                             "oversize 1024 300001"};
  EXPECT_EQ(events, expected);
}

TEST(LineReader, ALineExactlyAtTheLimitWithoutItsNewlineIsStillOverIt) {
  const std::string input(12, 'z');  // no '\n': one is added, making 13
  std::FILE* file = fmemopen(const_cast<char*>(input.data()), input.size(), "rb");
  ASSERT_NE(file, nullptr);
  std::size_t reported = 0;
  int lines = 0;
  LineLimit limit;
  limit.max_bytes = 12;
  limit.on_oversize = [&](std::string_view, std::size_t size) { reported = size; };
  EXPECT_TRUE(for_each_line_block(
      file, [] { return false; }, [&](std::span<const std::string_view> l) { lines += static_cast<int>(l.size()); },
      limit));
  std::fclose(file);
  EXPECT_EQ(lines, 0);
  EXPECT_EQ(reported, 13u);
}

// `tail -f app.log | firehose send -`: a line that came down a pipe that
// stays open is handed over at once, not when 128 KiB have come.
TEST(LineReader, APipesLinesAreHandedOverBeforeTheBlockFillsOrThePipeCloses) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::FILE* file = ::fdopen(fds[0], "rb");
  ASSERT_NE(file, nullptr);
  std::promise<std::string> first_line;
  std::atomic<bool> got_first{false};
  auto reader = std::async(std::launch::async, [&] {
    return for_each_line(
        file, [] { return false; },
        [&](std::string_view line) {
          if (!got_first.exchange(true)) first_line.set_value(std::string(line));
        });
  });
  ASSERT_EQ(::write(fds[1], "first\n", 6), 6);
  // The writer keeps the pipe open: with a reader that waits for a whole
  // block the line never comes (the bound only ends the test, it is no timing).
  auto seen = first_line.get_future();
  const bool arrived = seen.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  ::close(fds[1]);
  EXPECT_TRUE(reader.get());
  std::fclose(file);
  ASSERT_TRUE(arrived) << "the line stayed in the reader until the pipe closed";
  EXPECT_EQ(seen.get(), "first\n");
}

}  // namespace
}  // namespace firehose::cli
