// The reconciliation of `firehose verify`, pass by pass, in both modes: what
// counts as delivered once, missing, dead-lettered, duplicated and never
// sent, by whole line and by a JSON field, and which records are named.
#include "verify_matcher.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "verify_sources.hpp"

namespace firehose::cli {
namespace {

struct Records {
  std::vector<std::string> sent;
  std::vector<std::string> dead_lettered;
  std::vector<std::string> delivered;
};

VerifyReport reconcile(const Records& run, MatcherOptions options) {
  options.expected_records = std::max<std::uint64_t>(run.sent.size(), 100);
  auto matcher = Matcher::create(options);
  for (const auto& line : run.sent) matcher->on_sent(line);
  for (const auto& line : run.dead_lettered) matcher->on_dead_lettered(line, {"dead.ndjson:1 (X)", line});
  std::uint64_t n = 0;
  for (const auto& line : run.delivered) matcher->on_delivered(line, {"object", ++n});
  if (matcher->wants_second_pass()) {
    n = 0;
    for (const auto& line : run.sent) {
      if (!matcher->on_sent_again(line, {"in.ndjson", ++n})) break;
    }
  }
  return matcher->report();
}

// 10 records: 0..5 delivered once, 6 delivered three times, 7 dead-lettered,
// 8 and 9 missing; and one record delivered that was never sent.
Records mixed_run() {
  Records run;
  for (int i = 0; i < 10; ++i) run.sent.push_back("{\"id\":" + std::to_string(i) + ",\"v\":\"x\"}");
  for (int i = 0; i <= 6; ++i) run.delivered.push_back(run.sent[i]);
  run.delivered.push_back(run.sent[6]);
  run.delivered.push_back(run.sent[6]);
  run.delivered.push_back("{\"id\":99,\"v\":\"stranger\"}");
  run.dead_lettered.push_back(run.sent[7]);
  return run;
}

class BothModes : public ::testing::TestWithParam<VerifyMode> {};

TEST_P(BothModes, CountsEachKindOfOutcome) {
  MatcherOptions options;
  options.mode = GetParam();
  const VerifyReport report = reconcile(mixed_run(), options);
  const VerifyCounts& c = report.counts;
  EXPECT_EQ(c.sent, 10u);
  EXPECT_EQ(c.delivered, 10u);
  EXPECT_EQ(c.delivered_once, 7u);
  EXPECT_EQ(c.missing, 2u);
  EXPECT_EQ(c.dead_lettered, 1u);
  EXPECT_EQ(c.duplicated, 1u);
  EXPECT_EQ(c.extra_copies, 2u);
  EXPECT_EQ(c.never_sent, 1u);
  EXPECT_EQ(c.dead_letter_entries, 1u);
  ASSERT_EQ(report.missing.size(), 2u);
  EXPECT_EQ(report.missing[0].source, "in.ndjson:9");
  EXPECT_EQ(report.missing[0].record, "{\"id\":8,\"v\":\"x\"}");
  EXPECT_EQ(report.missing[1].source, "in.ndjson:10");
  ASSERT_EQ(report.duplicated.size(), 1u);
  EXPECT_EQ(report.duplicated[0].source, "object:8");  // the second copy
  ASSERT_EQ(report.never_sent.size(), 1u);
  EXPECT_EQ(report.never_sent[0].record, "{\"id\":99,\"v\":\"stranger\"}");
  ASSERT_EQ(report.dead_lettered.size(), 1u);
}

TEST_P(BothModes, ByAFieldOtherContentDoesNotMatter) {
  Records run;
  run.sent = {"{\"id\":\"a\",\"t\":1}", "{\"id\":\"b\",\"t\":1}", "not json"};
  run.delivered = {"{\"t\":2,\"id\":\"a\"}", "{\"id\": \"b\", \"t\": 3}", "not json"};
  MatcherOptions options;
  options.mode = GetParam();
  options.key_field = "id";
  const VerifyReport report = reconcile(run, options);
  EXPECT_EQ(report.counts.delivered_once, 3u);
  EXPECT_EQ(report.counts.missing, 0u);
  EXPECT_EQ(report.counts.without_key, 2u);  // "not json", sent and delivered: matched whole
  // By the whole line, the first two differ.
  options.key_field.clear();
  const VerifyReport whole = reconcile(run, options);
  EXPECT_EQ(whole.counts.missing, 2u);
  EXPECT_EQ(whole.counts.never_sent, 2u);
}

INSTANTIATE_TEST_SUITE_P(Modes, BothModes, ::testing::Values(VerifyMode::kExact, VerifyMode::kBloom));

TEST(ExactMatcher, ALineSentTwiceIsExpectedTwice) {
  Records run;
  run.sent = {"same", "same", "other"};
  run.delivered = {"same", "other", "other"};
  const VerifyReport report = reconcile(run, {});
  EXPECT_EQ(report.counts.delivered_once, 2u);
  EXPECT_EQ(report.counts.missing, 1u);     // one copy of "same"
  EXPECT_EQ(report.counts.duplicated, 1u);  // "other"
  EXPECT_EQ(report.counts.extra_copies, 1u);
  ASSERT_EQ(report.missing.size(), 1u);  // named once, not once per copy
  EXPECT_EQ(report.missing[0].record, "same");
  EXPECT_EQ(report.distinct_keys, 2u);
}

TEST(ExactMatcher, ADeadLetteredRecordThatArrivedIsNotCountedTwice) {
  Records run;
  run.sent = {"a", "b"};
  run.dead_lettered = {"a", "b"};
  run.delivered = {"a"};  // stored, though its answer was lost: dead-lettered all the same
  const VerifyReport report = reconcile(run, {});
  EXPECT_EQ(report.counts.delivered_once, 1u);
  EXPECT_EQ(report.counts.dead_lettered, 1u);
  EXPECT_EQ(report.counts.dead_lettered_and_delivered, 1u);
  EXPECT_EQ(report.counts.missing, 0u);
}

TEST(ExactMatcher, NoSecondPassWhenNothingIsMissing) {
  MatcherOptions options;
  auto matcher = Matcher::create(options);
  matcher->on_sent("a");
  matcher->on_delivered("a", {"o", 1});
  EXPECT_FALSE(matcher->wants_second_pass());
  const auto json = report_json(matcher->report());
  EXPECT_EQ(json["missing"], 0);
  EXPECT_EQ(json["delivered_once"], 1);
  EXPECT_EQ(json["mode"], "exact");
}

TEST(ExactMatcher, ExamplesAreCappedAndTheSecondPassStopsEarly) {
  Records run;
  for (int i = 0; i < 100; ++i) run.sent.push_back("r" + std::to_string(i));
  MatcherOptions options;
  options.examples = 3;
  const VerifyReport report = reconcile(run, options);
  EXPECT_EQ(report.counts.missing, 100u);
  ASSERT_EQ(report.missing.size(), 3u);
  EXPECT_EQ(report.missing[2].source, "in.ndjson:3");
}

TEST(VerifyJson, FieldKeysAreCompactJson) {
  EXPECT_EQ(json_field_key("{\"id\": 7}", "id"), "7");
  EXPECT_EQ(json_field_key("{\"id\": \"7\"}", "id"), "\"7\"");
  EXPECT_EQ(json_field_key("{\"id\": {\"b\": 1,  \"a\": 2}}", "id"), "{\"a\":2,\"b\":1}");
  EXPECT_EQ(json_field_key("{\"other\": 7}", "id"), std::nullopt);
  EXPECT_EQ(json_field_key("[1,2]", "id"), std::nullopt);
  EXPECT_EQ(json_field_key("{\"id\":", "id"), std::nullopt);
}

TEST(VerifyJson, ExcerptsAreShortAndValidUtf8) {
  EXPECT_EQ(record_excerpt("short"), "short");
  EXPECT_EQ(record_excerpt(std::string(300, 'x')), std::string(200, 'x') + "...");
  EXPECT_EQ(record_excerpt("caf\xc3\xa9 \xff"), "caf\xc3\xa9 ?");
  EXPECT_EQ(record_excerpt(std::string(199, 'x') + "\xc3\xa9"), std::string(199, 'x') + "?...");
}

TEST(LineSplitter, JoinsLinesCutBetweenPieces) {
  std::vector<std::string> lines;
  LineSplitter splitter([&](std::string_view line) { lines.emplace_back(line); });
  splitter.feed("a\nb");
  splitter.feed("c");
  splitter.feed("\n\nd");
  splitter.finish();
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "bc", "", "d"}));
}

TEST(VerifySince, TakesADurationOrAUtcTime) {
  const auto now = std::chrono::system_clock::from_time_t(1796313600);
  EXPECT_EQ(*parse_since("30m", now), now - std::chrono::minutes(30));
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*parse_since("2026-12-03T10:00:00Z", now)), 1796292000);
  for (const char* bad : {"", "yesterday", "2026-12-03", "2026-12-03T10:00:00", "2026-12-03T10:00:00Zjunk",
                          // Impossible dates and times are refused, not normalised into other ones.
                          "2026-02-30T00:00:00Z", "2026-12-07T25:61:00Z", "2026-13-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_since(bad, now).ok()) << bad;
  }
}

}  // namespace
}  // namespace firehose::cli
