#include "core/timestamp.hpp"

#include <cctype>

#include <fmt/format.h>

namespace firehose::aws {
namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool digits(int count, int& out) {
    out = 0;
    for (int i = 0; i < count; ++i) {
      if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_]))) return false;
      out = out * 10 + (text_[pos_++] - '0');
    }
    return true;
  }
  bool literal(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool at_digit() const { return pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])); }
  bool done() const { return pos_ == text_.size(); }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip() { ++pos_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

Error invalid(std::string_view text) {
  return make_error(ErrorKind::Config, "InvalidTimestamp", fmt::format("not an ISO-8601 timestamp: '{}'", text));
}

}  // namespace

Result<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  Cursor c(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!c.digits(4, y) || !c.literal('-') || !c.digits(2, mo) || !c.literal('-') || !c.digits(2, d)) {
    return invalid(text);
  }
  if (!c.literal('T') && !c.literal('t') && !c.literal(' ')) return invalid(text);
  if (!c.digits(2, h) || !c.literal(':') || !c.digits(2, mi) || !c.literal(':') || !c.digits(2, s)) {
    return invalid(text);
  }
  nanoseconds fraction{0};
  if (c.literal('.') || c.literal(',')) {
    if (!c.at_digit()) return invalid(text);
    long long scale = 100'000'000;
    while (c.at_digit()) {
      int digit = 0;
      (void)c.digits(1, digit);
      fraction += nanoseconds(digit * scale);
      scale /= 10;
    }
  }
  seconds offset{0};
  if (c.literal('Z') || c.literal('z')) {
    // UTC
  } else if (c.peek() == '+' || c.peek() == '-') {
    const int sign = c.peek() == '-' ? -1 : 1;
    c.skip();
    int oh = 0, om = 0;
    if (!c.digits(2, oh)) return invalid(text);
    (void)c.literal(':');
    if (!c.digits(2, om)) return invalid(text);
    offset = seconds(sign * (oh * 3600 + om * 60));
  } else {
    return invalid(text);  // a timestamp without a zone is ambiguous
  }
  if (!c.done()) return invalid(text);

  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return invalid(text);
  // A time point counts nanoseconds in 64 bits: years 1678 to 2261 only (a
  // year like 2470 overflowed, undefined behaviour found by fuzzing).
  const auto whole = sys_days{date} + hours{h} + minutes{mi} + seconds{s} - offset;
  constexpr auto kLimit = duration_cast<seconds>(system_clock::duration::max()) - seconds{1};
  if (abs(whole.time_since_epoch()) >= kLimit) {
    return make_error(ErrorKind::Config, "InvalidTimestamp",
                      fmt::format("timestamp out of range (years 1678 to 2261): '{}'", text));
  }
  return time_point_cast<system_clock::duration>(whole) + duration_cast<system_clock::duration>(fraction);
}

std::string format_iso8601(std::chrono::system_clock::time_point time, bool with_milliseconds) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(time);
  const auto days = floor<std::chrono::days>(ms);
  const year_month_day date{days};
  const hh_mm_ss clock{ms - days};
  std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                                 static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                                 clock.hours().count(), clock.minutes().count(), clock.seconds().count());
  if (with_milliseconds) text += fmt::format(".{:03}", clock.subseconds().count());
  text.push_back('Z');
  return text;
}

}  // namespace firehose::aws
