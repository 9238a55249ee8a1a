#include "firehose/dead_letter.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "firehose-dead-letter-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

system_clock::time_point at_ms(std::int64_t ms_since_epoch) {
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(milliseconds(ms_since_epoch)));
}

// 2024-05-01T12:00:00.123Z
const system_clock::time_point kMay1 = at_ms(1'714'564'800'123);

DeadLetterEntry sample(std::string data = "hello\n") {
  DeadLetterEntry entry;
  entry.stream = "orders";
  entry.data = std::move(data);
  entry.error_code = "ServiceUnavailableException";
  entry.error_message = "Slow down.";
  entry.attempts = 10;
  entry.first_attempt = kMay1;
  entry.last_attempt = kMay1 + std::chrono::seconds(41) + milliseconds(7) - milliseconds(123);
  entry.possible_duplicate = false;
  return entry;
}

std::unique_ptr<DeadLetterWriter> open_or_fail(const std::string& path) {
  auto writer = DeadLetterWriter::open(path);
  EXPECT_TRUE(writer.ok()) << (writer.ok() ? "" : writer.error().to_string());
  return writer.ok() ? std::move(writer).value() : nullptr;
}

// ---------------------------------------------------------------------------
// Format

TEST(DeadLetter, LineHasTheDocumentedShape) {
  EXPECT_EQ(format_dead_letter(sample()),
            R"({"stream":"orders","data":"aGVsbG8K","error_code":"ServiceUnavailableException",)"
            R"("error_message":"Slow down.","attempts":10,"first_attempt":"2024-05-01T12:00:00.123Z",)"
            R"("last_attempt":"2024-05-01T12:00:41.007Z","possible_duplicate":false})");
}

TEST(DeadLetter, NeverSentRecordHasNullTimes) {
  DeadLetterEntry entry = sample();
  entry.error_code = "Shutdown";
  entry.attempts = 0;
  entry.first_attempt.reset();
  entry.last_attempt.reset();
  const std::string line = format_dead_letter(entry);
  EXPECT_NE(line.find(R"("first_attempt":null,"last_attempt":null)"), std::string::npos) << line;
  auto parsed = parse_dead_letter(line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, entry);
}

TEST(DeadLetter, TimesAreWrittenToTheMillisecondInUtc) {
  DeadLetterEntry entry = sample();
  entry.first_attempt = kMay1 + std::chrono::microseconds(999);  // floored
  entry.last_attempt = at_ms(0);
  const std::string line = format_dead_letter(entry);
  EXPECT_NE(line.find(R"("first_attempt":"2024-05-01T12:00:00.123Z")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("last_attempt":"1970-01-01T00:00:00.000Z")"), std::string::npos) << line;
}

TEST(DeadLetter, InvalidUtf8InAMessageIsReplacedNotFatal) {
  DeadLetterEntry entry = sample();
  entry.error_message = "bad \xff byte";
  const std::string line = format_dead_letter(entry);
  auto parsed = parse_dead_letter(line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->error_message, "bad \xEF\xBF\xBD byte");  // U+FFFD
  EXPECT_EQ(parsed->data, entry.data);
}

// ---------------------------------------------------------------------------
// Writing and reading back

TEST(DeadLetter, RoundTripKeepsBinaryDataAndEveryField) {
  ScratchDir dir;
  const std::string path = dir.file("dead.ndjson");
  std::vector<DeadLetterEntry> entries;
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  entries.push_back(sample(every_byte));
  entries.push_back(sample(""));
  std::mt19937_64 generator(3);
  std::string largest(1'024'000, '\0');
  for (char& c : largest) c = static_cast<char>(generator());
  entries.push_back(sample(largest));
  DeadLetterEntry other = sample("{\"json\": \"inside\"}\n\"quotes\" \\ and\r\nnewlines");
  other.stream = "a.b-c_d";
  other.error_code = "InternalFailure";
  other.error_message = "Line one\nline \"two\"\t\\";
  other.attempts = 1;
  other.possible_duplicate = true;
  other.first_attempt = at_ms(-1);  // before 1970
  entries.push_back(other);
  {
    auto writer = open_or_fail(path);
    ASSERT_TRUE(writer);
    EXPECT_EQ(writer->path(), path);
    for (const auto& entry : entries) ASSERT_TRUE(writer->write(entry).ok());
    ASSERT_TRUE(writer->flush().ok());
  }
  const std::string raw = read_file(path);
  EXPECT_EQ(std::count(raw.begin(), raw.end(), '\n'), static_cast<long>(entries.size()));
  EXPECT_EQ(raw.back(), '\n');

  auto read = read_dead_letters(path);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  ASSERT_EQ(read->size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) EXPECT_EQ((*read)[i], entries[i]) << i;
}

TEST(DeadLetter, CreatesTheFileWithMode0600EvenUnderUmask000) {
  ScratchDir dir;
  const std::string path = dir.file("dead.ndjson");
  const mode_t previous = ::umask(0);
  auto writer = DeadLetterWriter::open(path);
  ::umask(previous);
  ASSERT_TRUE(writer.ok()) << writer.error().to_string();
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
}

TEST(DeadLetter, RefusesASymbolicLinkAndLeavesItsTargetAlone) {
  ScratchDir dir;
  const std::string target = dir.file("elsewhere.txt");
  write_file(target, "untouched\n");
  const std::string link = dir.file("dead.ndjson");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  auto writer = DeadLetterWriter::open(link);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().code, "DeadLetterOpenFailed");
  EXPECT_NE(writer.error().message.find("symbolic link"), std::string::npos) << writer.error().message;
  EXPECT_EQ(read_file(target), "untouched\n");

  // A dangling link too: O_CREAT would otherwise create its target.
  const std::string dangling = dir.file("dangling.ndjson");
  ASSERT_EQ(::symlink(dir.file("created-through-link").c_str(), dangling.c_str()), 0);
  EXPECT_FALSE(DeadLetterWriter::open(dangling).ok());
  struct stat info {};
  EXPECT_NE(::stat(dir.file("created-through-link").c_str(), &info), 0);
}

TEST(DeadLetter, AppendsToAnExistingFileAndLeavesItsModeAlone) {
  ScratchDir dir;
  const std::string path = dir.file("dead.ndjson");
  const std::string first_line = format_dead_letter(sample("first")) + "\n";
  write_file(path, first_line);
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  {
    auto writer = open_or_fail(path);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->write(sample("second")).ok());
  }
  {
    auto writer = open_or_fail(path);  // and again
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->write(sample("third")).ok());
  }
  const std::string raw = read_file(path);
  EXPECT_EQ(raw.substr(0, first_line.size()), first_line);
  auto read = read_dead_letters(path);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  ASSERT_EQ(read->size(), 3u);
  EXPECT_EQ((*read)[0].data, "first");
  EXPECT_EQ((*read)[1].data, "second");
  EXPECT_EQ((*read)[2].data, "third");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0640u);
}

TEST(DeadLetter, OpenFailsWithTheReasonWhenTheDirectoryIsMissing) {
  ScratchDir dir;
  const std::string path = dir.file("no/such/dir/dead.ndjson");
  auto writer = DeadLetterWriter::open(path);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().kind, ErrorKind::Config);
  EXPECT_EQ(writer.error().code, "DeadLetterOpenFailed");
  EXPECT_NE(writer.error().message.find(path), std::string::npos);
  EXPECT_NE(writer.error().message.find("No such file"), std::string::npos);
}

TEST(DeadLetter, ConcurrentWritersOnOneFileProduceWholeLines) {
  // Two writers on the same file (as two processes would have) and four
  // threads on each; lines of very different sizes.
  ScratchDir dir;
  const std::string path = dir.file("dead.ndjson");
  auto a = open_or_fail(path);
  auto b = open_or_fail(path);
  ASSERT_TRUE(a && b);
  constexpr int kThreads = 8;
  constexpr int kEach = 150;
  auto data_of = [](int thread, int i) {
    // Mostly a few KB, every 25th line over 150 KB (far beyond any pipe or page size).
    const std::size_t size = i % 25 == 0 ? static_cast<std::size_t>(150'000 + i)
                                         : static_cast<std::size_t>((i * 7919 + thread * 104729) % 8'000);
    std::string data(size, static_cast<char>('a' + thread));
    data.insert(0, std::to_string(thread) + ":" + std::to_string(i) + ":");
    return data;
  };
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      DeadLetterWriter& writer = t % 2 == 0 ? *a : *b;
      for (int i = 0; i < kEach; ++i) {
        DeadLetterEntry entry = sample(data_of(t, i));
        entry.attempts = i;
        entry.error_message = "thread " + std::to_string(t);
        if (!writer.write(entry).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);

  auto read = read_dead_letters(path);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  ASSERT_EQ(read->size(), static_cast<std::size_t>(kThreads * kEach));
  std::vector<int> next(kThreads, 0);  // each thread's lines appear in its own order
  for (const DeadLetterEntry& entry : *read) {
    const int t = std::stoi(entry.error_message.substr(7));
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    const int i = next[static_cast<std::size_t>(t)]++;
    EXPECT_EQ(entry.attempts, i);
    EXPECT_EQ(entry.data, data_of(t, i)) << "thread " << t << " entry " << i;
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[static_cast<std::size_t>(t)], kEach);
}

// ---------------------------------------------------------------------------
// Reading malformed files

void expect_malformed_at(const std::string& content, const std::string& where, const std::string& why) {
  ScratchDir dir;
  const std::string path = dir.file("dead.ndjson");
  write_file(path, content);
  auto read = read_dead_letters(path);
  ASSERT_FALSE(read.ok()) << content;
  EXPECT_EQ(read.error().kind, ErrorKind::Client);
  EXPECT_EQ(read.error().code, "MalformedDeadLetter");
  EXPECT_NE(read.error().message.find(path + ":" + where + ":"), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find(why), std::string::npos) << read.error().message;
}

TEST(DeadLetter, MalformedLineIsReportedWithItsNumber) {
  const std::string good = format_dead_letter(sample()) + "\n";
  expect_malformed_at(good + good + "{not json\n" + good, "3", "not valid JSON");
  expect_malformed_at(good + "[1, 2]\n", "2", "not a JSON object");
}

TEST(DeadLetter, EachFieldIsChecked) {
  const std::string good = format_dead_letter(sample()) + "\n";
  auto with = [&](const std::string& from, const std::string& to) {
    std::string line = format_dead_letter(sample());
    const auto at = line.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    line.replace(at, from.size(), to);
    return good + line + "\n";
  };
  expect_malformed_at(with(R"("stream":"orders",)", ""), "2", "missing \"stream\"");
  expect_malformed_at(with(R"("data":"aGVsbG8K")", R"("data":"aGVsbG8")"), "2", "\"data\"");
  expect_malformed_at(with(R"("data":"aGVsbG8K")", R"("data":42)"), "2", "\"data\" is not string");
  expect_malformed_at(with(R"("attempts":10)", R"("attempts":"ten")"), "2", "\"attempts\" is not number");
  expect_malformed_at(with(R"("attempts":10)", R"("attempts":-1)"), "2", "\"attempts\" is out of range");
  expect_malformed_at(with(R"("attempts":10)", R"("attempts":1.5)"), "2", "\"attempts\" is not number");
  expect_malformed_at(with(R"("2024-05-01T12:00:00.123Z")", R"("yesterday")"), "2", "\"first_attempt\"");
  expect_malformed_at(with(R"("possible_duplicate":false)", R"("possible_duplicate":"no")"), "2",
                      "\"possible_duplicate\" is not boolean");
  expect_malformed_at(with(R"(,"error_message":"Slow down.")", ""), "2", "missing \"error_message\"");
}

TEST(DeadLetter, LastLineCutShortIsReported) {
  const std::string good = format_dead_letter(sample()) + "\n";
  const std::string cut = good.substr(0, good.size() / 2);
  expect_malformed_at(good + good + cut, "3", "cut short");
}

TEST(DeadLetter, BlankLinesAreSkippedAndCountedInLineNumbers) {
  ScratchDir dir;
  const std::string path = dir.file("dead.ndjson");
  const std::string good = format_dead_letter(sample()) + "\n";
  write_file(path, "\n" + good + "  \n\n" + good);
  auto read = read_dead_letters(path);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->size(), 2u);
  expect_malformed_at("\n\n" + good + "x\n", "4", "not valid JSON");
}

TEST(DeadLetter, EmptyFileHasNoEntries) {
  ScratchDir dir;
  const std::string path = dir.file("dead.ndjson");
  write_file(path, "");
  auto read = read_dead_letters(path);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_TRUE(read->empty());
}

TEST(DeadLetter, ReadingAMissingFileFails) {
  ScratchDir dir;
  auto read = read_dead_letters(dir.file("absent.ndjson"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, "DeadLetterOpenFailed");
}

}  // namespace
}  // namespace firehose::producer
