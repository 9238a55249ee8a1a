#include "verify_matcher.hpp"

#include <algorithm>

namespace firehose::cli {
namespace {

constexpr std::size_t kExcerptBytes = 200;
// KeyCounts::flags: the key was named as missing already.
constexpr std::uint16_t kNamedMissing = 1;

class ExactMatcher final : public Matcher {
 public:
  explicit ExactMatcher(const MatcherOptions& options) : Matcher(options), store_(options.expected_records) {}

  void on_sent(std::string_view line) override {
    bump(store_.at(key_hash_of(line)).sent);
    ++report_.counts.sent;
  }

  void on_dead_lettered(std::string_view line, const RecordExample& where) override {
    bump(store_.at(key_hash_of(line)).dead_lettered);
    ++report_.counts.dead_letter_entries;
    keep(report_.dead_lettered, where);
  }

  void on_delivered(std::string_view line, const LineSource& source) override {
    KeyCounts& counts = store_.at(key_hash_of(line));
    bump(counts.delivered);
    ++report_.counts.delivered;
    if (counts.sent == 0) {
      if (counts.delivered == 1) keep(report_.never_sent, {source.to_string(), record_excerpt(line)});
    } else if (counts.delivered == counts.sent + 1) {
      keep(report_.duplicated, {source.to_string(), record_excerpt(line)});
    }
  }

  bool wants_second_pass() const override { return tallied_missing() > 0 && options_.examples > 0; }

  bool on_sent_again(std::string_view line, const LineSource& source) override {
    KeyCounts* counts = store_.find(key_hash_of(line, false));
    if (counts != nullptr && (counts->flags & kNamedMissing) == 0 &&
        counts->sent > counts->delivered + counts->dead_lettered) {
      counts->flags |= kNamedMissing;
      keep(report_.missing, {source.to_string(), record_excerpt(line)});
    }
    return report_.missing.size() < std::min<std::uint64_t>(options_.examples, tallied_missing());
  }

  VerifyReport report() override {
    VerifyCounts& c = report_.counts;
    store_.for_each([&](const KeyHash&, const KeyCounts& k) {
      if (k.sent == 0) {
        c.never_sent += k.delivered;
        return;
      }
      const std::uint64_t arrived = std::min(k.delivered, k.sent);
      const std::uint64_t undelivered = k.sent - arrived;
      const std::uint64_t set_apart = std::min<std::uint64_t>(k.dead_lettered, undelivered);
      c.delivered_once += arrived;
      c.dead_lettered += set_apart;
      c.missing += undelivered - set_apart;
      c.dead_lettered_and_delivered += std::min<std::uint64_t>(k.dead_lettered - set_apart, arrived);
      if (k.delivered > k.sent) {
        c.duplicated += 1;
        c.extra_copies += k.delivered - k.sent;
      }
    });
    report_.mode = VerifyMode::kExact;
    report_.distinct_keys = store_.size();
    report_.memory_bytes = store_.memory_bytes();
    return report_;
  }

 private:
  // Pass 4 needs the number of missing records before report(): counted once.
  std::uint64_t tallied_missing() const {
    if (!missing_known_) {
      std::uint64_t missing = 0;
      store_.for_each([&](const KeyHash&, const KeyCounts& k) {
        const std::uint64_t reached = std::uint64_t{k.delivered} + k.dead_lettered;
        if (k.sent > reached) missing += k.sent - reached;
      });
      missing_ = missing;
      missing_known_ = true;
    }
    return missing_;
  }

  ExactKeyStore store_;
  mutable std::uint64_t missing_ = 0;
  mutable bool missing_known_ = false;
};

// Three Bloom filters instead of a table: sent, delivered at least once,
// delivered at least twice. A filter never forgets a key, so "never
// delivered" and "never sent" are certain when reported; a false positive
// can only hide a record (a missing one read as delivered, with probability
// about the rate stated for a full filter) or name a single delivery as a
// duplicate. Keys are taken as unique in the inputs (--key with ids).
class BloomMatcher final : public Matcher {
 public:
  explicit BloomMatcher(const MatcherOptions& options)
      : Matcher(options),
        sent_(options.expected_records, options.false_positive_rate),
        delivered_once_(options.expected_records, options.false_positive_rate),
        delivered_twice_(options.expected_records, options.false_positive_rate),
        dead_lettered_(std::max<std::uint64_t>(options.expected_dead_letters, 1000), options.false_positive_rate) {}

  void on_sent(std::string_view line) override {
    sent_.insert(key_hash_of(line));
    ++report_.counts.sent;
  }

  void on_dead_lettered(std::string_view line, const RecordExample& where) override {
    dead_lettered_.insert(key_hash_of(line));
    ++report_.counts.dead_letter_entries;
    keep(report_.dead_lettered, where);
  }

  void on_delivered(std::string_view line, const LineSource& source) override {
    const KeyHash hash = key_hash_of(line);
    ++report_.counts.delivered;
    if (!sent_.contains(hash)) {
      ++report_.counts.never_sent;
      keep(report_.never_sent, {source.to_string(), record_excerpt(line)});
      return;
    }
    if (delivered_once_.insert(hash)) {
      ++report_.counts.extra_copies;
      if (!delivered_twice_.insert(hash)) {
        ++report_.counts.duplicated;
        keep(report_.duplicated, {source.to_string(), record_excerpt(line)});
      }
    }
  }

  bool wants_second_pass() const override { return true; }

  bool on_sent_again(std::string_view line, const LineSource& source) override {
    const KeyHash hash = key_hash_of(line, false);
    const bool delivered = delivered_once_.contains(hash);
    const bool dead = dead_lettered_.contains(hash);
    if (delivered) {
      ++report_.counts.delivered_once;
      if (dead) ++report_.counts.dead_lettered_and_delivered;
    } else if (dead) {
      ++report_.counts.dead_lettered;
    } else {
      ++report_.counts.missing;
      keep(report_.missing, {source.to_string(), record_excerpt(line)});
    }
    return true;
  }

  VerifyReport report() override {
    report_.mode = VerifyMode::kBloom;
    report_.memory_bytes = sent_.memory_bytes() + delivered_once_.memory_bytes() + delivered_twice_.memory_bytes() +
                           dead_lettered_.memory_bytes();
    report_.false_positive_rate = options_.false_positive_rate;
    return report_;
  }

 private:
  BloomKeySet sent_, delivered_once_, delivered_twice_, dead_lettered_;
};

}  // namespace

std::optional<std::string> json_field_key(std::string_view line, const std::string& field) {
  auto parsed = nlohmann::json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  const auto it = parsed.find(field);
  if (it == parsed.end()) return std::nullopt;
  return it->dump();
}

std::string record_excerpt(std::string_view line) {
  const std::string_view head = line.substr(0, kExcerptBytes);
  // Whole UTF-8 sequences only (a report is JSON): other bytes become '?'.
  std::string out;
  out.reserve(head.size() + 3);
  for (std::size_t i = 0; i < head.size();) {
    const auto c = static_cast<unsigned char>(head[i]);
    const std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool whole = length > 0 && i + length <= head.size();
    for (std::size_t j = 1; whole && j < length; ++j) whole = (static_cast<unsigned char>(head[i + j]) >> 6) == 0x2;
    if (whole) {
      out.append(head.substr(i, length));
      i += length;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  if (line.size() > kExcerptBytes) out += "...";
  return out;
}

std::unique_ptr<Matcher> Matcher::create(const MatcherOptions& options) {
  if (options.mode == VerifyMode::kBloom) return std::make_unique<BloomMatcher>(options);
  return std::make_unique<ExactMatcher>(options);
}

KeyHash Matcher::key_hash_of(std::string_view line, bool first_reading) {
  if (options_.key_field.empty()) return hash_key(line);
  if (auto key = json_field_key(line, options_.key_field)) return hash_key(*key);
  if (first_reading) ++report_.counts.without_key;
  return hash_key(line);
}

nlohmann::ordered_json report_json(const VerifyReport& report) {
  const VerifyCounts& c = report.counts;
  auto examples = [](const std::vector<RecordExample>& list) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const RecordExample& e : list) {
      // Invalid UTF-8 in a record must not make the report unprintable.
      out.push_back({{"source", e.source}, {"record", e.record}});
    }
    return out;
  };
  nlohmann::ordered_json out = {
      {"sent", c.sent},
      {"delivered", c.delivered},
      {"delivered_once", c.delivered_once},
      {"missing", c.missing},
      {"dead_lettered", c.dead_lettered},
      {"dead_lettered_and_delivered", c.dead_lettered_and_delivered},
      {"duplicated", c.duplicated},
      {"extra_copies", c.extra_copies},
      {"never_sent", c.never_sent},
      {"dead_letter_entries", c.dead_letter_entries},
  };
  if (c.without_key > 0) out["without_key"] = c.without_key;
  if (c.over_record_limit > 0) out["over_record_limit"] = c.over_record_limit;
  out["objects"] = report.objects;
  out["examples"] = {{"missing", examples(report.missing)},
                     {"duplicated", examples(report.duplicated)},
                     {"never_sent", examples(report.never_sent)},
                     {"dead_lettered", examples(report.dead_lettered)}};
  out["mode"] = report.mode == VerifyMode::kExact ? "exact" : "bloom";
  if (report.mode == VerifyMode::kExact) {
    out["distinct_keys"] = report.distinct_keys;
  } else {
    out["false_positive_rate"] = report.false_positive_rate;
  }
  out["key_store_bytes"] = report.memory_bytes;
  return out;
}

}  // namespace firehose::cli
